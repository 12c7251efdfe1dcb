"""SARIF 2.1.0 report, shaped for GitHub code scanning.

One run; ``tool.driver.rules`` holds one entry per rule that has a result. Every result carries
two partial fingerprints that do not depend on line numbers:

  mcpSentinel/v1            the finding's own fingerprint (``<hash>:<occurrence>``), the one the
                            ignore file uses
  primaryLocationLineHash   a hash of the reported line's content with all whitespace removed,
                            plus ``:<n>`` counting equal hashes of the same rule in the same file

Suppressed findings are kept, with a SARIF ``suppressions`` entry (``inSource`` for comments in the
code, ``external`` for the ignore file). Paths are relative to ``%SRCROOT%`` (the repository root);
no absolute path of the scanning machine is written.
"""
from __future__ import annotations

import json
import re
from typing import Any, Optional, TextIO
from urllib.parse import quote

from sentinel_hooks import INFORMATION_URI, TOOL_NAME, __version__, digests
from sentinel_hooks.findings import Confidence, Finding, Severity
from sentinel_hooks.report.cwe import cwe_number, cwe_url
from sentinel_hooks.report.json import iso

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
SRCROOT = "%SRCROOT%"
FINGERPRINT_KEY = "mcpSentinel/v1"
LINE_HASH_KEY = "primaryLocationLineHash"
DEFAULT_CATEGORY = "mcp-sentinel/"

# One SARIF level per severity, so consumers that count levels (PR-comment scripts, dashboards) can tell
# critical from high and high from medium; GitHub ranks security alerts by security-severity below.
LEVELS = {
    Severity.CRITICAL: "error", Severity.HIGH: "warning", Severity.MEDIUM: "note",
    Severity.LOW: "none", Severity.INFO: "none",
}
# GitHub's problem.severity knows error, warning and recommendation only.
PROBLEM_SEVERITY = {
    Severity.CRITICAL: "error", Severity.HIGH: "warning", Severity.MEDIUM: "recommendation",
    Severity.LOW: "recommendation", Severity.INFO: "recommendation",
}
# GitHub reads security-severity as a CVSS-like score: 9.0+ critical, 7.0-8.9 high, 4.0-6.9 medium,
# 0.1-3.9 low. Info findings carry none, so GitHub shows them by level only.
SECURITY_SEVERITY = {
    Severity.CRITICAL: "9.5", Severity.HIGH: "8.0", Severity.MEDIUM: "5.5", Severity.LOW: "2.0",
}
PRECISION = {Confidence.HIGH: "high", Confidence.MEDIUM: "medium", Confidence.LOW: "low"}
SUPPRESSION_KINDS = {"inline": "inSource", "ignore-file": "external"}

_WHITESPACE = re.compile(r"\s+")


def category(sarif_category: Optional[str]) -> str:
    """``automationDetails.id``: the category always ends with ``/`` (GitHub reads what precedes it)."""
    value = str(sarif_category or DEFAULT_CATEGORY).strip() or DEFAULT_CATEGORY
    return value if value.endswith("/") else value + "/"


def artifact_uri(path: str) -> str:
    """A relative, percent-encoded URI; an absolute path keeps only its file name."""
    posix = path.replace("\\", "/")
    if posix.startswith("/") or re.match(r"^[A-Za-z]:/", posix):
        posix = posix.rsplit("/", 1)[-1]
    return quote(posix, safe="/")


def line_hashes(findings: list[Finding]) -> list[str]:
    """``primaryLocationLineHash`` per finding, in the order given (file order expected)."""
    seen: dict[tuple[str, str, str], int] = {}
    out = []
    for f in findings:
        normalised = _WHITESPACE.sub("", f.snippet)
        digest = digests.sha256(normalised.encode("utf-8", "surrogatepass")).hexdigest()[:16]
        key = (f.path, f.rule_id, digest)
        n = seen.get(key, 0)
        seen[key] = n + 1
        out.append(f"{digest}:{n}")
    return out


def pascal_name(rule_id: str) -> str:
    return "".join(part[:1].upper() + part[1:] for part in re.split(r"[^A-Za-z0-9]+", rule_id) if part)


def sentence(text: str) -> str:
    text = " ".join(text.split())
    return text if not text or text.endswith((".", "!", "?")) else text + "."


class RuleView:
    """What the report says about a rule, from the loaded rule or, failing that, a finding."""

    def __init__(self, finding: Finding, rule: Any = None):
        self.id = finding.rule_id
        self.title = getattr(rule, "title", None) or finding.title
        self.severity: Severity = getattr(rule, "severity", None) or finding.severity
        self.confidence: Confidence = getattr(rule, "confidence", None) or finding.confidence
        self.cwe = getattr(rule, "cwe", None) or finding.cwe
        self.category = getattr(rule, "category", None) or finding.category
        self.description = getattr(rule, "description", None) or finding.description or self.title
        self.remediation = getattr(rule, "remediation", None) or finding.remediation
        self.validated = bool(getattr(rule, "validator", None))
        self.tags = list(getattr(rule, "tags", None) or [])


def precision(rule: RuleView) -> str:
    if rule.confidence == Confidence.HIGH and rule.validated:
        return "very-high"
    return PRECISION[rule.confidence]


