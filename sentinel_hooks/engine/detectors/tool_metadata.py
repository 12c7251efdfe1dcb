"""Tool poisoning detectors: each reports one kind of signal (``engine/tool_metadata/signals.py``) in
the descriptions of the tools a file declares (``engine/tool_metadata/extract.py``)."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Iterable, Iterator

from sentinel_hooks.engine.detectors import detector
from sentinel_hooks.engine.hits import Hit
from sentinel_hooks.engine.tool_metadata.extract import unit_tools
from sentinel_hooks.engine.tool_metadata.injection_score import score_text
from sentinel_hooks.engine.tool_metadata.model import ToolDecl
from sentinel_hooks.engine.tool_metadata.signals import (Signal, encoded_payload_signals, exfiltration_signals,
                                                         hidden_instruction_signals, long_description_signals,
                                                         model_view, sensitive_file_signals, shadowing_signals,
                                                         shorten)
from sentinel_hooks.engine.units import TextUnit
from sentinel_hooks.findings import Severity

if TYPE_CHECKING:
    from sentinel_hooks.engine.rule import Rule


def _hits(unit: TextUnit, signals: Iterable[tuple[ToolDecl, Signal]], what: str) -> Iterator[Hit]:
    for tool, signal in signals:
        span = signal.span
        quoted = f": “{shorten(signal.phrase)}”" if signal.phrase and signal.kind != "encoded" else ""
        detail = f" ({signal.detail})" if signal.detail else ""
        extra: dict[str, Any] = {"tool": tool.name}
        if signal.decoded:
            extra["decoded"] = signal.decoded
        origin = tool.origin_of(span)
        if origin is not None:
            extra["text_from"] = str(origin)
        source = f" (text from {origin})" if origin is not None else ""
        yield Hit(span.line, span.column, span.end_line, span.end_column,
                  content=f"{tool.name}:{signal.kind}:{signal.phrase or signal.detail}",
                  message=f"{what} in {tool.kind} '{tool.name}'{quoted}{detail}{source}",
                  confidence=signal.confidence, severity=signal.severity, extra=extra,
                  text_from=(origin.path, origin.line, origin.end_line) if origin is not None else None)


def _each(unit: TextUnit, check) -> Iterator[tuple[ToolDecl, Signal]]:
    for tool in unit_tools(unit):
        if tool.kind in ("server", "sampling") and check not in SERVER_CHECKS:
            continue  # instructions and sampling prompts name the server's own tools and may be long
        for signal in check(tool):
            yield tool, signal


SERVER_CHECKS = (hidden_instruction_signals, sensitive_file_signals)


@detector("tool_hidden_instructions")
def detect_hidden_instructions(unit: TextUnit, rule: Rule) -> Iterable[Hit]:
    return _hits(unit, _each(unit, hidden_instruction_signals), "Prompt injection")


@detector("tool_sensitive_file_read")
def detect_sensitive_file_read(unit: TextUnit, rule: Rule) -> Iterable[Hit]:
    return _hits(unit, _each(unit, sensitive_file_signals), "Sensitive file named")


@detector("tool_shadowing")
def detect_shadowing(unit: TextUnit, rule: Rule) -> Iterable[Hit]:
    return _hits(unit, _each(unit, shadowing_signals), "Instructions about other tools")


@detector("tool_parameter_exfiltration")
def detect_parameter_exfiltration(unit: TextUnit, rule: Rule) -> Iterable[Hit]:
    return _hits(unit, _each(unit, exfiltration_signals), "Data requested through a parameter")


@detector("tool_long_description")
def detect_long_description(unit: TextUnit, rule: Rule) -> Iterable[Hit]:
    limit = int(rule.options.get("max_chars", 1500))
    return _hits(unit, _each(unit, lambda t: long_description_signals(t, limit)), "Long description")


@detector("tool_encoded_payload")
def detect_encoded_payload(unit: TextUnit, rule: Rule) -> Iterable[Hit]:
    min_length = int(rule.options.get("min_length", 40))
    return _hits(unit, _each(unit, lambda t: encoded_payload_signals(t, min_length)), "Encoded text")


@detector("tool_rug_pull")
def detect_rug_pull(unit: TextUnit, rule: Rule) -> Iterable[Hit]:
    """A description assigned by code that runs after the tool is registered: HIGH when the new text
    scores as an injection (MEDIUM or more), else the rule's severity."""
    for tool in unit_tools(unit):
        if not tool.reassigned_in:
            continue
        span = tool.declaration_span
        text = model_view(tool.description) if tool.description is not None else None
        scored = score_text(text) if text else None
        injected = scored is not None and scored.severity is not None and scored.severity >= Severity.MEDIUM
        if text is None:
            told = "to a value computed at run time"
        else:
            told = f"to “{shorten(text)}”"
        signals = f"; injection signals: {', '.join(e.name for e in scored.top())}" if injected and scored else ""
        yield Hit(span.line, span.column, span.end_line, span.end_column,
                  content=f"{tool.name}:rug-pull:{tool.reassigned_in}:{text or ''}",
                  message=f"{tool.kind.capitalize()} '{tool.name}' has its description changed in "
                          f"'{tool.reassigned_in}()', after it was registered, {told}{signals}",
                  severity=Severity.HIGH if injected else None,
                  extra={"tool": tool.name, "function": tool.reassigned_in})
