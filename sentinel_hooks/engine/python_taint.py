"""Which values of a Python file carry a label: input of a tool or request (``tainted``) or secret
data (environment variables, credential files, keychains).

``is_tainted(node, scope.tainted, aliases)`` answers for one expression; ``is_secret_data(node,
scope)`` answers the same question for secret data (the label exfiltration checks use, computed the
first time a check asks). A label flows through assignments, f-strings, ``+``/``%``/``.format``/
``join``, containers (a list, dict or attribute that a labelled value was put into: ``x.append(v)``,
``x[k] = v``, ``x.attr = v``), methods of a labelled value, the wrappers in ``PROPAGATORS`` (path
joins, ``urllib.parse`` quoting, base64/zlib/binascii round trips, ``json``) and calls of functions of
the same file whose parameter reaches their return value (``python_summaries``). A value stored under
a constant key is followed per key: ``conf["s"] = {"a": "x", "b": value}`` labels ``conf["s"]["b"]``,
not ``conf["s"]["a"]`` nor ``conf.get("s", "a")``.

It stops at sanitisers (``shlex.quote``, ``int``, ``os.path.basename``, ``secure_filename`` ...), at
names checked against a constant allow-list in the same function (``if x not in ALLOWED: raise``),
and at calls of other functions (often a validating helper).
"""
from __future__ import annotations

import ast
from typing import Callable, Optional

from sentinel_hooks.engine.detectors.python_sinks import PROPAGATORS, SANITIZER_METHODS, SANITIZERS
from sentinel_hooks.engine.python_scopes import Scope, Taint, constant_key, qualified_name
from sentinel_hooks.engine.python_sources import entry_parameters, is_request_source, is_secret_source

Source = Callable[[ast.expr, dict[str, str]], bool]
KeyPath = tuple[str, ...]
CARRYING_METHODS = ("join", "format", "format_map")


def is_sanitiser_call(node: ast.expr, aliases: dict[str, str]) -> bool:
    if not isinstance(node, ast.Call):
        return False
    name = qualified_name(node.func, aliases)
    if name in SANITIZERS:
        return True
    return isinstance(node.func, ast.Attribute) and node.func.attr in SANITIZER_METHODS


def request_source(node: ast.expr, aliases: dict[str, str]) -> bool:
    return is_request_source(node)


def request_source_for_user(node: ast.expr, aliases: dict[str, str]) -> bool:
    return is_request_source(node, low_level_arguments=False)


def input_source(scope: Scope) -> Source:
    """The test of tool or request input for expressions of ``scope``."""
    return request_source_for_user if scope.user_prompt else request_source


def no_source(node: ast.expr, aliases: dict[str, str]) -> bool:
    return False


def is_tainted(node: ast.expr, tainted: set[str], aliases: dict[str, str]) -> bool:
    """Whether ``node`` carries input of a tool or request, given the tainted names of its scope."""
    return carries(node, tainted, aliases, request_source)


def is_secret_data(node: ast.expr, scope: Scope) -> bool:
    """Whether ``node`` (an expression of ``scope``) holds secret data: an environment variable, the
    content of a credential file or a keychain entry, directly, through local names, containers and
    wrappers, or through a function of the same file (its return value, or a parameter its callers
    fill with secret data)."""
    from sentinel_hooks.engine import python_summaries
    analysis = scope.file
    if analysis is None:
        return carries(node, Taint(), {}, is_secret_source)
    return carries(node, python_summaries.secret_names(analysis, scope), analysis.aliases, is_secret_source)


def carries(node: ast.expr, names: set[str], aliases: dict[str, str], source: Source) -> bool:
    kind = type(node)
    if kind is ast.Name:
        return node.id in names or node.id in getattr(names, "keys", ())  # type: ignore[attr-defined]
    if kind is ast.Constant:
        return False
    if source(node, aliases):
        return True
    keys: dict[str, set[KeyPath]] = getattr(names, "keys", None) or {}
    if keys and (kind is ast.Subscript or kind is ast.Attribute):
        root, path = key_path(node)
        if root is not None and root not in names and root in keys:
            return path is None or any(overlaps(path, stored) for stored in keys[root])
    if kind is ast.Call:
        if is_sanitiser_call(node, aliases):
            return False
        func = node.func  # type: ignore[attr-defined]
        arguments = [*node.args, *(k.value for k in node.keywords)]  # type: ignore[attr-defined]
        if isinstance(func, ast.Attribute):
            if keys and func.attr == "get" and isinstance(func.value, ast.Name) and func.value.id in keys \
                    and func.value.id not in names:
                path = tuple(constant_key(a) for a in node.args)  # type: ignore[attr-defined]
                return None in path or any(overlaps(path, stored) for stored in keys[func.value.id])  # type: ignore[arg-type]
            if carries(func, names, aliases, source):
                return True  # a method of a labelled value (``path.strip()``, ``params.get("url")``)
        if qualified_name(func, aliases) in PROPAGATORS or (isinstance(func, ast.Attribute) and func.attr in
                                                            CARRYING_METHODS):
            return any(carries(a, names, aliases, source) for a in arguments)
        results = getattr(names, "results", None)
        return results is not None and results(node, names, aliases)  # a function of this file
    if kind is ast.Lambda or kind is ast.FunctionDef:
        return False
    return any(carries(child, names, aliases, source) for child in ast.iter_child_nodes(node)
               if isinstance(child, ast.expr))


