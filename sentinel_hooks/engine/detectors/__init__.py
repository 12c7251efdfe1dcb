"""Structure-aware detectors: the few checks a regex cannot express.

A detector is a function ``(unit: TextUnit, rule: Rule) -> Iterable[Hit]`` registered under a name
with ``@detector("name")``; a rule selects it with ``detector: name`` and keeps all its metadata in
YAML. Every module in this package is imported on first use, so a new detector only needs a module.
"""
from __future__ import annotations

import importlib
import pkgutil
from typing import TYPE_CHECKING, Callable, Iterable

if TYPE_CHECKING:
    from sentinel_hooks.engine.hits import Hit
    from sentinel_hooks.engine.rules import Rule
    from sentinel_hooks.engine.units import TextUnit

DetectorFn = Callable[["TextUnit", "Rule"], Iterable["Hit"]]


class _Registry(dict):
    """Imports the detector modules the first time anything is looked up."""

    _loaded = False

    def _load(self) -> None:
        if not self._loaded:
            type(self)._loaded = True
            for mod in pkgutil.iter_modules(__path__):
                importlib.import_module(f"{__name__}.{mod.name}")

    def __contains__(self, key: object) -> bool:
        self._load()
        return super().__contains__(key)

    def __getitem__(self, key: str) -> DetectorFn:
        self._load()
        return super().__getitem__(key)


REGISTRY: _Registry = _Registry()


def detector(name: str) -> Callable[[DetectorFn], DetectorFn]:
    def register(fn: DetectorFn) -> DetectorFn:
        dict.__setitem__(REGISTRY, name, fn)
        return fn

    return register
