"""What a scan produced, as every command and report receives it: the findings, the figures, and
typed fields for what was scanned (``ScanScope``), how (``RunFigures``), the policy judgement of a
``--baseline`` scan (``PolicyJudgement``) and report options (``sarif_category``)."""
from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any, Optional

from sentinel_hooks.findings import Finding, Severity
from sentinel_hooks.records import field, record
from sentinel_hooks.sources.skips import SkipLog

POLICY_CHANGE = "policy-change"  # policy_changes.RULE_ID, without importing it on every scan

if TYPE_CHECKING:
    from sentinel_hooks.engine.rule import Rule

FULL = "full"


@record
class ScanScope:
    """What the scan covered: the paths as given and, for diff scans (``staged``, ``baseline``), the
    compared range (``range`` is its label for people) and the commits the history pass read."""

    mode: str = FULL
    paths: list[str] = field(default_factory=list)
    base: Optional[str] = None
    base_ref: Optional[str] = None
    requested_ref: Optional[str] = None
    target: Optional[str] = None
    range: Optional[str] = None
    base_source: Optional[str] = None
    history_commits: Optional[int] = None
    history_truncated: bool = False

    @property
    def is_diff(self) -> bool:
        return self.mode != FULL

    def as_dict(self) -> dict[str, Any]:
        """The fields that apply to this mode, as the JSON report's ``scan`` object lists them."""
        out: dict[str, Any] = {"mode": self.mode, "paths": list(self.paths)}
        if self.is_diff:
            out.update({"base": self.base, "base_ref": self.base_ref})
            if self.requested_ref is not None:
                out["requested_ref"] = self.requested_ref
            out.update({"target": self.target, "range": self.range})
            if self.base_source:
                out["base_source"] = self.base_source
        if self.history_commits is not None:
            out["history_commits"] = self.history_commits
        if self.history_truncated:
            out["history_truncated"] = True
        return out


@record
class CacheCounts:
    hits: int = 0
    misses: int = 0


@record
class WorkersCapped:
    """An explicit worker count cut down to the files and CPUs there are."""

    asked: int
    used: int
    files: int
    cpus: int


@record
class RunFigures:
    """How a full scan ran: worker processes, result-cache use, the shard it covered."""

    workers: Optional[int] = None
    cache: Optional[CacheCounts] = None
    shard: Optional[str] = None
    workers_capped: Optional[WorkersCapped] = None

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.cache is not None:
            out["cache"] = {"hits": self.cache.hits, "misses": self.cache.misses}
        if self.shard is not None:
            out["shard"] = self.shard
        if self.workers is not None:
            out["workers"] = self.workers
        return out


@record
class PolicyJudgement:
    """A ``--baseline`` scan's verdict on the range's changes to the scan's own policy."""

    source: str            # "range" or "base": whose policy the scan obeyed
    changes: int           # policy changes found
    hidden: int            # findings the range's changes hide (or would hide, under the base's policy)
    base_unreadable: Optional[str] = None

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"from": self.source, "changes": self.changes,
                               ("would_hide" if self.source == "base" else "hidden_by_range"): self.hidden}
        if self.base_unreadable is not None:
            out["base_unreadable"] = self.base_unreadable
        return out


@record
class ScanResult:
    """The typed outcome of ``orchestration.scan_paths`` / ``scan_diff``, before reports and exit codes."""

    rules: list[Rule]
    findings: list[Finding] = field(default_factory=list)  # every finding, suppressed ones included
    files_scanned: int = 0
    bytes_scanned: int = 0
    skipped: SkipLog = field(default_factory=SkipLog)
    errors: list[tuple[str, str]] = field(default_factory=list)  # (path, reason) file-system errors
    scope: ScanScope = field(default_factory=ScanScope)
    figures: RunFigures = field(default_factory=RunFigures)
    policy: Optional[PolicyJudgement] = None
    incomplete: Optional[str] = None        # why the scan stopped early (a timeout): reports say so
    sarif_category: Optional[str] = None    # SARIF automationDetails.id (--sarif-category)
    started: float = field(default_factory=time.time)
    finished: float = 0.0
    threshold: Severity = Severity.LOW
    # diff scans judging their own policy: the threshold policy-change findings are held to (the lower of
    # the base's and the range's), and the findings the range's policy changes hide
    policy_threshold: Optional[Severity] = None
    range_hidden: set = field(default_factory=set)

    def _at_threshold(self, f: Finding) -> bool:
        if self.policy_threshold is not None and f.rule_id == POLICY_CHANGE:
            return f.severity >= self.policy_threshold
        return f.severity >= self.threshold

    @property
    def active(self) -> list[Finding]:
        """Findings that count: not suppressed, at or above the threshold."""
        return [f for f in self.findings if not f.suppressed and self._at_threshold(f)]

    @property
    def reported(self) -> list[Finding]:
        """What reports show: findings at or above the threshold, suppressed ones flagged."""
        return [f for f in self.findings if self._at_threshold(f)]

    def counts(self) -> dict[str, int]:
        out = {s.name.lower(): 0 for s in sorted(Severity, reverse=True)}
        for f in self.active:
            out[f.severity.name.lower()] += 1
        return out

    def below_threshold(self) -> dict[str, int]:
        """Findings the threshold hides (not suppressed), per severity, so reports can say so."""
        out: dict[str, int] = {}
        for f in self.findings:
            if not f.suppressed and f.severity < self.threshold:
                name = f.severity.name.lower()
                out[name] = out.get(name, 0) + 1
        return {s.name.lower(): out[s.name.lower()] for s in sorted(Severity, reverse=True) if s.name.lower() in out}

    @property
    def suppressed_count(self) -> int:
        """Suppressed findings, less those a policy change of the compared range hides."""
        return sum(1 for f in self.findings if f.suppressed and f.severity >= self.threshold
                   and (not self.range_hidden or _key(f) not in self.range_hidden))

    @property
    def hidden_by_range(self) -> int:
        """Findings the compared range's policy changes hide (suppressed, disabled or excluded)."""
        return len(self.range_hidden)


def _key(f: Finding) -> tuple:
    from sentinel_hooks.policy_changes import finding_key

    return finding_key(f)
