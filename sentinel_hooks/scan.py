"""Orchestration: sources -> units -> engine -> findings -> policy, producing a ScanResult.

Exit codes are not decided here (only ``cli`` does that).
"""
from __future__ import annotations

import itertools
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Optional

from sentinel_hooks.deadline import Deadline
from sentinel_hooks.engine.matcher import Engine
from sentinel_hooks.engine.units import TextUnit
from sentinel_hooks.findings import Finding, Severity, assign_fingerprints
from sentinel_hooks.records import field, record
from sentinel_hooks.sources import files
from sentinel_hooks.sources.skips import SkipLog

POLICY_CHANGE = "policy-change"  # policy_changes.RULE_ID, without importing it on every scan

if TYPE_CHECKING:
    from sentinel_hooks.engine.rule import Rule
    from sentinel_hooks.sources.git_diff import DiffScan


@record
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


# Rule packs the scanned repository names run user-written regexes that may backtrack without end;
# such a scan gets this time limit unless --timeout on the command line sets another.
REPOSITORY_PACK_BUDGET = 600.0


def time_limit(flag: Optional[float], configured: Optional[float], repository_packs: bool) -> Deadline:
    """The scan's deadline: --timeout, else the config's ``timeout``, capped at the budget for scans
    running packs from the scanned repository (whose config may not lift it)."""
    if flag is not None:
        return Deadline(flag)
    if repository_packs and (configured is None or configured > REPOSITORY_PACK_BUDGET):
        return Deadline(REPOSITORY_PACK_BUDGET, "the limit for rule packs from the scanned repository; "
                                                "--timeout sets another")
    return Deadline(configured)


def scan_units(engine: Engine, units: Iterable[TextUnit], result: ScanResult, deadline: Deadline,
               total_hint: Optional[int] = None) -> None:
    """Run the engine over units (a file's units at a time), appending findings; raises ScanTimeout
    at the deadline, keeping the findings of the files scanned until then."""
    from sentinel_hooks.pool import UnitScanner

    seen_paths: set[str] = set()
    of = f" of {total_hint}" if total_hint else ""
    with deadline, UnitScanner(engine, deadline) as scanner:
        for path, group in itertools.groupby(units, key=lambda u: u.path):
            deadline.progress = f"{len(seen_paths)}{of} files scanned, stopped in {path}"
            if deadline.expired():
                raise deadline.timeout_error()
            batch = list(group)
            findings = scanner.scan(batch)
            if scanner.not_analysed is not None:
                result.skipped.add(scanner.not_analysed, path)
            if path not in seen_paths:
                seen_paths.add(path)
                result.files_scanned += 1
            result.bytes_scanned += sum(len(unit.text) for unit in batch)
            result.findings.extend(findings)


def finish(result: ScanResult) -> ScanResult:
    """Drop duplicates reported by overlapping windows, then fingerprint and sort."""
    unique: dict[tuple, Finding] = {}
    for f in result.findings:
        unique.setdefault((f.rule_id, f.path, f.line, f.column, f.end_line, f.end_column, f.extra.get("commit")), f)
    result.findings = list(unique.values())
    assign_fingerprints(result.findings)
    result.findings.sort(key=Finding.sort_key)
    result.finished = time.time()
    return result


@record
class FullScanOptions:
    max_file_size: Optional[int] = None
    workers: int = 1                     # asked for; capped at the files and CPUs
    cache: Optional[Any] = None          # cache.ResultCache
    memory_limit: Optional[int] = None   # bytes
    shard: Optional[tuple[int, int]] = None
    progress: bool = False


# Resident memory per byte of a chunk while it is scanned, measured on standard-library code whose
# non-ASCII characters make Python store text at 4 bytes a character: the raw bytes, the decoded
# text, its lowered copy and the detectors' transient copies come to about 29 bytes.
CHUNK_COST = 32
MIN_CHUNK = 256 * 1024
PARENT_HEADROOM = 16 * 1024 * 1024  # the parent's growth while it runs the pool and collects findings


