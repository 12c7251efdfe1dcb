"""The tools a file declares, by its language, after a cheap test that it may declare any."""
from __future__ import annotations

from typing import Any, Optional

from sentinel_hooks.engine import python_tree
from sentinel_hooks.engine.languages import language_of
from sentinel_hooks.engine.patterns import lazy
from sentinel_hooks.engine.text_gate import Gate
from sentinel_hooks.engine.tool_metadata.baseline_tree import BaselineTree, baseline_tree
from sentinel_hooks.engine.tool_metadata.imported import Imports
from sentinel_hooks.engine.tool_metadata.js_tools import js_tools
from sentinel_hooks.engine.tool_metadata.json_tools import json_tools
from sentinel_hooks.engine.tool_metadata.model import MAX_SOURCE_CHARS, ToolDecl, unique_tools
from sentinel_hooks.engine.tool_metadata.python_tools import may_declare_at, python_tools
from sentinel_hooks.engine.tool_metadata.yaml_tools import yaml_tools
from sentinel_hooks.engine.units import TextUnit


# -- dispatch --------------------------------------------------------------------------------------


# cheap signs that a file may declare tools, checked before any parsing (from their literals)
_MAY_DECLARE = {
    # every literal costs a pass over the text, so few cover all forms: decorators (``@mcp.tool``,
    # ``@server.list_prompts()``), ``Tool(...)``/``Prompt(...)``/``Resource(...)`` objects, and registration
    # or later assignment through a tool (``add_tool(``, ``mcp.tool()(fn)``, ``_tool_manager``,
    # ``get_tool(``, ``my_tool.description =``; ``fn.__doc__ =`` matters only for a function some other
    # form declares)
    # ``tools`` also starts tool lists of dict literals (``"tools": [{...}]``, ``TOOLS = [...]`` via "TOOLS" too)
    "python": Gate(lazy(r"@\s*(?:[\w.]*\.)?(?:list_)?(?:tool|prompt|resource)s?\b|\b(?:Tool|Prompt|Resource)\s*\(|"
                        r"(?:(?<=add_)|(?<=get_)|(?<=\.))tool\s*\(|tool(?:_manager\b|\.description\s*\+?=)|"
                        r"(?i:tools)['\"]?\s*(?::[^=\n]*)?=?\s*[\[:]|input_?[sS]chema['\"]\s*:"),
                   ("@", "Tool", "tool", "Prompt", "Resource", "TOOLS", "input"), anchored=True),
    "javascript": Gate(lazy(r"\.(?:tool|registerTool|addTool)\s*\(|\binput_?[sS]chema\b|\btools['\"]?\s*:"),
                       (".tool", ".registerTool", ".addTool", "input", "tools"), anchored=True),
    "json": Gate(lazy(r"\"tools\"\s*:"), ('"tools"',), anchored=True),
    "yaml": Gate(lazy(r"(?m)^\s*['\"]?tools['\"]?\s*:"), ("tools",), reach=200),
}
_EXTRACTORS = {"python": python_tools, "javascript": js_tools, "json": json_tools, "yaml": yaml_tools}


def extract_tools(path: str, text: str, unit: Optional[TextUnit] = None,
                  wanted: Optional[set[str]] = None, modules: Optional[Any] = None) -> list[ToolDecl]:
    """The tools declared in a file, by its language; [] for anything else. ``unit``, when ``text``
    is its whole file, lends the file's shared Python tree and its reader of other modules;
    ``modules`` is such a reader for another state (the baseline); ``wanted`` names the tools that
    matter (the other languages' extractors return all)."""
    lang, form_lines = _declaring_language(path, text, unit)
    if lang is None:
        return []
    if modules is None and unit is not None:
        modules = unit.file().modules
    imports = _imports(lang, path, modules)
    if lang == "python":
        tree = python_tree.tree_of(unit) if unit is not None else python_tree.parse(text)
        return unique_tools(python_tools(text, tree, wanted, imports, form_lines)) if tree is not None else []
    return _other_tools(lang, text, imports)


def baseline_tools(unit: TextUnit, base: str, wanted: Optional[set[str]] = None,
                   modules: Optional[Any] = None) -> list[ToolDecl]:
    """``extract_tools`` of the unit's file at the baseline (``base``, read with ``modules``). A Python
    baseline's tree reuses the statements of the file's tree that the change left alone and parses the
    rest (``baseline_tree``): the tools are those of the whole baseline parsed, at lines moved down."""
    lang, form_lines = _declaring_language(unit.path, base, None)
    if lang is None:
        return []
    imports = _imports(lang, unit.path, modules)
    if lang != "python":
        return _other_tools(lang, base, imports)
    built = _reused_baseline_tree(unit, base)
    if built is None:
        tree = python_tree.parse(base)
        return unique_tools(python_tools(base, tree, wanted, imports, form_lines)) if tree is not None else []
    moved = built.moved_lines(form_lines) if form_lines is not None else None
    return unique_tools(python_tools(built.text, built.tree, wanted, imports, moved))


def _reused_baseline_tree(unit: TextUnit, base: str) -> Optional[BaselineTree]:
    if unit.partial:
        return None
    tree = python_tree.tree_of(unit)
    if tree is None or python_tree.tree_is_lowered(unit):  # lowered statements may not be the file's own
        return None
    analysis = unit.file()
    return baseline_tree(unit.full_text(), tree, base, analysis.changed_lines, analysis.deletion_points)


def _declaring_language(path: str, text: str, unit: Optional[TextUnit]) -> tuple[Optional[str], Optional[list[int]]]:
    """The extractor's language of ``path`` when ``text`` may declare tools in it, else None; with, for
    Python, the lines of its tool forms' names when the test found them (else None)."""
    lang = language_of(path)
    if lang == "typescript":
        lang = "javascript"
    if lang not in _EXTRACTORS or not text or len(text) > MAX_SOURCE_CHARS or not _may_declare(lang, text, unit):
        return None, None
    if lang != "python":
        return lang, None
    declares, form_lines = may_declare_at(text)
    # the gate's literal may be part of a longer word (``functools:``)
    return ("python", form_lines) if declares else (None, None)


def _imports(lang: str, path: str, modules: Optional[Any]) -> Optional[Imports]:
    return Imports(modules, path) if modules is not None and lang in ("python", "javascript") else None


def _other_tools(lang: str, text: str, imports: Optional[Imports]) -> list[ToolDecl]:
    if lang == "javascript":
        return unique_tools(js_tools(text, imports))
    return unique_tools(_EXTRACTORS[lang](text))


def _may_declare(lang: str, text: str, unit: Optional[TextUnit]) -> bool:
    gate = _MAY_DECLARE[lang]
    if lang == "python" and unit is not None and not unit.partial and text is unit.full_text():
        from sentinel_hooks.engine.python_analysis import passes  # the Python checks' literal index
        return passes(unit, gate)
    return gate.search(text)


def unit_tools(unit: TextUnit) -> list[ToolDecl]:
    """Tools of the unit's whole file, extracted once per file."""
    if "tool_metadata" not in unit.memo:
        unit.memo["tool_metadata"] = [] if unit.partial else extract_tools(unit.path, unit.full_text(), unit)
    return unit.memo["tool_metadata"]
