"""Orchestration: sources -> units -> engine -> findings -> policy, producing a ScanResult.

Exit codes are not decided here (only ``cli`` does that).
"""
from __future__ import annotations

import signal
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Optional

from sentinel_hooks.engine.matcher import Engine
from sentinel_hooks.engine.units import TextUnit
from sentinel_hooks.errors import ScanTimeout
from sentinel_hooks.findings import Finding, Severity, assign_fingerprints
from sentinel_hooks.sources import files
from sentinel_hooks.sources.skips import SkipLog

if TYPE_CHECKING:
    from sentinel_hooks.engine.rules import Rule
    from sentinel_hooks.sources.git_diff import DiffScan


@dataclass
class ScanResult:
    rules: list[Rule]
    findings: list[Finding] = field(default_factory=list)  # every finding, suppressed ones included
    files_scanned: int = 0
    bytes_scanned: int = 0
    skipped: SkipLog = field(default_factory=SkipLog)
    errors: list[tuple[str, str]] = field(default_factory=list)  # (path, reason) file-system errors
    meta: dict[str, Any] = field(default_factory=dict)
    started: float = field(default_factory=time.time)
    finished: float = 0.0
    threshold: Severity = Severity.LOW

    @property
    def active(self) -> list[Finding]:
        """Findings that count: not suppressed, at or above the threshold."""
        return [f for f in self.findings if not f.suppressed and f.severity >= self.threshold]

    @property
    def reported(self) -> list[Finding]:
        """What reports show: findings at or above the threshold, suppressed ones flagged."""
        return [f for f in self.findings if f.severity >= self.threshold]

    def counts(self) -> dict[str, int]:
        out = {s.name.lower(): 0 for s in sorted(Severity, reverse=True)}
        for f in self.active:
            out[f.severity.name.lower()] += 1
        return out

    @property
    def suppressed_count(self) -> int:
        return sum(1 for f in self.findings if f.suppressed and f.severity >= self.threshold)


class Deadline:
    """The scan's time limit. Checked between units, and enforced inside a long match by SIGALRM
    (the regex engine checks for signals, so a backtracking rule cannot hang past the limit)."""

    def __init__(self, seconds: Optional[float]):
        self.seconds = seconds
        self.at = None if seconds is None else time.monotonic() + seconds
        self.progress = ""

    def expired(self) -> bool:
        return self.at is not None and time.monotonic() >= self.at

    def timeout_error(self) -> ScanTimeout:
        how_far = f": {self.progress}" if self.progress else ""
        return ScanTimeout(f"scan timed out after {self.seconds:g}s{how_far}")

    def __enter__(self) -> "Deadline":
        self._armed = False
        if self.at is not None and hasattr(signal, "setitimer") \
                and threading.current_thread() is threading.main_thread():
            def on_alarm(signum, frame):  # noqa: ARG001
                raise self.timeout_error()

            self._previous = signal.signal(signal.SIGALRM, on_alarm)
            signal.setitimer(signal.ITIMER_REAL, max(self.at - time.monotonic(), 0.001))
            self._armed = True
        return self

    def __exit__(self, *exc) -> None:
        if self._armed:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, self._previous)


def scan_units(engine: Engine, units: Iterable[TextUnit], result: ScanResult, deadline: Deadline,
               total_hint: Optional[int] = None) -> None:
    """Run the engine over units, appending findings; raises ScanTimeout at the deadline."""
    seen_paths: set[str] = set()
    of = f" of {total_hint}" if total_hint else ""
    with deadline:
        for unit in units:
            deadline.progress = f"{len(seen_paths)}{of} files scanned, stopped in {unit.path}"
            if deadline.expired():
                raise deadline.timeout_error()
            if unit.path not in seen_paths:
                seen_paths.add(unit.path)
                result.files_scanned += 1
            result.bytes_scanned += len(unit.text)
            result.findings.extend(engine.scan(unit))


def file_units(walker: files.FileWalker) -> Iterable[TextUnit]:
    for entry in walker:
        text = files.read_text(entry, walker.skipped, walker.errors)
        if text is None:
            continue
        yield TextUnit(path=entry.display_path, text=text)


def finish(result: ScanResult) -> ScanResult:
    """Drop duplicates reported by overlapping windows, then fingerprint and sort."""
    unique: dict[tuple, Finding] = {}
    for f in result.findings:
        unique.setdefault((f.rule_id, f.path, f.line, f.column, f.end_line, f.end_column), f)
    result.findings = list(unique.values())
    assign_fingerprints(result.findings)
    result.findings.sort(key=Finding.sort_key)
    result.finished = time.time()
    return result


def run_full_scan(engine: Engine, paths: list[Path], excludes: files.Excludes, *,
                  max_file_size: Optional[int], deadline: Deadline, result: ScanResult,
                  root: Optional[Path] = None) -> ScanResult:
    walker = files.FileWalker(paths, excludes, max_file_size=max_file_size, root=root)
    try:
        scan_units(engine, file_units(walker), result, deadline)
    finally:
        result.skipped.merge(walker.skipped)
        result.errors.extend(walker.errors)
    return finish(result)


def run_diff_scan(engine: Engine, source: DiffScan, *, deadline: Deadline, result: ScanResult) -> ScanResult:
    """Scan only what a git comparison adds: hunk windows of changed files, added files whole."""
    result.meta.update(source.meta)
    try:
        scan_units(engine, source.units(), result, deadline)
    finally:
        source.close()
        result.skipped.merge(source.skipped)
        result.errors.extend(source.errors)
    return finish(result)
