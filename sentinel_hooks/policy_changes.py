"""Changes a compared range makes to the gate's own policy, each reported as a finding.

A pull request can weaken the scan that judges it: turn the built-in rules off, disable a rule,
exclude a path (configuration or ``.mcp-sentinelignore``), accept a finding (``.mcp-sentinel-ignore``),
change a rule pack or add a ``mcp-sentinel: ignore`` comment. Each such change becomes one
``policy-change`` finding on the changed line, saying what it turns off and which findings it hides
in this scan. What it hides comes from comparing the scan under the base's policy with the scan under
the range's policy (``hidden``) and giving each hidden finding to the change that explains it.
"""
from __future__ import annotations

import functools
import re
from collections import Counter
from typing import Any, Callable, Optional

from sentinel_hooks.findings import Confidence, Finding, Severity
from sentinel_hooks.records import field, record

RULE_ID = "policy-change"
INLINE_LINE = "_inline_suppression_line"    # the line holding the comment that suppressed a finding
INLINE_ADDED = "_inline_suppression_added"  # that line is one the compared range added


DESCRIPTION = ("The compared range changes what the scan checks: configuration, .mcp-sentinelignore, "
               ".mcp-sentinel-ignore, a rule pack or an inline suppression. The change takes effect (or, with "
               "--policy-from base, does not); the finding says what it turns off and which findings it hides "
               "in this scan.")
REMEDIATION = ("Review the policy change with the code it ships with; if it is not meant, revert it. Run with "
               "--policy-from base to judge a change under the base's policy.")


@functools.lru_cache(maxsize=1)
def rule():
    """The rule every policy-change finding reports under (listed by `rules`, never disabled). Its
    findings are made here, never by the engine, which does not run it."""
    from sentinel_hooks.engine.rule import Rule

    return Rule(id=RULE_ID, title="Change to the scanner's own policy", severity=Severity.LOW,
                confidence=Confidence.HIGH, cwe="CWE-693", description=DESCRIPTION, remediation=REMEDIATION,
                category="policy", detector=RULE_ID, tags=("policy",))


@record
class Change:
    """One policy change: where it is, what it turns off, and the findings given to it."""

    path: str
    line: int
    what: str
    kind: str  # rules | all-rules | pack | exclude | threshold | inline | ignore-entry | setting
    rule_ids: frozenset[str] = frozenset()
    matches_path: Optional[Callable[[str], bool]] = None
    fingerprints: frozenset[str] = frozenset()
    hidden: list[Finding] = field(default_factory=list)


def shown(text: str) -> str:
    """Text from the scanned repository as a message may hold it: control characters escaped."""
    from sentinel_hooks.printable import printable

    return printable(text)


def finding_key(f: Finding) -> tuple:
    return (f.rule_id, f.path, f.line, f.column, f.end_line, f.end_column, f.extra.get("commit"))


# -- locating a change in its file -----------------------------------------------------------
def locate(text: Optional[str], key: str, value: Optional[str] = None, section: Optional[str] = None) -> int:
    """The line of ``key`` (kebab or snake case) in a config text, then of ``value`` after it; 1 when
    neither is found. ``section`` (a TOML table header) limits the search to that table."""
    if not text:
        return 1
    lines = text.splitlines()
    start = 0
    if section is not None:
        start = next((i for i, line in enumerate(lines) if line.strip() == section), 0)
    names = {key, key.replace("-", "_")}
    key_line = next((i for i in range(start, len(lines)) if any(n in lines[i] for n in names)), None)
    if key_line is None:
        return 1
    if value is not None:
        token = re.compile(rf"(?<![\w.-]){re.escape(value)}(?![\w.-])")
        found = next((i for i in range(key_line, len(lines)) if token.search(lines[i])), None)
        if found is not None:
            return found + 1
    return key_line + 1


