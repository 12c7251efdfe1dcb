"""Findings: what a rule reports, how it is identified (fingerprint) and how secrets are masked."""
from __future__ import annotations

import enum
import re
from typing import Any, TypeVar

from sentinel_hooks import digests
from sentinel_hooks.records import field, record


Level = TypeVar("Level", bound="NamedLevel")


class NamedLevel(enum.IntEnum):
    """An ordered level that rule packs, options and reports write by name, in any case."""

    @classmethod
    def parse(cls: type[Level], value: str | Level) -> Level:
        if isinstance(value, cls):
            return value
        try:
            return cls[str(value).strip().upper()]
        except KeyError:
            names = ", ".join(level.name.lower() for level in sorted(cls, reverse=True))
            raise ValueError(f"unknown {cls.__name__.lower()} {value!r} (expected one of: {names})") from None

    def __str__(self) -> str:
        return self.name


class Severity(NamedLevel):
    INFO = 0
    LOW = 1
    MEDIUM = 2
    HIGH = 3
    CRITICAL = 4


class Confidence(NamedLevel):
    LOW = 0
    MEDIUM = 1
    HIGH = 2


@record
class Finding:
    """One reported problem. Line and column numbers are 1-based; end_column is exclusive."""

    rule_id: str
    title: str
    severity: Severity
    confidence: Confidence
    cwe: str
    path: str
    line: int
    column: int
    end_line: int
    end_column: int
    snippet: str
    remediation: str
    description: str = ""
    category: str = ""
    message: str = ""
    secret: str | None = None  # the raw secret, kept in memory only; never written out
    fingerprint: str = ""
    suppressed_by: str | None = None  # "inline" or "ignore-file" when suppressed
    context: str = "code"  # code, test, example, docs or generated (engine/code_context.py)
    extra: dict[str, Any] = field(default_factory=dict)
    content_hash: str = ""  # rule id, path and normalised matched content (set by the engine): the fingerprint's base

    @property
    def suppressed(self) -> bool:
        return self.suppressed_by is not None

    def sort_key(self) -> tuple:
        return (self.path, self.line, self.column, -int(self.severity), self.rule_id)


_WS = re.compile(r"\s+")


def normalise_content(text: str) -> str:
    """Whitespace-insensitive form of matched content, so re-indentation keeps a fingerprint."""
    return _WS.sub(" ", text).strip()


def content_hash(rule_id: str, path: str, content: str) -> str:
    digest = digests.sha256()
    for part in (rule_id, path, normalise_content(content)):
        digest.update(part.encode("utf-8", "surrogatepass"))
        digest.update(b"\0")
    return digest.hexdigest()[:32]


def assign_fingerprints(findings: list[Finding]) -> None:
    """Give every finding ``<hash>:<occurrence>``; the occurrence counts equal hashes in file order.

    The hash (``Finding.content_hash``, set when the finding is made) covers rule id, path and the
    normalised matched content, never the line number, so a finding keeps its fingerprint when
    unrelated lines move.
    """
    seen: dict[str, int] = {}
    for f in sorted(findings, key=Finding.sort_key):
        base = f.content_hash or content_hash(f.rule_id, f.path, f.snippet)
        n = seen.get(base, 0)
        seen[base] = n + 1
        f.fingerprint = f"{base}:{n}"


def to_dict(f: Finding) -> dict[str, Any]:
    """A JSON-safe form (for the result cache); the raw secret is never included."""
    return {
        "rule_id": f.rule_id, "title": f.title, "severity": f.severity.name, "confidence": f.confidence.name,
        "cwe": f.cwe, "path": f.path, "line": f.line, "column": f.column, "end_line": f.end_line,
        "end_column": f.end_column, "snippet": f.snippet, "remediation": f.remediation,
        "description": f.description, "category": f.category, "message": f.message,
        "suppressed_by": f.suppressed_by, "context": f.context, "extra": f.extra, "content_hash": f.content_hash,
    }


def from_dict(d: dict[str, Any]) -> Finding:
    d = dict(d)
    d["severity"] = Severity[d["severity"]]
    d["confidence"] = Confidence[d["confidence"]]
    d["extra"] = dict(d.get("extra") or {})
    return Finding(**d)


def redact_secret(secret: str, keep: int = 4) -> str:
    """Mask a secret, keeping a short prefix: ``ghp_****************``."""
    if not secret:
        return secret
    keep = min(keep, max(len(secret) // 4, 0))
    return secret[:keep] + "*" * min(max(len(secret) - keep, 4), 16)


def redact_text(text: str, secret: str, keep: int = 4) -> str:
    """Replace every occurrence of ``secret`` (and each of its lines) in ``text`` with its masked form."""
    if not secret:
        return text
    masked = redact_secret(secret, keep)
    out = text.replace(secret, masked)
    if "\n" in secret:
        for part in secret.splitlines():
            if len(part) >= 8:
                out = out.replace(part, redact_secret(part, keep))
    return out
