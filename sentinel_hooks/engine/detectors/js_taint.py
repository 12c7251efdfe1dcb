"""JS/TS flows from tool and request input (or the whole environment) to a sink, across functions.

Options of a rule using ``detector: js_taint``:
  sink   the kind of sink reported (engine/js/vocabulary.SINK_KINDS): shell, argument, code, sql,
         path, ssrf or exfiltration

The file is parsed with tree-sitter once and analysed once (engine/js/taint); every rule and every
window of a diff scan takes the flows of its kind from the file's memo. A file without a source
marker or a sink call (engine/js/gate) is not parsed, and tree-sitter is imported on the first file
that is; files over MAX_PARSED_CHARS, and a tree nested deeper than the stack allows, yield
nothing. Comments and string contents are not code in the tree, so they never hold a sink.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Iterable

from sentinel_hooks.engine.detectors import detector
from sentinel_hooks.engine.hits import Hit
from sentinel_hooks.engine.js import gate

if TYPE_CHECKING:
    from sentinel_hooks.engine.js.taint import Flow
    from sentinel_hooks.engine.rule import Rule
    from sentinel_hooks.engine.units import TextUnit

_MEMO_KEY = "js_taint flows"
MAX_PARSED_CHARS = 1_000_000  # larger files are bundles or generated code, not a server's source


def file_flows(unit: TextUnit) -> list[tuple[Flow, tuple[int, int, int, int], str]]:
    """The file's flows with their 1-based (line, column, end line, end column) and first line of text."""
    if unit.partial:
        return []
    memo = unit.memo
    found = memo.get(_MEMO_KEY)
    if found is not None:
        return found
    found = memo[_MEMO_KEY] = []
    text = unit.full_text()
    if len(text) > MAX_PARSED_CHARS or not gate.may_flow(text):
        return found
    from sentinel_hooks.engine.js.parse import parse
    from sentinel_hooks.engine.js.taint import analyse
    source = text.encode("utf-8", "surrogatepass")
    root = parse(source, unit.path)
    if root is None:
        return found
    try:
        flows = analyse(root, unit.path)
    except RecursionError:  # nesting deeper than the interpreter's stack: nothing is reported
        return found
    lines = source.split(b"\n")

    def column(row: int, byte_col: int) -> int:
        line = lines[row] if row < len(lines) else b""
        return len(line[:byte_col].decode("utf-8", "replace")) + 1

    for flow in sorted(flows, key=lambda f: (f.start[0], f.start[1], f.kind)):
        (row, bcol), (erow, ecol) = flow.start, flow.end
        span = (row + 1, column(row, bcol), erow + 1, column(erow, ecol))
        first = lines[row].decode("utf-8", "replace") if row < len(lines) else ""
        content = first[span[1] - 1:] if erow > row else first[span[1] - 1:span[3] - 1]
        found.append((flow, span, content.strip()[:200]))
    return found


def flow_lines(unit: TextUnit, kind: str) -> set[int]:
    """Lines covered by a flow of ``kind`` (for regex-style rules that leave those to this detector)."""
    return {line for flow, span, _ in file_flows(unit) if flow.kind == kind
            for line in range(span[0], span[2] + 1)}


@detector("js_taint")
def js_taint(unit: TextUnit, rule: Rule) -> Iterable[Hit]:
    kind = rule.options["sink"]
    for flow, (line, col, end_line, end_col), content in file_flows(unit):
        if flow.kind != kind:
            continue
        yield Hit(line, col, end_line, end_col, content, message=flow.message)
