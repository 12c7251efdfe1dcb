"""A regex that counts only when the whole file lacks a mitigating pattern.

Options of a rule using ``detector: regex_unless_present``:
  pattern   the regex that finds the risky construct (searched in the whole file, or with the
            rule's ``keyword_reach`` only on the lines near its keywords)
  unless    a regex; when it occurs anywhere in the file, nothing is reported (checked only
            once ``pattern`` has found something)
  requires  a regex that must occur somewhere in the file for anything to be reported (e.g. that
            the file is an MCP server)
  group     the group whose span is reported (default: the whole match)
  ignorecase, multiline, dotall, verbose   booleans for ``pattern``
  code_only  when true, a match that starts on a comment-only line is not reported
"""
from __future__ import annotations

import functools
import re
from typing import TYPE_CHECKING, Iterable, Optional, Union

from sentinel_hooks import text_lines
from sentinel_hooks.engine.detectors import detector
from sentinel_hooks.engine.hits import Hit
from sentinel_hooks.engine.patterns import FLAG_NAMES, flag_value, lazy
from sentinel_hooks.engine.text_gate import keyword_windows
from sentinel_hooks.engine.units import TextUnit

if TYPE_CHECKING:
    from sentinel_hooks.engine.rule import Rule

COMMENT_LINE = lazy(r"\s*(?:#|//|/\*|\*|<!--)")


@functools.lru_cache(maxsize=256)
def _compile(pattern: str, *flag_names: str) -> re.Pattern[str]:
    return re.compile(pattern, flag_value(flag_names))


@detector("regex_unless_present")
def regex_unless_present(unit: TextUnit, rule: Rule) -> Iterable[Hit]:
    opts = rule.options
    pattern = _compile(opts["pattern"], *(name for name in FLAG_NAMES if opts.get(name)))
    text = unit.full_text()
    unless: Optional[str] = opts.get("unless")
    group: Union[int, str] = opts.get("group", 0)
    windows = None
    if getattr(rule, "keyword_reach", None) and rule.keywords:
        windows = keyword_windows(text, unit.full_lowered(), rule.keywords, rule.keyword_reach)
    matches = (m for start, end in (windows if windows is not None else [(0, len(text))])
               for m in pattern.finditer(text, start, end))
    starts: list[int] = []
    for m in matches:
        start, end = m.span(group)
        if start < 0:
            start, end = m.span(0)
        if end == start:
            continue
        if not starts:  # the first candidate: now the file-wide condition is worth checking
            if unless and _compile(unless, "multiline").search(text):
                return
            requires: Optional[str] = opts.get("requires")
            if requires and not _compile(requires, "multiline").search(text):
                return
            starts = text_lines.line_starts(text)
        line, col = text_lines.position(starts, start)
        if opts.get("code_only") and COMMENT_LINE.match(text, starts[line - 1]):
            continue
        end_line, end_col = text_lines.position(starts, end)
        yield Hit(line, col, end_line, end_col, text[start:end])
