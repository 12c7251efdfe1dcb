"""The JSON report: the complete, versioned machine format.

Document (format version 1):
  version   "1" - bumped on any incompatible change
  tool      {name, version, information_uri}
  scan      {mode, paths, base, target, range, threshold, rules_loaded, started_at, finished_at,
             duration_seconds}
  summary   {critical, high, medium, low, info, total, files_scanned, bytes_scanned, suppressed,
             below_threshold: {severity: count}, hidden_by_policy_changes, skipped: {reason: count},
             errors: [{path, reason}]}
  findings  [{rule_id, title, message, severity, confidence, cwe, category, path, line, column,
             end_line, end_column, snippet, context, fingerprint, remediation, description, suppressed,
             suppressed_by, extra}]; context is code, test, example, docs or generated, and
             extra.rule_severity holds the rule's own severity when the context lowered it
"""
from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any, TextIO

from sentinel_hooks import INFORMATION_URI, TOOL_NAME, __version__
from sentinel_hooks.findings import Finding

FORMAT_VERSION = "1"


def iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, tz=timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")


def finding_dict(f: Finding) -> dict[str, Any]:
    return {
        "rule_id": f.rule_id, "title": f.title, "message": f.message, "severity": f.severity.name,
        "confidence": f.confidence.name, "cwe": f.cwe, "category": f.category, "path": f.path,
        "line": f.line, "column": f.column, "end_line": f.end_line, "end_column": f.end_column,
        "snippet": f.snippet, "context": f.context, "fingerprint": f.fingerprint, "remediation": f.remediation,
        "description": f.description, "suppressed": f.suppressed, "suppressed_by": f.suppressed_by,
        "extra": {k: v for k, v in f.extra.items() if not k.startswith("_")},
    }


def scan_dict(result: Any) -> dict[str, Any]:
    meta = result.scope.as_dict()
    meta.update(result.figures.as_dict())
    if result.policy is not None:
        meta["policy"] = result.policy.as_dict()
    if result.incomplete is not None:
        meta["incomplete"] = result.incomplete
    if result.sarif_category:
        meta["sarif_category"] = result.sarif_category
    meta.update({
        "threshold": result.threshold.name, "rules_loaded": len(result.rules),
        "started_at": iso(result.started), "finished_at": iso(result.finished or result.started),
        "duration_seconds": round(max((result.finished or result.started) - result.started, 0.0), 3),
    })
    return meta


def summary_dict(result: Any) -> dict[str, Any]:
    counts = result.counts()
    return {
        **counts, "total": sum(counts.values()), "files_scanned": result.files_scanned,
        "bytes_scanned": result.bytes_scanned, "suppressed": result.suppressed_count,
        "below_threshold": result.below_threshold(),
        "hidden_by_policy_changes": getattr(result, "hidden_by_range", 0),
        "skipped": result.skipped.as_dict(),
        "errors": [{"path": p, "reason": r} for p, r in result.errors],
    }


def document(result: Any) -> dict[str, Any]:
    return {
        "version": FORMAT_VERSION,
        "tool": {"name": TOOL_NAME, "version": __version__, "information_uri": INFORMATION_URI},
        "scan": scan_dict(result),
        "summary": summary_dict(result),
        "findings": [finding_dict(f) for f in result.reported],
    }


def write(result: Any, stream: TextIO) -> None:
    json.dump(document(result), stream, indent=2, ensure_ascii=False)
    stream.write("\n")
