"""Descriptions assigned to a Python tool after it is declared: ``fn.__doc__ = "..."`` for a tool
function, ``tool.description = "..."`` (or ``setattr(tool, "description", ...)``) for a tool object (``mcp._tool_manager._tools["x"]``, a value of
``get_tool("x")``, a variable named ``tool`` or ``..._tool``).

Each assignment becomes one more :class:`ToolDecl` of that tool, whose description is the assigned
text (None when it is not a constant), so every metadata check reads it. An assignment inside a
function body runs after the server has registered and listed the tool, typically on a later call,
after a count of calls or from a date on: that is a rug pull, recorded in ``reassigned_in`` as the
name of the function.
"""
from __future__ import annotations

import ast
from typing import TYPE_CHECKING, Iterator, Optional

from sentinel_hooks.engine.tool_metadata.model import ToolDecl, ToolParam

if TYPE_CHECKING:
    from sentinel_hooks.engine.tool_metadata.python_tools import _PySource

_FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef)
_TOOL_CONTAINERS = {"_tools", "tools", "_tool_manager", "tool_manager", "_prompts", "_resources"}
_TOOL_LOOKUPS = {"get_tool", "_get_tool", "get_prompt", "get_resource"}


def _is_toolish_name(name: str) -> bool:
    lowered = name.lower()
    return lowered == "tool" or lowered.endswith("_tool") or lowered.startswith("tool_")


def _subscript_key(node: ast.Subscript, source: _PySource) -> Optional[str]:
    return source.string_value(node.slice)


def _tool_of_expression(node: ast.AST, source: _PySource, bindings: dict[str, Optional[str]]) -> tuple[bool, str]:
    """(whether ``node`` denotes a registered tool object, its name when known)."""
    if isinstance(node, ast.Subscript):
        base = node.value
        if isinstance(base, ast.Attribute) and base.attr in _TOOL_CONTAINERS or \
                isinstance(base, ast.Name) and base.id in _TOOL_CONTAINERS:
            return True, _subscript_key(node, source) or ""
        return False, ""
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in _TOOL_LOOKUPS:
        return True, (source.string_value(node.args[0]) if node.args else None) or ""
    if isinstance(node, ast.Name):
        if node.id in bindings:
            return True, bindings[node.id] or ""
        return _is_toolish_name(node.id), ""
    if isinstance(node, ast.Attribute):
        return _is_toolish_name(node.attr), ""
    return False, ""


def _assignments(body: list[ast.stmt], function: str) -> Iterator[tuple[ast.stmt, str]]:
    """Assignments in ``body`` with the function that holds them ("" at module or class level),
    nested blocks included."""
    for stmt in body:
        if isinstance(stmt, (ast.Assign, ast.AugAssign, ast.AnnAssign)):
            yield stmt, function
        elif isinstance(stmt, ast.Expr) and _is_setattr(stmt.value):
            yield stmt, function
        elif isinstance(stmt, _FUNCTIONS):
            yield from _assignments(stmt.body, stmt.name)
        else:
            for block in _blocks(stmt):
                yield from _assignments(block, function)


def _is_setattr(node: ast.AST) -> bool:
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "setattr" \
        and len(node.args) == 3 and isinstance(node.args[1], ast.Constant) \
        and node.args[1].value in ("__doc__", "description")


def _target_and_value(stmt: ast.stmt) -> tuple[list[ast.AST], Optional[ast.AST]]:
    """The targets and the value of an assignment; ``setattr(obj, "description", value)`` as
    ``obj.description = value``."""
    if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call):
        obj, attr, value = stmt.value.args
        return [ast.Attribute(value=obj, attr=attr.value, ctx=ast.Store())], value  # type: ignore[attr-defined]
    if isinstance(stmt, ast.Assign):
        return list(stmt.targets), stmt.value
    return [stmt.target], stmt.value  # type: ignore[attr-defined]


def _blocks(stmt: ast.stmt) -> Iterator[list[ast.stmt]]:
    for field in ("body", "orelse", "finalbody"):
        block = getattr(stmt, field, None)
        if isinstance(block, list):
            yield block
    for holder in (getattr(stmt, "handlers", None) or []) + (getattr(stmt, "cases", None) or []):
        yield holder.body


def reassigned_descriptions(source: _PySource, tools: list[ToolDecl],
                            wanted: Optional[set[str]] = None) -> list[ToolDecl]:
    """A declaration per description assigned to a known tool function or to a tool object."""
    function_tools: dict[str, ToolDecl] = {}
    for tool in tools:
        for name, fn in source.functions.items():
            if fn.lineno == tool.declaration_span.line:
                function_tools[name] = tool
    bindings: dict[str, Optional[str]] = {}  # variables assigned a tool object, with its name
    out = []
    for stmt, function in _assignments(source.tree.body, ""):
        targets, value = _target_and_value(stmt)
        if value is None:
            continue
        for target in targets:
            if isinstance(target, ast.Name):
                is_tool, name = _tool_of_expression(value, source, {})
                if is_tool and not isinstance(value, ast.Name):
                    bindings[target.id] = name
                continue
            if not isinstance(target, ast.Attribute):
                continue
            decl = None
            if target.attr == "__doc__" and isinstance(target.value, ast.Name) \
                    and target.value.id in function_tools:
                decl = function_tools[target.value.id]
                name = decl.name
            elif target.attr == "description":
                is_tool, name = _tool_of_expression(target.value, source, bindings)
                if not is_tool:
                    continue
                name = name or ast.unparse(target.value)
            else:
                continue
            if wanted is not None and name not in wanted:
                continue
            text = source.string_value(value)
            out.append(ToolDecl(name=name, description=text, description_span=source.span(value),
                                declaration_span=source.span(stmt), kind=decl.kind if decl else "tool",
                                params=[ToolParam(p.name, p.description) for p in decl.params] if decl else [],
                                reassigned_in=function))
    return out
