"""Tool metadata drift: a tool that existed at the baseline now has a different description or input
schema. Clients approve tools once, so such a change deserves a fresh review."""
from __future__ import annotations

from typing import TYPE_CHECKING, Iterable, Optional

from sentinel_hooks.engine.detectors import detector
from sentinel_hooks.engine.tool_metadata.extract import baseline_tools, unit_tools
from sentinel_hooks.engine.tool_metadata.model import ToolDecl, join_spans
from sentinel_hooks.engine.hits import Hit
from sentinel_hooks.engine.units import TextUnit

if TYPE_CHECKING:
    from sentinel_hooks.engine.rule import Rule


def _normalise(text: Optional[str]) -> str:
    return " ".join((text or "").split())


def _by_name(tools: list[ToolDecl]) -> dict[tuple[str, str], ToolDecl]:
    """Declared tools, prompts and resources by kind and name (a description assigned later by code is
    not a declaration; the rug-pull rule judges those)."""
    out: dict[tuple[str, str], ToolDecl] = {}
    for tool in tools:
        if not tool.reassigned_in and tool.kind not in ("server", "sampling"):  # not approved per tool
            out.setdefault((tool.kind, tool.name), tool)
    return out


def changed_parts(old: ToolDecl, new: ToolDecl) -> list[str]:
    """Which of 'description' and 'input schema' differ (whitespace-insensitive)."""
    parts = []
    if _normalise(old.description) != _normalise(new.description):
        parts.append("description")
    if _normalise(old.schema) != _normalise(new.schema):
        parts.append("input schema")
    return parts


def _may_report(tool: ToolDecl, changed: Optional[frozenset[int]]) -> bool:
    """Whether a drift of ``tool`` could touch a changed line: its hit lies within the span of its
    declaration, description and schema, and the engine keeps only hits on changed lines."""
    if changed is None:
        return True
    spans = [s for s in (tool.declaration_span, tool.description_span, tool.schema_span) if s is not None]
    first, last = min(s.line for s in spans), max(s.end_line for s in spans)
    return any(first <= n <= last for n in changed)


@detector("tool_metadata_drift")
def detect_metadata_drift(unit: TextUnit, rule: Rule) -> Iterable[Hit]:
    changed = unit.file().changed_lines
    current = {name: t for name, t in _by_name(unit_tools(unit)).items() if _may_report(t, changed)}
    if not current:
        return  # nothing that could drift on a changed line: the baseline is not read
    base = unit.base_text()
    modules = unit.file().modules
    before = None if base is None else baseline_tools(unit, base, wanted={name for _, name in current},
                                                      modules=modules.base() if modules is not None else None)
    if not before:
        return
    old_tools = _by_name(before)
    for (kind, name), new in current.items():
        old = old_tools.get((kind, name))
        if old is None:
            continue
        parts = changed_parts(old, new)
        if not parts:
            continue
        spans = []
        if "description" in parts:
            spans.append(new.description_span or new.declaration_span)
        if "input schema" in parts:
            spans.append(new.schema_span or new.declaration_span)
        span = join_spans(spans) or new.declaration_span
        what = " and ".join(parts)
        yield Hit(span.line, span.column, span.end_line, span.end_column,
                  content=f"{name}:{what}:{_normalise(new.description)}|{_normalise(new.schema)}",
                  message=f"{kind.capitalize()} '{name}' changed its {what} since the baseline; review and re-approve it",
                  extra={"tool": name, "changed": parts})