# -- enumerating changes ---------------------------------------------------------------------
def config_changes(base: Any, head: Any, path: str, text: Optional[str]) -> list[Change]:
    """The weakening differences between two Settings, located in the head's config text."""
    section = "[tool.mcp-sentinel]" if path.endswith(".toml") else None
    at = functools.partial(locate, text, section=section)
    out: list[Change] = []
    if base.builtin_rules and not head.builtin_rules:
        out.append(Change(path, at("builtin-rules"), "turns the built-in rules off", "all-rules"))
    for rule_id in head.disabled_rules:
        if rule_id not in base.disabled_rules:
            out.append(Change(path, at("disabled-rules", rule_id), f"disables rule {rule_id}", "rules",
                              rule_ids=frozenset({rule_id})))
    added_packs = [p for p in head.rules if p not in base.rules]
    dropped_packs = [p for p in base.rules if p not in head.rules]
    if added_packs or dropped_packs:
        parts = [f"adds {', '.join(added_packs)}" if added_packs else "", f"drops {', '.join(dropped_packs)}"
                 if dropped_packs else ""]
        out.append(Change(path, at("rules", (added_packs or [None])[0]),
                          "changes the rule packs (" + shown("; ".join(p for p in parts if p)) + ")", "pack"))
    for pattern in head.exclude_patterns:
        if pattern not in base.exclude_patterns:
            out.append(Change(path, at("exclude-patterns", pattern), f"excludes files matching {pattern!r}",
                              "exclude", matches_path=_matcher([], [pattern])))
    for folder in head.exclude_dirs:
        if folder not in base.exclude_dirs:
            out.append(Change(path, at("exclude-dirs", folder), f"excludes folder {folder!r}", "exclude",
                              matches_path=_matcher([folder], [])))
    if Severity.parse(head.severity_threshold) > Severity.parse(base.severity_threshold):
        out.append(Change(path, at("severity-threshold"), f"raises the severity threshold from "
                          f"{base.severity_threshold.upper()} to {head.severity_threshold.upper()}", "threshold"))
    if head.inline_suppressions and not base.inline_suppressions:
        out.append(Change(path, at("inline-suppressions"), "turns inline suppressions on", "setting"))
    if base.redact and not head.redact:
        out.append(Change(path, at("redact"), "turns secret redaction off", "setting"))
    for severity, code in head.exit_codes.items():
        if base.exit_codes.get(severity) != code:
            out.append(Change(path, at("exit-codes", severity), f"sets the exit code for {severity.upper()} "
                              f"findings from {base.exit_codes.get(severity)} to {code}", "setting"))
    if head.max_file_size is not None and (base.max_file_size is None or head.max_file_size < base.max_file_size):
        out.append(Change(path, at("max-file-size"), f"skips files larger than {head.max_file_size} bytes",
                          "setting"))
    if head.context_lines < base.context_lines:
        out.append(Change(path, at("context-lines"), f"narrows the diff context from {base.context_lines} to "
                          f"{head.context_lines} lines", "setting"))
    return out


def _matcher(dirs: list[str], patterns: list[str]) -> Callable[[str], bool]:
    from sentinel_hooks.sources.files import Excludes

    excludes = Excludes(dirs, patterns)
    return lambda path: excludes.match_under(path, {})


def exclude_file_changes(base_lines: list[str], head_lines: list[str], path: str) -> list[Change]:
    """Lines the range added to ``.mcp-sentinelignore``."""
    remaining = Counter(line.strip() for line in base_lines)
    out = []
    for n, line in enumerate(head_lines, start=1):
        pattern = line.strip()
        if not pattern or pattern.startswith("#"):
            continue
        if remaining[pattern]:
            remaining[pattern] -= 1
            continue
        out.append(Change(path, n, f"excludes files matching {pattern!r}", "exclude",
                          matches_path=_matcher([], [pattern])))
    return out


def ignore_entry_changes(base_ignore: Any, head_ignore: Any, path: str) -> list[Change]:
    """Entries the range added to ``.mcp-sentinel-ignore``."""
    known = base_ignore.fingerprints()
    out = []
    for entry in head_ignore.entries:
        if entry.fingerprint in known:
            continue
        about = shown(" ".join(p for p in (entry.rule_id, f"in {entry.path}" if entry.path else "") if p))
        out.append(Change(path, entry.line_number, f"accepts finding {entry.fingerprint}"
                          + (f" ({about})" if about else ""), "ignore-entry",
                          fingerprints=frozenset({entry.fingerprint})))
    return out


def pack_changes(base_files: Any, head_files: Any, pack_paths: list[str]) -> list[Change]:
    """Rule pack files inside the repository that the range added or changed."""
    out = []
    for rel in pack_paths:
        new, old = head_files.text(rel), base_files.text(rel)
        if new is None or new == old:
            continue
        old_lines = (old or "").splitlines()
        new_lines = new.splitlines()
        first = next((i for i, line in enumerate(new_lines) if i >= len(old_lines) or line != old_lines[i]),
                     len(new_lines) - 1)
        out.append(Change(rel, max(first + 1, 1), f"{'changes' if old is not None else 'adds'} rule pack {shown(rel)}",
                          "pack"))
    return out


