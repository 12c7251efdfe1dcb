"""Small rule packs for the tests of scanning itself (orchestration, deadlines, file scans, time limits).

``MARKER_RULE`` (HIGH) finds ``MARKER-`` followed by six digits, so a test plants findings where it
wants; ``BACKTRACKING_RULE`` (LOW) tries ``2**n`` ways on ``"a" * n + "!"`` before it fails, so a test
can make a scan run past its time limit.
"""
from __future__ import annotations

from sentinel_hooks.engine.matcher import Engine
from sentinel_hooks.engine.rules import parse_pack

MARKER_RULE = """\
  - id: marker
    title: Marker
    severity: high
    confidence: high
    cwe: CWE-200
    description: d
    remediation: r
    keywords: [marker]
    regex: 'MARKER-[0-9]{6}'
"""
BACKTRACKING_RULE = """\
  - id: backtracking
    title: Backtracking
    severity: low
    confidence: low
    cwe: CWE-1333
    description: d
    remediation: r
    keywords: [aaaa]
    regex: '(a+)+$'
"""


def pack(*rules: str, name: str = "t") -> str:
    """A rule pack file's text holding ``rules``."""
    return f"pack: {name}\nrules:\n" + "".join(rules)


MARKER_PACK = pack(MARKER_RULE)


def marker_engine(pack_text: str = MARKER_PACK) -> Engine:
    """An engine running the rules of ``pack_text`` (by default the marker rule alone)."""
    return Engine(parse_pack(pack_text, "t.yaml").rules)
