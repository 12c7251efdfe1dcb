"""A one-rule pack for the tests of scanning itself (orchestration, deadlines, file scans): the rule
``marker`` (HIGH) finds ``MARKER-`` followed by six digits, so a test can plant findings where it wants."""
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
MARKER_PACK = "pack: t\nrules:\n" + MARKER_RULE


def marker_engine(pack: str = MARKER_PACK) -> Engine:
    """An engine running the rules of ``pack`` (by default the marker rule alone)."""
    return Engine(parse_pack(pack, "t.yaml").rules)
