"""Orchestration: sources -> fragments -> engine -> findings, producing a ``ScanResult``.

The API every command calls: ``scan_paths`` (a full scan of files and folders) and ``scan_diff``
(what a git comparison adds). Policy beyond inline suppressions (the ignore file, context
severity) and exit codes are not decided here (only ``cli`` turns outcomes into exit codes).
"""
from __future__ import annotations

import itertools
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable, Optional, Sequence

from sentinel_hooks.deadline import Deadline
from sentinel_hooks.engine.matcher import Engine
from sentinel_hooks.engine.units import units_of
from sentinel_hooks.errors import ScanTimeout
from sentinel_hooks.findings import Finding, Severity, assign_fingerprints
from sentinel_hooks.records import record
from sentinel_hooks.scan_result import CacheCounts, ScanResult, ScanScope, WorkersCapped
from sentinel_hooks.sources import files

if TYPE_CHECKING:
    from sentinel_hooks.sources.fragment import Fragment
    from sentinel_hooks.sources.git_diff import DiffScan


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


def scan_fragments(engine: Engine, fragments: Iterable[Fragment], result: ScanResult, deadline: Deadline,
                   total_hint: Optional[int] = None, workers: int = 1, large: bool = False,
                   ready: Callable[[], bool] = lambda: True) -> None:
    """Run the engine over the units of the fragments (a file's units at a time, over ``workers``
    processes once there are many files, from the first when the source is known to be ``large``, and
    once the source is ``ready`` for them), appending findings in the fragments' order; raises
    ScanTimeout at the deadline, keeping the findings of the files scanned until then."""
    from sentinel_hooks.pool import UnitScanner

    seen_paths: set[str] = set()
    of = f" of {total_hint}" if total_hint else ""

    def started(path: str) -> None:
        deadline.progress = f"{len(seen_paths)}{of} files scanned, stopped in {path}"

    files = ((path, units) for path, group in itertools.groupby(fragments, key=lambda fragment: fragment.path)
             if (units := [unit for fragment in group for unit in units_of(fragment)]))
    with deadline, UnitScanner(engine, deadline, workers) as scanner:
        for path, units, findings, not_analysed in scanner.scan_files(files, started, large, ready):
            if not_analysed is not None:
                result.skipped.add(not_analysed, path)
            if path not in seen_paths:
                seen_paths.add(path)
                result.files_scanned += 1
            result.bytes_scanned += sum(len(unit.text) for unit in units)
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
    cache_counts = CacheCounts()  # counted here: worker processes keep their own cache objects
    try:
        with deadline:
            deadline.progress = "listing files"
            entries = pool.select_shard(walker, opts.shard)
            total = len(entries)
            # planned after the listing, whose memory counts in this process's baseline
            useful = pool.useful_workers(opts.workers, total)
            if useful < opts.workers and pool.should_parallelise(entries, opts.workers):
                result.figures.workers_capped = WorkersCapped(asked=opts.workers, used=useful, files=total,
                                                              cpus=pool.default_workers())
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
                            if outcome.cached:
                                cache_counts.hits += 1
                            else:
                                cache_counts.misses += 1
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
        result.figures.cache = cache_counts
    if opts.shard is not None:
        result.figures.shard = f"{opts.shard[0]}/{opts.shard[1]}"
    result.figures.workers = min(workers, len(entries)) if pool.uses_workers(entries, workers, deadline) else 1
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


def diff_scope(source: DiffScan) -> ScanScope:
    """The report's account of a diff scan: the compared range, the paths, the history pass's figures."""
    info = source.info
    scope = ScanScope(mode="diff", paths=list(source.shown_paths), history_commits=source.history_commits,
                      history_truncated=source.history_truncated)
    if info is not None:
        scope.mode, scope.base, scope.base_ref, scope.requested_ref = info.mode, info.base, info.base_ref, info.requested_ref
        scope.target, scope.range, scope.base_source = info.target, info.label, info.base_source
    return scope


