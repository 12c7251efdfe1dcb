"""Running one Python detector on a snippet, for the tests of the detectors of engine/detectors/python_*."""
from __future__ import annotations

import textwrap

from sentinel_hooks.engine import detectors
from sentinel_hooks.engine.hits import Hit
from sentinel_hooks.engine.rule import Rule
from sentinel_hooks.engine.units import TextUnit
from sentinel_hooks.findings import Confidence, Severity

TOOL_HEADER = """
from mcp.server.fastmcp import FastMCP
mcp = FastMCP("demo")
"""


def make_rule(check: str, **options) -> Rule:
    return Rule(id=f"t-{check}", title=check, severity=Severity.HIGH, confidence=Confidence.MEDIUM, cwe="CWE-1",
                description="d", remediation="r", languages=("python",), detector=check, options=options)


def hits(check: str, source: str, path: str = "server.py", **options) -> list[Hit]:
    unit = TextUnit(path=path, text=textwrap.dedent(source))
    return list(detectors.REGISTRY[check](unit, make_rule(check, **options)))


def lines(check: str, source: str, **options) -> list[int]:
    return [h.line for h in hits(check, source, **options)]
