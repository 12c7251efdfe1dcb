"""GitLab SAST report (security report schema 15.x, ``artifacts:reports:sast``).

GitLab has no field for a suppressed finding, so findings suppressed inline or by the ignore file
are left out; everything else that is reported appears once. A vulnerability's ``id`` is a UUID
derived from its fingerprint, so it is the same in every scan that finds the same thing.
"""
from __future__ import annotations

import json
import uuid
from datetime import datetime, timezone
from typing import Any, TextIO

from sentinel_hooks import INFORMATION_URI, TOOL_NAME, __version__
from sentinel_hooks.findings import Finding, Severity
from sentinel_hooks.report.cwe import cwe_number, cwe_url

SCHEMA_VERSION = "15.0.7"
SCHEMA_URI = ("https://gitlab.com/gitlab-org/security-products/security-report-schemas/-/raw/"
              f"v{SCHEMA_VERSION}/dist/sast-report-format.json")
RULE_IDENTIFIER_TYPE = "mcp_sentinel_rule_id"
_ID_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, INFORMATION_URI)
SEVERITIES = {
    Severity.CRITICAL: "Critical", Severity.HIGH: "High", Severity.MEDIUM: "Medium",
    Severity.LOW: "Low", Severity.INFO: "Info",
}


def gitlab_time(ts: float) -> str:
    """``YYYY-MM-DDTHH:MM:SS`` in UTC, the form the schema's pattern accepts."""
    return datetime.fromtimestamp(ts, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")


def vulnerability_id(f: Finding) -> str:
    return str(uuid.uuid5(_ID_NAMESPACE, f"{f.rule_id}\0{f.fingerprint}"))


def identifiers(f: Finding) -> list[dict[str, str]]:
    out = [{"type": RULE_IDENTIFIER_TYPE, "name": f"mcp-sentinel rule {f.rule_id}", "value": f.rule_id}]
    number = cwe_number(f.cwe)
    if number:
        out.append({"type": "cwe", "name": f"CWE-{number}", "value": number, "url": cwe_url(f.cwe)})
    return out


def vulnerability(f: Finding) -> dict[str, Any]:
    description = " ".join((f.description or f.title).split())
    if f.message and f.message != f.title:
        description = f"{' '.join(f.message.split())}\n\n{description}"
    if f.extra.get("commit"):
        description += f"\n\nAdded in commit {f.extra['commit']}."
    entry: dict[str, Any] = {
        "id": vulnerability_id(f),
        "name": f.title[:255],
        "description": description,
        "severity": SEVERITIES[f.severity],
        "location": {"file": f.path, "start_line": f.line, "end_line": max(f.end_line, f.line)},
        "identifiers": identifiers(f),
        "details": {"context": {"name": "Context", "type": "text", "value": f.context}},
    }
    if f.remediation.strip():
        entry["solution"] = " ".join(f.remediation.split())
    return entry


def tool_block() -> dict[str, Any]:
    return {"id": TOOL_NAME, "name": "MCP Sentinel", "url": INFORMATION_URI, "version": __version__,
            "vendor": {"name": "MCP Sentinel"}}


def document(result: Any) -> dict[str, Any]:
    shown = [f for f in result.reported if not f.suppressed]
    scan: dict[str, Any] = {
        "analyzer": tool_block(),
        "scanner": tool_block(),
        "type": "sast",
        "status": "failure" if result.errors or result.incomplete else "success",
        "start_time": gitlab_time(result.started),
        "end_time": gitlab_time(result.finished or result.started),
    }
    skipped = result.skipped.as_dict()
    if skipped:  # files not scanned, or not analysed by a structure-aware check, with the reason
        scan["messages"] = [{"level": "info", "value": f"skipped: {n} {reason}"} for reason, n in skipped.items()]
    return {
        "$schema": SCHEMA_URI,
        "version": SCHEMA_VERSION,
        "scan": scan,
        "vulnerabilities": [vulnerability(f) for f in shown],
    }


def write(result: Any, stream: TextIO) -> None:
    json.dump(document(result), stream, indent=2, ensure_ascii=False)
    stream.write("\n")