def run_diff_scan(engine: Engine, source: DiffScan, *, deadline: Deadline, result: ScanResult,
                  workers: int = 1) -> ScanResult:
    """Scan only what a git comparison adds: hunk windows of changed files, added files whole."""
    result.scope = diff_scope(source)
    try:
        from sentinel_hooks import pool

        large = workers > 1 and source.is_large(pool.PARALLEL_MIN_FILES, pool.PARALLEL_MIN_BYTES)
        scan_fragments(engine, source.fragments(), result, deadline, workers=workers, large=large,
                       ready=source.patched)
        scan_held_back(engine, source.held_back_fragments(f for f in result.findings if "commit" not in f.extra),
                       result, deadline)
    finally:
        source.close()
        result.skipped.merge(source.skipped)
        result.errors.extend(source.errors)
        result.scope = diff_scope(source)  # the history pass adds its figures as it runs
    result.findings = merge_history(result.findings, source.history_order)
    return finish(result)


def scan_held_back(engine: Engine, fragments: list[Fragment], result: ScanResult, deadline: Deadline) -> None:
    """The history blocks the net change held that lie under its findings (they are few): their
    findings name the commit that added a net finding (see ``merge_history``)."""
    from sentinel_hooks.pool import UnitScanner

    if not fragments:
        return

    def started(path: str) -> None:
        deadline.progress = f"{result.files_scanned} files scanned, stopped in the history of {path}"

    with deadline, UnitScanner(engine, deadline, 1) as scanner:
        for _, units, findings, _ in scanner.scan_files(((f.path, units_of(f)) for f in fragments), started):
            result.bytes_scanned += sum(len(unit.text) for unit in units)
            result.findings.extend(findings)


def _stopped(result: ScanResult, exc: ScanTimeout) -> ScanResult:
    """A scan cut short: every report is still written, with what was scanned, marked incomplete."""
    result.incomplete = str(exc)
    return finish(result)


def scan_paths(engine: Engine, paths: list[Path], excludes: files.Excludes, *, threshold: Severity = Severity.LOW,
               deadline: Optional[Deadline] = None, root: Optional[Path] = None,
               options: Optional[FullScanOptions] = None) -> ScanResult:
    """A full scan of ``paths`` (files and folders). On a timeout the result holds the findings of the
    files scanned until then and says why in ``incomplete``."""
    result = ScanResult(rules=engine.rules, threshold=threshold,
                        scope=ScanScope(paths=[p.as_posix() for p in paths]))
    try:
        return run_full_scan(engine, paths, excludes, deadline=deadline or Deadline(None), result=result,
                             root=root, options=options)
    except ScanTimeout as exc:
        return _stopped(result, exc)


def scan_diff(engine: Engine, source: DiffScan, *, threshold: Severity = Severity.LOW,
              deadline: Optional[Deadline] = None, workers: int = 1) -> ScanResult:
    """A diff scan of what ``source``'s comparison adds, over up to ``workers`` processes when it
    holds many files; a timeout is handled as in ``scan_paths``."""
    result = ScanResult(rules=engine.rules, threshold=threshold, scope=diff_scope(source))
    try:
        return run_diff_scan(engine, source, deadline=deadline or Deadline(None), result=result, workers=workers)
    except ScanTimeout as exc:
        return _stopped(result, exc)


def merge_history(findings: list[Finding], order: Sequence[str] = ()) -> list[Finding]:
    """Join what the commits of a range added with the net change.

    A finding in a commit's added lines that the net change also holds (same rule, path and matched
    content) is the net finding, which learns the first commit that added it (the earliest in
    ``order``, the range's commits oldest first); the others (added, then removed or changed within the
    range) stay, each attributed to the commit that added it.
    """
    position = {sha: i for i, sha in enumerate(order)}
    history: dict[tuple, Finding] = {}
    net = []
    for f in sorted(findings, key=lambda f: position.get(f.extra.get("commit"), len(position))):
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
