"""Record classes for the modules a pre-commit run imports, without the ``dataclasses`` module.

``dataclasses`` imports ``inspect`` (with ``ast``, ``dis`` and ``tokenize``): about 19 ms of a hook
run's wall time here, a tenth of it, for what these modules need of it: an ``__init__`` from
annotated fields with defaults and default factories, ``__repr__``, ``__eq__`` and frozen instances.
``@record`` writes those methods the way ``@dataclass`` does (generated source, so instances are as
fast to create); ``fields`` and ``asdict`` cover the rest. The detector and tool-metadata modules a
hook imports for an MCP server or client config use it too.
"""
from __future__ import annotations

from typing import Any, Callable, Optional, TypeVar

T = TypeVar("T")
_MISSING: Any = object()


class FrozenInstanceError(AttributeError):
    """Assignment to a field of a frozen record."""


class Field:
    __slots__ = ("name", "default", "default_factory", "repr")

    def __init__(self, default: Any = _MISSING, default_factory: Optional[Callable[[], Any]] = None,
                 repr: bool = True):
        self.name = ""
        self.default = default
        self.default_factory = default_factory
        self.repr = repr


def field(*, default: Any = _MISSING, default_factory: Optional[Callable[[], Any]] = None, repr: bool = True) -> Any:
    if default is not _MISSING and default_factory is not None:
        raise ValueError("a field takes a default or a default_factory, not both")
    return Field(default, default_factory, repr)


def fields(cls_or_record: Any) -> tuple[Field, ...]:
    return cls_or_record.__record_fields__


def asdict(value: Any) -> dict[str, Any]:
    """The fields as a dict; lists, dicts and nested records are copied through."""
    return {f.name: _copied(getattr(value, f.name)) for f in fields(value)}


def replace(value: T, **changes: Any) -> T:
    """A new record of the same type with ``changes`` applied (frozen records change this way)."""
    return type(value)(**{**{f.name: getattr(value, f.name) for f in fields(value)}, **changes})


def _copied(value: Any) -> Any:
    if hasattr(type(value), "__record_fields__"):
        return asdict(value)
    if isinstance(value, (list, tuple)):
        return type(value)(_copied(v) for v in value)
    if isinstance(value, dict):
        return {k: _copied(v) for k, v in value.items()}
    return value


def record(cls: Optional[type] = None, *, frozen: bool = False, eq: bool = True) -> Any:
    """Class decorator: fields are the class's own annotations, in order (``ClassVar`` excluded); with
    ``eq=False`` instances compare and hash by identity, as ``@dataclass(eq=False)`` ones do."""

    def wrap(cls: type) -> type:
        specs: list[Field] = []
        for name, annotation in cls.__dict__.get("__annotations__", {}).items():
            if str(annotation).startswith(("ClassVar", "typing.ClassVar")):
                continue
            value = cls.__dict__.get(name, _MISSING)
            spec = value if isinstance(value, Field) else Field(default=value)
            spec.name = name
            specs.append(spec)
            if isinstance(value, Field):
                if spec.default is _MISSING:
                    delattr(cls, name)
                else:
                    setattr(cls, name, spec.default)
        _add_methods(cls, tuple(specs), frozen, eq)
        return cls

    return wrap if cls is None else wrap(cls)


def _frozen_setattr(self: Any, name: str, value: Any) -> None:
    raise FrozenInstanceError(f"cannot assign to field {name!r}")


def _frozen_delattr(self: Any, name: str) -> None:
    raise FrozenInstanceError(f"cannot delete field {name!r}")


def _add_methods(cls: type, specs: tuple[Field, ...], frozen: bool, eq: bool) -> None:
    namespace: dict[str, Any] = {"_MISSING": _MISSING, "_setattr": object.__setattr__}
    params, body = [], []
    for spec in specs:
        name = spec.name
        if spec.default_factory is not None:
            namespace[f"_factory_{name}"] = spec.default_factory
            params.append(f"{name}=_MISSING")
            value = f"_factory_{name}() if {name} is _MISSING else {name}"
        elif spec.default is not _MISSING:
            namespace[f"_default_{name}"] = spec.default
            params.append(f"{name}=_default_{name}")
            value = name
        else:
            params.append(name)
            value = name
        body.append(f"    _setattr(self, {name!r}, {value})" if frozen else f"    self.{name} = {value}")
    source = f"def __init__(self, {', '.join(params)}):\n" + ("\n".join(body) or "    pass") + "\n"
    exec(source, namespace)  # noqa: S102 - our own generated source, as dataclasses does
    init = namespace["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    names = tuple(s.name for s in specs)
    shown = tuple(s.name for s in specs if s.repr)

    def __repr__(self: Any) -> str:
        inner = ", ".join(f"{n}={getattr(self, n)!r}" for n in shown)
        return f"{type(self).__qualname__}({inner})"

    def __eq__(self: Any, other: Any) -> Any:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return all(getattr(self, n) == getattr(other, n) for n in names)

    cls.__init__ = init  # type: ignore[misc]
    cls.__repr__ = __repr__  # type: ignore[assignment]
    if eq:
        cls.__eq__ = __eq__  # type: ignore[assignment]
    cls.__record_fields__ = specs  # type: ignore[attr-defined]
    if frozen:
        cls.__setattr__ = _frozen_setattr  # type: ignore[assignment]
        cls.__delattr__ = _frozen_delattr  # type: ignore[assignment]
    if not eq:
        return  # identity comparison and hashing, from object
    if frozen:
        def __hash__(self: Any) -> int:
            return hash(tuple(getattr(self, n) for n in names))

        cls.__hash__ = __hash__  # type: ignore[assignment]
    else:
        cls.__hash__ = None  # type: ignore[assignment]  # mutable and comparable: unhashable, as a dataclass