def memory_plan(limit: Optional[int], workers: int, baseline: Optional[int] = None) -> tuple[int, int, Optional[int]]:
    """(workers, chunk size, per-process RSS limit) that keep the whole scan under ``limit``.

    Every process costs ``baseline`` (this process's resident memory: a forked worker starts with
    the same pages) plus ``CHUNK_COST`` times its chunk; workers are dropped until each gets a chunk of
    at least ``MIN_CHUNK``, and with too little memory for one the scan refuses to start.
    """
    from sentinel_hooks.errors import MemoryLimitExceeded
    from sentinel_hooks.file_scan import DEFAULT_CHUNK, OVERLAP
    from sentinel_hooks.platform_os import rss

    if limit is None:
        return workers, DEFAULT_CHUNK, None
    if baseline is None:
        baseline = max(rss(), 32 * 1024 * 1024)
    smallest = baseline + CHUNK_COST * MIN_CHUNK
    if limit < smallest:
        raise MemoryLimitExceeded(f"--memory-limit {limit / 1e6:.0f}MB is too small: this scan needs at least "
                                  f"{-(-smallest // 1_000_000)}MB")
    # with several workers the parent keeps its baseline and each worker needs its own
    while workers > 1 and (limit - baseline - PARENT_HEADROOM) // workers < smallest:
        workers -= 1
    per_process = (limit - baseline - PARENT_HEADROOM) // workers if workers > 1 else limit
    chunk = max(min((per_process - baseline) // CHUNK_COST, DEFAULT_CHUNK), MIN_CHUNK, 4 * OVERLAP)
    return workers, chunk, per_process


def run_full_scan(engine: Engine, paths: list[Path], excludes: files.Excludes, *, deadline: Deadline,
                  result: ScanResult, root: Optional[Path] = None,
                  options: Optional[FullScanOptions] = None) -> ScanResult:
    """Walk the paths, then scan the files (in parallel when worth it), with cache and limits."""
    import contextlib

    from sentinel_hooks import platform_os, pool
    from sentinel_hooks.errors import MemoryLimitExceeded

    opts = options or FullScanOptions()
    walker = files.FileWalker(paths, excludes, max_file_size=opts.max_file_size, root=root)
    total = 0
    done = 0
    cache_counts = {"hits": 0, "misses": 0}  # counted here: worker processes keep their own cache objects
    try:
        with deadline:
            deadline.progress = "listing files"
            entries = pool.select_shard(walker, opts.shard)
            total = len(entries)
            # planned after the listing, whose memory counts in this process's baseline
            useful = pool.useful_workers(opts.workers, total)
            if useful < opts.workers and pool.should_parallelise(entries, opts.workers):
                result.meta["workers_capped"] = {"asked": opts.workers, "used": useful, "files": total,
                                                 "cpus": pool.default_workers()}
            workers, chunk, rss_limit = memory_plan(opts.memory_limit, useful)
            if rss_limit is not None:
                platform_os.keep_heap_small()
            deadline.progress = f"0 of {total} files scanned"
            progress = _progress_bar(total, sum(e.size for e in entries)) if opts.progress else None
            try:
                outcomes = pool.run(entries, engine, workers=workers, cache=opts.cache, chunk=chunk,
                                    rss_limit=rss_limit, deadline=deadline,
                                    on_start=lambda e: setattr(deadline, "progress",
                                                               f"{done} of {total} files scanned, stopped in {e.display_path}"))
                with contextlib.closing(outcomes):
                    for outcome in outcomes:
                        if outcome.error == "memory":
                            raise MemoryLimitExceeded(
                                f"memory limit exceeded while scanning {outcome.path}: raise --memory-limit "
                                f"or exclude the file")
                        done += 1
                        deadline.progress = f"{done} of {total} files scanned"
                        if outcome.error is not None:
                            result.errors.append((outcome.path, outcome.error))
                        if outcome.skip_reason is not None:
                            result.skipped.add(outcome.skip_reason, outcome.path)
                        if outcome.scanned and opts.cache is not None:
                            cache_counts["hits" if outcome.cached else "misses"] += 1
                        if outcome.not_analysed is not None:
                            result.skipped.add(outcome.not_analysed, outcome.path)
                        if outcome.scanned:
                            result.files_scanned += 1
                            result.bytes_scanned += outcome.bytes
                            result.findings.extend(outcome.findings)
                        if progress is not None:
                            progress.advance(outcome.bytes)
                        if deadline.expired():
                            raise deadline.timeout_error()
                        if rss_limit is not None and platform_os.rss() > opts.memory_limit - rss_limit * (workers - 1):
                            raise MemoryLimitExceeded("memory limit exceeded: raise --memory-limit")
            finally:
                if progress is not None:
                    progress.stop()
    finally:
        result.skipped.merge(walker.skipped)
        result.errors.extend(walker.errors)
    if opts.cache is not None:
        result.meta["cache"] = cache_counts
    if opts.shard is not None:
        result.meta["shard"] = f"{opts.shard[0]}/{opts.shard[1]}"
    result.meta["workers"] = min(workers, len(entries)) if pool.uses_workers(entries, workers, deadline) else 1
    return finish(result)


class _ProgressBar:
    """A rich progress bar of files and bytes on stderr (only used when stderr is a terminal)."""

    def __init__(self, files_total: int, bytes_total: int):
        from rich.console import Console
        from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn

        self.progress = Progress(
            TextColumn("scanning {task.fields[done]}/{task.fields[files]} files"), BarColumn(), DownloadColumn(),
            TimeRemainingColumn(), console=Console(stderr=True), transient=True)
        self.task = self.progress.add_task("scan", total=max(bytes_total, 1), done=0, files=files_total)
        self.done = 0
        self.progress.start()

    def advance(self, nbytes: int) -> None:
        self.done += 1
        self.progress.update(self.task, advance=nbytes, done=self.done)

    def stop(self) -> None:
        self.progress.stop()


def _progress_bar(files_total: int, bytes_total: int) -> Optional[_ProgressBar]:
    if files_total < 200 and bytes_total < 20 * 1024 * 1024:
        return None  # short scans need no bar
    return _ProgressBar(files_total, bytes_total)


def run_diff_scan(engine: Engine, source: DiffScan, *, deadline: Deadline, result: ScanResult) -> ScanResult:
    """Scan only what a git comparison adds: hunk windows of changed files, added files whole."""
    result.meta.update(source.meta)
    try:
        scan_units(engine, source.units(), result, deadline)
    finally:
        source.close()
        result.skipped.merge(source.skipped)
        result.errors.extend(source.errors)
    result.meta.update(source.meta)  # the history pass adds its figures as it runs
    result.findings = merge_history(result.findings)
    return finish(result)


def merge_history(findings: list[Finding]) -> list[Finding]:
    """Join what the commits of a range added with the net change.

    A finding in a commit's added lines that the net change also holds (same rule, path and matched
    content) is the net finding, which learns the first commit that added it; the others (added,
    then removed or changed within the range) stay, each attributed to the commit that added it.
    """
    history: dict[tuple, Finding] = {}
    net = []
    for f in findings:
        if "commit" in f.extra:
            history.setdefault((f.rule_id, f.path, f.content_hash), f)
        else:
            net.append(f)
    if not history:
        return findings
    matched = set()
    for f in net:
        key = (f.rule_id, f.path, f.content_hash)
        first = history.get(key)
        if first is not None:
            f.extra["commit"] = first.extra["commit"]
            matched.add(key)
    return net + [f for key, f in history.items() if key not in matched]