def key_path(node: ast.expr) -> tuple[Optional[str], Optional[KeyPath]]:
    """``conf["s"]["k"]`` -> (``conf``, ("s", "k")); ``obj.url`` -> (``obj``, ("url",)); the path is None
    when a key is computed."""
    parts: list[Optional[str]] = []
    cur = node
    while True:
        if isinstance(cur, ast.Subscript):
            parts.append(constant_key(cur.slice))
            cur = cur.value
        elif isinstance(cur, ast.Attribute):
            parts.append(cur.attr)
            cur = cur.value
        else:
            break
    if not isinstance(cur, ast.Name):
        return None, None
    path = tuple(reversed(parts))
    return cur.id, (None if None in path else path)  # type: ignore[return-value]


def overlaps(read: KeyPath, stored: KeyPath) -> bool:
    """A read of ``read`` sees a value stored under ``stored`` (one is a prefix of the other)."""
    n = min(len(read), len(stored))
    return read[:n] == stored[:n]


def labelled_paths(value: ast.expr, names: Taint, aliases: dict[str, str], source: Source,
                   prefix: KeyPath = ()) -> Optional[set[KeyPath]]:
    """The key paths of a dict literal that hold a labelled value; None when the literal has a
    computed key (``**other``) holding one, so the whole value counts."""
    out: set[KeyPath] = set()
    for key, item in zip(value.keys, value.values):  # type: ignore[attr-defined]
        text = constant_key(key) if key is not None else None
        if isinstance(item, ast.Dict) and text is not None:
            inner = labelled_paths(item, names, aliases, source, prefix + (text,))
            if inner is None:
                return None
            out |= inner
        elif carries(item, names, aliases, source):
            if text is None:
                return None
            out.add(prefix + (text,))
    return out


def spread(scope: Scope, seeds: set[str], aliases: dict[str, str], source: Source,
           results=None, keys: Optional[dict[str, set[KeyPath]]] = None) -> Taint:
    """The names of ``scope`` that carry a label, from ``seeds`` (names labelled on entry) and the
    values assigned to or stored into each name; names a sanitiser or an allow-list check clears
    never carry it."""
    sanitised = {name for name, values in scope.assigned.items()
                 if any(is_sanitiser_call(v, aliases) for v in values)} | scope.allow_listed
    out = Taint(set(seeds) - sanitised, {k: set(v) for k, v in (keys or {}).items() if k not in sanitised},
                results)
    changed = True
    while changed:
        changed = False
        for name, values in scope.assigned.items():
            if name in out or name in sanitised:
                continue
            for value in values:
                if type(value) is ast.Dict:
                    paths = labelled_paths(value, out, aliases, source)
                    if paths is None:
                        out.add(name)
                        changed = True
                        break
                    if paths - out.keys.get(name, set()):
                        out.keys.setdefault(name, set()).update(paths)
                        changed = True
                elif carries(value, out, aliases, source):
                    out.add(name)
                    changed = True
                    break
        for name, stored in scope.contents.items():
            if name in out or name in sanitised:
                continue
            for key, value in stored:
                if key is None:
                    if carries(value, out, aliases, source):
                        out.add(name)
                        changed = True
                        break
                    continue
                if type(value) is ast.Dict:
                    inner = labelled_paths(value, out, aliases, source, (key,))
                    paths = {(key,)} if inner is None else inner
                elif carries(value, out, aliases, source):
                    paths = {(key,)}
                else:
                    continue
                if paths - out.keys.get(name, set()):
                    out.keys.setdefault(name, set()).update(paths)
                    changed = True
    return out


def compute_taint(scope: Scope, aliases: dict[str, str], results=None) -> None:
    """Fill ``scope.tainted``: what the enclosing function passes in (closures), the parameters of an
    entry point, the parameters callers fill with input (``scope.seeds``) and what follows from them."""
    parent = scope.parent.tainted if scope.parent is not None else Taint()
    inherited = set(parent)
    if scope.is_entry:
        inherited |= entry_parameters(scope.node)  # type: ignore[arg-type]
    inherited |= scope.seeds
    scope.tainted = spread(scope, inherited, aliases, input_source(scope), results,
                           getattr(parent, "keys", None))
