"""Inline suppression comments (``# mcp-sentinel: ignore[rule]``): the rule ids a comment names.

The ignore file is ``ignore_file``, the severity threshold ``scan_result``. A suppression is honoured
only inside a real comment of the file's language (``engine.comments`` finds them);
``suppressed_in_comments`` reads the markers in those comments.
"""
from __future__ import annotations

import re

# `# mcp-sentinel: ignore`, `// mcp-sentinel: ignore[rule-a, rule-b]`, also in /* */, <!-- -->, -- and ;
_SUPPRESS = re.compile(r"(?:#|//|/\*|<!--|--|;)\s*mcp-sentinel:\s*ignore(?:\[(?P<ids>[^\]]*)\])?", re.I)


def suppression_ids(line: str) -> set[str] | None:
    """The rule ids a suppression comment on ``line`` names; an empty set means all rules; None, none.

    ``ignore[]`` (brackets naming no rule) suppresses nothing: the built-in rule
    ``malformed-suppression`` reports it.
    """
    if "mcp-sentinel" not in line.lower():
        return None
    m = _SUPPRESS.search(line)
    if m is None:
        return None
    ids = m.group("ids")
    if ids is None:
        return set()
    named = {i.strip() for i in ids.split(",") if i.strip()}
    return named or None


def suppressed_in_comments(rule_id: str, here: list[tuple[int, str]], above: list[tuple[int, str]],
                           above_line: str) -> bool:
    """True when a real comment on the finding's line, or a comment-only line just above it, names
    ``rule_id`` (or all rules). ``here``/``above`` are (column, text) of the comments on those lines."""
    for _, comment in here:
        ids = suppression_ids(comment)
        if ids is not None and (not ids or rule_id in ids):
            return True
    if above and above_line[:above[0][0]].strip() == "":  # the line above holds nothing but comments
        for _, comment in above:
            ids = suppression_ids(comment)
            if ids is not None and (not ids or rule_id in ids):
                return True
    return False
