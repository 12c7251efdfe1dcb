"""JS/TS sinks (shell commands, dynamic code, HTML) judged on the value they receive.

Options of a rule using ``detector: js_built_value``:
  pattern     the regex of the risky construct (the rule's ``flags`` apply)
  group       the group whose span is reported (default: the whole match)
  value_after a regex, searched from the start of the match, whose end is where the judged value begins
              (e.g. ``exec\\s*\\(\\s*`` or ``innerHTML\\s*\\+?=\\s*``); without it no value is judged,
              only matches inside string literals and comments are left out
  judge       ``first`` (the first argument or the assigned value, the default) or ``all`` (every
              argument up to the closing parenthesis)
  lower_when_present  a regex; when the file matches it (it calls an escaper, say), hits are LOW
  safe_calls  names of calls whose result is safe for this sink whatever their arguments (an HTML sink's
              escapers and sanitisers): ``${escapeHtml(name)}`` in a template, or a function of the file that
              returns only such values, is then fixed
  imported_helpers  ``low``: a value that is fixed once calls with fixed arguments of functions imported from
              the program's own modules (a relative import) count as fixed is reported LOW: this file gives
              them only constants, and what they build is judged in their own module
  developer_input     true: a match whose input object (``args``, ``input``, ``params``) is the parameter of a
              function typed to accept values no tool call or request can carry (a ``Buffer``, a stream;
              ``js_parameter_types.developer_parameter``) is not reported: that function is a library helper its
              developer calls, and the finding belongs where a caller hands it tool input
  unless_flow  a sink kind of the ``js_taint`` detector; a hit on a line where that detector finds a
              flow of this kind from input is left to it (one finding per problem)

A match is not reported when it lies inside a string literal or a comment (code kept as text, a
bundle held in a string), or when the judged value is fixed by the program (``js_constants.is_fixed``:
literals, constants, conditionals and concatenations of them, literal lists, values of the machine).
The rule's ``allow`` patterns (on the match) and ``allow_line`` patterns (on its line) apply as for
regex rules.
"""
from __future__ import annotations

import functools
import re
from typing import TYPE_CHECKING, Iterable

from sentinel_hooks import text_lines
from sentinel_hooks.engine import js_constants, js_parameter_types
from sentinel_hooks.engine.detectors import detector
from sentinel_hooks.engine.hits import Hit
from sentinel_hooks.engine.patterns import flag_value
from sentinel_hooks.findings import Severity

if TYPE_CHECKING:
    from sentinel_hooks.engine.rule import Rule
    from sentinel_hooks.engine.units import TextUnit


_INPUT_ROOT = re.compile(r"(?<![\w$.])(args|input|params|arguments)\s*(?:\.|\?\.|\[)")


@functools.lru_cache(maxsize=64)
def _compile(pattern: str, flags: tuple[str, ...] = ()) -> re.Pattern[str]:
    return re.compile(pattern, flag_value(flags))


def judged_value(text: str, start: int, judge: str) -> str:
    if judge == "all":
        return "[" + js_constants.expression_at(text, start, ")") + "]"
    return js_constants.expression_at(text, start)


@detector("js_built_value")
def js_built_value(unit: TextUnit, rule: Rule) -> Iterable[Hit]:
    opts = rule.options
    pattern = _compile(opts["pattern"], tuple(getattr(rule, "flags", ()) or ()))
    value_after = _compile(opts["value_after"]) if opts.get("value_after") else None
    group = opts.get("group", 0)
    judge = opts.get("judge", "first")
    text = unit.full_text() if unit.is_window and not unit.partial else unit.text
    # the file's string spans and names, shared by the rules and windows of a file (a chunk of a file
    # too large to read whole has its own)
    memo = {} if unit.partial else unit.memo.setdefault("js_sinks", {})
    spans = memo.get("spans")
    safe_calls = frozenset(opts.get("safe_calls") or ())
    scope_key = ("scope", safe_calls) if safe_calls else "scope"
    scope = memo.get(scope_key)
    starts: list[int] = []
    for m in pattern.finditer(text):
        start, end = m.span(group)
        if start < 0:
            start, end = m.span(0)
        if end == start:
            continue
        if any(a.search(m.group(0)) for a in rule.compiled_allow):
            continue
        if spans is None:
            spans = memo["spans"] = js_constants.string_spans(text)
        if js_constants.inside(spans, m.start()):
            continue
        if opts.get("developer_input"):
            root = _INPUT_ROOT.search(m.group(0))
            if root is not None and js_parameter_types.developer_parameter(text, m.start(), root.group(1), spans):
                continue
        found = value_after.search(text, m.start()) if value_after is not None else None
        from_helpers = False
        if found is not None and found.start() <= m.end():
            if scope is None:
                scope = _scope(memo, scope_key, text, spans, safe_calls, False)
            value = judged_value(text, found.end(), judge)
            if js_constants.is_fixed(value, scope):
                continue
            if opts.get("imported_helpers") == "low":
                helpers = _scope(memo, ("scope", safe_calls, "imported"), text, spans, safe_calls, True)
                from_helpers = js_constants.is_fixed(value, helpers)
        if text is unit.text:
            line, col = unit.position(start)
            end_line, end_col = unit.position(end)
        else:
            if not starts:
                starts = text_lines.line_starts(text)
            line, col = text_lines.position(starts, start)
            end_line, end_col = text_lines.position(starts, end)
        if rule.compiled_allow_line:
            line_text = text[starts[line - 1]:] if starts else unit.line_text(line)
            line_text = line_text.split("\n", 1)[0]
            if any(a.search(line_text) for a in rule.compiled_allow_line):
                continue
        if opts.get("unless_flow") and line in _flow_lines(unit, opts["unless_flow"]):
            continue
        marker = opts.get("lower_when_present")
        lower = bool(marker) and memo.setdefault(("lower", marker), bool(_compile(marker).search(text)))
        yield Hit(line, col, end_line, end_col, m.group(0),  # the whole match, as regex rules fingerprint
                  severity=Severity.LOW if lower or from_helpers else None)


def _scope(memo: dict, key: object, text: str, spans: list[tuple[int, int]], safe_calls: frozenset[str],
           imported_calls: bool) -> js_constants.Scope:
    scope = memo.get(key)
    if scope is None:
        scope = memo[key] = js_constants.Scope(text, spans, safe_calls=safe_calls, imported_calls=imported_calls)
    return scope


def _flow_lines(unit: TextUnit, kind: str) -> set[int]:
    if unit.partial:
        return set()
    from sentinel_hooks.engine.detectors.js_taint import flow_lines
    key = ("js_taint lines", kind)
    lines = unit.memo.get(key)
    if lines is None:
        lines = unit.memo[key] = flow_lines(unit, kind)
    return lines