def rule_descriptor(rule: RuleView) -> dict[str, Any]:
    description = sentence(rule.description)
    remediation = " ".join(rule.remediation.split())
    tags = ["security"]
    number = cwe_number(rule.cwe)
    if number:
        tags.append(f"external/cwe/cwe-{number}")
    tags += [t for t in [rule.category, *rule.tags] if t and t not in tags]
    markdown = [f"**{rule.title}** ({rule.cwe}, severity {rule.severity.name.lower()})", "", description,
                "", "### Remediation", "", remediation]
    if number:
        markdown += ["", f"[{rule.cwe}]({cwe_url(rule.cwe)})"]
    properties: dict[str, Any] = {"tags": tags, "precision": precision(rule),
                                  "problem.severity": PROBLEM_SEVERITY[rule.severity]}
    if rule.severity in SECURITY_SEVERITY:
        properties["security-severity"] = SECURITY_SEVERITY[rule.severity]
    descriptor: dict[str, Any] = {
        "id": rule.id,
        "name": pascal_name(rule.id),
        "shortDescription": {"text": sentence(rule.title)},
        "fullDescription": {"text": description},
        "help": {"text": f"{description}\n\nRemediation: {remediation}", "markdown": "\n".join(markdown)},
        "defaultConfiguration": {"level": LEVELS[rule.severity]},
        "properties": properties,
    }
    if number:
        descriptor["helpUri"] = cwe_url(rule.cwe)
    return descriptor


def region(f: Finding) -> dict[str, Any]:
    out: dict[str, Any] = {"startLine": f.line, "startColumn": f.column,
                           "endLine": max(f.end_line, f.line), "endColumn": f.end_column}
    if f.end_line <= f.line and f.end_column < f.column:
        out["endColumn"] = f.column
    if f.snippet:
        out["snippet"] = {"text": f.snippet}
    return out


def suppression(f: Finding) -> Optional[dict[str, Any]]:
    if f.suppressed_by is None:
        return None
    entry: dict[str, Any] = {"kind": SUPPRESSION_KINDS.get(f.suppressed_by, "external"), "status": "accepted"}
    reason = f.extra.get("ignore_reason") if f.suppressed_by == "ignore-file" else None
    entry["justification"] = reason or (
        "mcp-sentinel: ignore comment in the source" if f.suppressed_by == "inline"
        else "listed in .mcp-sentinel-ignore")
    return entry


def result_entry(f: Finding, rule_index: int, line_hash: str) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "ruleId": f.rule_id,
        "ruleIndex": rule_index,
        "level": LEVELS[f.severity],
        "message": {"text": sentence(f.message or f.title)},
        "locations": [{"physicalLocation": {
            "artifactLocation": {"uri": artifact_uri(f.path), "uriBaseId": SRCROOT},
            "region": region(f),
        }}],
        "partialFingerprints": {FINGERPRINT_KEY: f.fingerprint, LINE_HASH_KEY: line_hash},
        "properties": {"severity": f.severity.name.lower(), "confidence": f.confidence.name.lower(),
                       "cwe": f.cwe, "category": f.category, "context": f.context},
    }
    if f.extra.get("commit"):
        entry["properties"]["commit"] = f.extra["commit"]  # the commit of the range that added it
    sup = suppression(f)
    if sup is not None:
        entry["suppressions"] = [sup]
    return entry


def invocation(result: Any) -> dict[str, Any]:
    incomplete = result.incomplete
    inv: dict[str, Any] = {
        "executionSuccessful": not result.errors and not incomplete,
        "startTimeUtc": iso(result.started),
        "endTimeUtc": iso(result.finished or result.started),
    }
    if result.errors:
        inv["toolExecutionNotifications"] = [
            {"level": "error", "message": {"text": sentence(f"{artifact_uri(path)}: {reason}")},
             "locations": [{"physicalLocation": {"artifactLocation": {"uri": artifact_uri(path),
                                                                      "uriBaseId": SRCROOT}}}]}
            for path, reason in result.errors]
    if incomplete:
        inv.setdefault("toolExecutionNotifications", []).append(
            {"level": "error", "message": {"text": sentence(str(incomplete))}})
    return inv


def run_properties(result: Any) -> dict[str, Any]:
    scope = result.scope
    props: dict[str, Any] = {"mode": scope.mode}
    for key, value in (("base", scope.base), ("target", scope.target), ("range", scope.range)):
        if value:
            props[key] = str(value)
    counts = result.counts()
    props.update({"threshold": result.threshold.name.lower(), "counts": counts,
                  "total": sum(counts.values()), "suppressed": result.suppressed_count,
                  "belowThreshold": result.below_threshold(),
                  "hiddenByPolicyChanges": getattr(result, "hidden_by_range", 0),
                  "filesScanned": result.files_scanned, "skipped": result.skipped.as_dict()})
    return props


def document(result: Any) -> dict[str, Any]:
    findings: list[Finding] = list(result.reported)
    rules_by_id = {r.id: r for r in result.rules}
    index: dict[str, int] = {}
    descriptors = []
    for f in findings:
        if f.rule_id not in index:
            index[f.rule_id] = len(descriptors)
            descriptors.append(rule_descriptor(RuleView(f, rules_by_id.get(f.rule_id))))
    hashes = line_hashes(findings)
    run = {
        "tool": {"driver": {
            "name": TOOL_NAME, "version": __version__, "semanticVersion": __version__,
            "informationUri": INFORMATION_URI, "rules": descriptors,
        }},
        "automationDetails": {"id": category(result.sarif_category)},
        "originalUriBaseIds": {SRCROOT: {"description": {"text": "The root of the scanned repository."}}},
        "invocations": [invocation(result)],
        "columnKind": "unicodeCodePoints",
        "results": [result_entry(f, index[f.rule_id], h) for f, h in zip(findings, hashes)],
        "properties": run_properties(result),
    }
    return {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}


def write(result: Any, stream: TextIO) -> None:
    json.dump(document(result), stream, indent=2, ensure_ascii=False)
    stream.write("\n")