# -- giving hidden findings to changes ---------------------------------------------------------
def attribute(hidden: list[Finding], head_findings: dict[tuple, Finding], changes: list[Change], *,
              head_rule_ids: set[str], head_threshold: Severity, ignore_path: str) -> list[Change]:
    """Give each hidden finding to the change that explains it; returns the changes found on the way
    (inline suppressions, known through the findings they suppress), described."""
    inline: dict[tuple[str, int], Change] = {}
    for f in hidden:
        twin = head_findings.get(finding_key(f))
        change = _explain(f, twin, changes, head_rule_ids, head_threshold, inline)
        if change is None:
            change = next((c for c in changes if c.kind in ("pack", "setting", "rules", "all-rules")), None)
        if change is None:
            change = Change(ignore_path if twin is not None and twin.suppressed_by == "ignore-file" else f.path,
                            1, "changes the policy", "setting")
            changes.append(change)
        change.hidden.append(f)
    for change in inline.values():
        _describe_inline(change)
    return list(inline.values())


def _explain(f: Finding, twin: Optional[Finding], changes: list[Change], head_rule_ids: set[str],
             head_threshold: Severity, inline: dict) -> Optional[Change]:
    if twin is not None:
        if twin.suppressed_by == "inline" and twin.extra.get(INLINE_ADDED):
            where = (twin.path, twin.extra.get(INLINE_LINE, twin.line))
            if where not in inline:
                inline[where] = Change(where[0], where[1], "", "inline")
            inline[where].rule_ids = inline[where].rule_ids | {twin.rule_id}
            return inline[where]
        if twin.suppressed_by == "ignore-file":
            for c in changes:
                if c.kind == "ignore-entry" and _entry_matches(c, twin.fingerprint):
                    return c
        if twin.severity < head_threshold:
            return next((c for c in changes if c.kind == "threshold"), None)
        return None
    if f.rule_id not in head_rule_ids:
        for c in changes:
            if (c.kind == "rules" and f.rule_id in c.rule_ids) or c.kind == "all-rules":
                return c
        return next((c for c in changes if c.kind == "pack"), None)
    for c in changes:
        if c.kind == "exclude" and c.matches_path is not None and c.matches_path(f.path):
            return c
    return None


def _entry_matches(change: Change, fingerprint: str) -> bool:
    return any(fp == fingerprint or fp == fingerprint.split(":", 1)[0] for fp in change.fingerprints)


def _describe_inline(change: Change) -> None:
    ids = sorted(change.rule_ids)
    change.what = "suppresses " + (f"rule {ids[0]}" if len(ids) == 1 else f"rules {', '.join(ids)}") + \
        " with an inline comment"


# -- the findings --------------------------------------------------------------------------------
def hides(findings: list[Finding]) -> str:
    if not findings:
        return "hides nothing in this scan"
    by_severity = Counter(f.severity for f in findings)
    counts = ", ".join(f"{n} {s.name}" for s, n in sorted(by_severity.items(), reverse=True))
    paths = sorted({f.path for f in findings})
    where = shown(", ".join(paths[:3])) + (f" and {len(paths) - 3} more files" if len(paths) > 3 else "")
    return f"hides {counts} in {where}"


def to_finding(change: Change, *, applied: bool, line_text: str = "") -> Finding:
    r = rule()
    effect = hides(change.hidden)
    if applied:
        message = f"{change.what}; {effect}"
    else:
        message = f"{change.what} (not applied: --policy-from base); would {effect.replace('hides', 'hide', 1)}"
    f = Finding(
        rule_id=RULE_ID, title=r.title, severity=Severity.LOW, confidence=Confidence.HIGH, cwe=r.cwe,
        path=change.path, line=change.line, column=1, end_line=change.line, end_column=max(len(line_text), 1) + 1,
        snippet=line_text.strip()[:160], remediation=r.remediation, description=r.description,
        category=r.category, message=message,
    )
    f.extra["policy_change"] = change.kind
    f.extra["applied"] = applied
    f.extra["hidden"] = [{"rule_id": h.rule_id, "severity": h.severity.name, "path": h.path, "line": h.line}
                         for h in change.hidden]
    return f
