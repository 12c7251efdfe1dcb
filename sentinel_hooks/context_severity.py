"""Severity by context: findings outside shipped code are reported lower, never hidden.

``context-severity`` in the configuration maps a context (``test``, ``example``, ``docs``,
``generated``) to the number of severity levels its findings drop; 0 keeps the rule's severity.
By default each drops one level, and ``build`` (a maintainer's script, neither shipped nor reachable
from an MCP client or tool input; its values are the maintainer's own) drops two. A finding never
drops below LOW (so the default threshold still shows it), and a provider token whose checksum or
structure was verified keeps its severity wherever it is: a real key in a test file is still leaked.
Secrets in a build script are not lowered at all: a credential in a release script is as leaked as
one in shipped code. A private key kept as its own file (``*.pem``, ``*.key``, ``*.p8``) below a
``fixtures``/``testdata`` folder of a test is a test fixture (a TLS or signing test's throwaway key
whose public half nothing trusts): it is reported LOW when the test context is lowered at all. The rule's own severity is kept in
``extra["rule_severity"]`` when it was lowered.

The context is decided from the path below the folder a full scan was given (``judge_below``).
"""
from __future__ import annotations

import re
from typing import Iterable, Mapping, Sequence

from sentinel_hooks.engine import code_context
from sentinel_hooks.findings import Finding, Severity

DEFAULT_LOWERING: dict[str, int] = {"test": 1, "example": 1, "docs": 1, "build": 2, "generated": 1}
# categories a context never lowers: scripts that deploy and release hold real credentials
KEPT_IN_CONTEXT: dict[str, frozenset[str]] = {code_context.BUILD: frozenset({"secrets"})}
LOWERABLE = tuple(DEFAULT_LOWERING)
FIXTURE_KEY_RULE = "private-key"
FIXTURE_KEY_FILE = re.compile(r"(?i)(?:^|/)(?:fixtures?|testdata|test-data)/(?:[^/]+/)*[^/]+\.(?:pem|key|p8)$")


def is_fixture_key(f: Finding) -> bool:
    """A private key file kept among a test's fixtures."""
    return f.rule_id == FIXTURE_KEY_RULE and f.context == code_context.TEST and bool(FIXTURE_KEY_FILE.search(f.path))


def lowered(severity: Severity, steps: int) -> Severity:
    if steps <= 0 or severity <= Severity.LOW:
        return severity
    return Severity(max(int(severity) - steps, int(Severity.LOW)))


def judge_below(findings: Iterable[Finding], roots: Sequence[str]) -> None:
    """Decide test, example and docs contexts from the path below the folder scanned.

    ``roots`` are the scanned folders relative to the repository root (``examples/weather/``): the
    folders above them are where the user keeps the subject, not what it is, so scanning
    ``examples/weather`` judges that server as code. Generated files stay generated."""
    for f in findings:
        if f.context in (code_context.CODE, code_context.GENERATED):
            continue
        for root in roots:
            if root and f.path.startswith(root):
                f.context = code_context.classify(f.path[len(root):])
                break


def apply(findings: Iterable[Finding], lowering: Mapping[str, int]) -> None:
    """Lower each finding's severity by the steps its context is given (in place)."""
    for f in findings:
        steps = lowering.get(f.context, 0)
        if not steps or f.extra.get("validated") or f.category in KEPT_IN_CONTEXT.get(f.context, ()):
            continue
        new = Severity.LOW if is_fixture_key(f) else lowered(f.severity, steps)
        if new != f.severity:
            f.extra.setdefault("rule_severity", f.severity.name)
            f.severity = new
