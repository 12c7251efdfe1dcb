"""What counts: inline suppression comments, the ignore file, and the severity threshold."""
from __future__ import annotations

import re

# `# mcp-sentinel: ignore`, `// mcp-sentinel: ignore[rule-a, rule-b]`, also in /* */, <!-- -->, -- and ;
_SUPPRESS = re.compile(r"(?:#|//|/\*|<!--|--|;)\s*mcp-sentinel:\s*ignore(?:\[(?P<ids>[^\]]*)\])?", re.I)


def suppression_ids(line: str) -> set[str] | None:
    """The rule ids a suppression comment on ``line`` names; an empty set means all rules; None, none."""
    if "mcp-sentinel" not in line.lower():
        return None
    m = _SUPPRESS.search(line)
    if m is None:
        return None
    ids = m.group("ids")
    if ids is None:
        return set()
    return {i.strip() for i in ids.split(",") if i.strip()}


def inline_suppression(rule_id: str, line: str, previous_line: str) -> bool:
    """True when the line itself, or a comment-only line just above it, suppresses ``rule_id``."""
    for candidate, own_line in ((line, True), (previous_line, False)):
        ids = suppression_ids(candidate)
        if ids is None:
            continue
        if not own_line and not _comment_only(candidate):
            continue
        if not ids or rule_id in ids:
            return True
    return False


def _comment_only(line: str) -> bool:
    return line.lstrip().startswith(("#", "//", "/*", "<!--", "--", ";", "*"))
