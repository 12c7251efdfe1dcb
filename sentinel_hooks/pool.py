"""Running a full scan's files: in-process for small inputs, otherwise over worker processes
(regex matching is CPU-bound, so only processes use several cores in CPython); with a time limit,
always in worker processes, full and diff scans alike (see ``deadline``).

At most ``workers`` files are in flight. On timeout or Ctrl-C the workers are terminated, so a
pathological file cannot keep the scan alive. Workers start the way ``platform_os.start_method``
says (fork on Linux, spawn elsewhere) and build their engine once, from the rules they are given.
"""
from __future__ import annotations

import functools
import gc
import signal
from typing import Callable, Iterable, Iterator, Optional

from sentinel_hooks import platform_os
from sentinel_hooks.cache import ResultCache
from sentinel_hooks.deadline import Deadline
from sentinel_hooks.engine.matcher import Engine
from sentinel_hooks.engine.units import FileAnalysis, TextUnit
from sentinel_hooks.file_scan import DEFAULT_CHUNK, FileOutcome, scan_file
from sentinel_hooks.findings import Finding
from sentinel_hooks.sources.files import FileEntry

PARALLEL_MIN_BYTES = 2 * 1024 * 1024
PARALLEL_MIN_FILES = 16
# Allocations between two collections of the youngest generation in a worker (CPython's default is 700,
# or 2,000 from 3.13): parsing a file for the Python checks allocates hundreds of thousands of tree
# nodes, which set off collections that find next to no cyclic garbage. Measured on the standard
# library (two workers, in turns): 5.7-6.1 s of CPU at the default against 5.0-5.4 s at this setting,
# peak memory within the noise of the runs.
WORKER_GC_THRESHOLD = 10_000

# Files a worker takes at a time once a scan has BATCH_FROM_FILES or more: each batch is a round trip
# through the pool's queues and the parent's helper threads. Measured on the standard library (1,790
# files, two workers, same tree): the parent took about 0.6 s of CPU with batches of 4, 0.45 s with 16.
# The files go out biggest first, so the last batches hold the smallest files and the wall time does
# not wait on one worker's long batch.
BATCH_FILES = 16
BATCH_FROM_FILES = 512

_worker: dict = {}


def default_workers() -> int:
    return platform_os.usable_cpus()


def useful_workers(requested: int, files: int) -> int:
    """Worker processes worth starting: never more than the files to scan or the CPUs to run them
    (a repository's config asking for 1000 must not fork 1000 processes)."""
    return max(min(requested, default_workers(), files), 1)


def _init_worker(rules, redact: bool, inline: bool, cache: Optional[ResultCache], chunk: int,
                 rss_limit: Optional[int]) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C and terminates us
    if rss_limit is not None:
        platform_os.keep_heap_small()  # inherited through fork already; spawned workers need it too
    _worker["engine"] = Engine(rules, redact=redact, inline_suppressions=inline)
    _worker["cache"] = cache
    _worker["chunk"] = chunk
    _worker["rss_limit"] = rss_limit
    collect_garbage_less_often()


def collect_garbage_less_often() -> None:
    """Set the worker's garbage collector for scanning: what the worker holds once its engine is
    built (rules, compiled patterns, modules) lives as long as the worker and is frozen out of every
    collection, and the youngest generation is collected after ``WORKER_GC_THRESHOLD`` allocations.
    Reference counting still frees at once whatever holds no cycle."""
    gc.freeze()
    youngest, middle, oldest = gc.get_threshold()
    gc.set_threshold(max(youngest, WORKER_GC_THRESHOLD), middle, oldest)


def _work(entry: FileEntry) -> FileOutcome:
    try:
        outcome = scan_file(entry, _worker["engine"], _worker["cache"], _worker["chunk"])
    except MemoryError:
        outcome = FileOutcome(entry.display_path, error="memory")
    limit = _worker["rss_limit"]
    if limit is not None and platform_os.rss() > limit:
        outcome.error = outcome.error or "memory"
    return outcome


def _work_batch(batch: list[FileEntry]) -> list[FileOutcome]:
    return [_work(entry) for entry in batch]


def should_parallelise(entries: list[FileEntry], workers: int) -> bool:
    return workers > 1 and len(entries) >= PARALLEL_MIN_FILES and \
        sum(e.size for e in entries) >= PARALLEL_MIN_BYTES


def uses_workers(entries: list[FileEntry], workers: int, deadline: Optional[Deadline]) -> bool:
    """Worker processes for large inputs, and whenever there is a time limit (only a process can be
    stopped inside a regex on every system)."""
    return bool(entries) and (should_parallelise(entries, workers) or (deadline is not None and deadline.limited))


def run(entries: list[FileEntry], engine: Engine, *, workers: int, cache: Optional[ResultCache],
        chunk: int = DEFAULT_CHUNK, rss_limit: Optional[int] = None,
        on_start: Callable[[FileEntry], None] = lambda e: None,
        deadline: Optional[Deadline] = None) -> Iterator[FileOutcome]:
    """Outcomes of every entry (in completion order when parallel). Past the deadline the workers
    are terminated and its ScanTimeout is raised; what was yielded until then stands."""
    if not uses_workers(entries, workers, deadline):
        for entry in entries:
            on_start(entry)
            yield scan_file(entry, engine, cache, chunk)
        return
    import multiprocessing  # not for a scan in this process, such as a hook's: see quiet_pool_class

    pool = None
    try:
        if platform_os.start_method() == "fork" and should_parallelise(entries, workers):
            import_detectors(engine.rules, entries)  # not for a small scan that has workers for its time limit
        pool = _start(engine, max(min(workers, len(entries)), 1), cache, chunk, rss_limit)
        # biggest first, so one large file does not start last and stretch the wall time
        ordered = sorted(entries, key=lambda e: -e.size)
        size = 1 if len(entries) < BATCH_FROM_FILES else BATCH_FILES
        batches = [ordered[i:i + size] for i in range(0, len(ordered), size)]
        results = pool.imap_unordered(_work_batch, batches)
        finished: set[str] = set()
        while True:
            try:
                outcomes = results.next(timeout=_time_left(deadline))
            except StopIteration:
                break
            except multiprocessing.TimeoutError:
                # batches go out in order, so the first unfinished file is one a worker is stuck in
                on_start(next(e for e in ordered if e.display_path not in finished))
                raise deadline.timeout_error() from None  # type: ignore[union-attr]
            for outcome in outcomes:
                finished.add(outcome.path)
                yield outcome
    finally:  # idle or stuck, the workers hold nothing worth a graceful exit (a spawned one takes ~0.1 s)
        if pool is not None:
            pool.terminate()
            pool.join()


def import_detectors(rules, entries: list[FileEntry]) -> None:
    """Import the detector modules of the rules that run on the files' languages (or on every file)
    in this process, before the workers are forked: they then share one import instead of each
    making its own (on the standard library, 0.1 s of CPU per worker for the Python checks' modules)."""
    from sentinel_hooks.engine import detectors
    from sentinel_hooks.engine.languages import language_aliases, language_of

    languages: set[str] = set()
    for lang in {language_of(e.display_path) for e in entries} - {None}:
        languages |= language_aliases(lang)  # type: ignore[arg-type]
    for rule in rules:
        if rule.detector is not None and (languages.intersection(rule.languages)
                                          or not rule.languages and not rule.paths):
            detectors.get(rule.detector)


@functools.cache
def quiet_pool_class() -> type:
    """``multiprocessing``'s process pool whose worker handler thread waits only for a worker to exit
    and for the pool's state or its cache of tasks to change, as ``ThreadPool``'s does. The standard
    handler also waits on the pipe the results come back through, so from a worker's write until the
    result handler has read the result it wakes over and over (measured on the standard library, two
    workers: about 0.1 s of the parent's CPU, more on a loaded machine). Nothing needs that wake-up:
    closing, terminating and an emptied cache put a message on the change notifier.

    Built on first use: ``multiprocessing`` and its pool (with pickle, socket, connection, queue and
    threading modules) are not imported by a scan that runs in-process, such as a pre-commit hook's."""
    import multiprocessing.pool

    class QuietPool(multiprocessing.pool.Pool):
        def _get_sentinels(self):  # type: ignore[no-untyped-def]
            notifier = getattr(self, "_change_notifier", None)
            return [notifier._reader] if notifier is not None else super()._get_sentinels()

    return QuietPool


def _start(engine: Engine, workers: int, cache: Optional[ResultCache], chunk: int, rss_limit: Optional[int]):
    import multiprocessing

    ctx = multiprocessing.get_context(platform_os.start_method())
    # Ctrl-C is held back while the workers start: half-way through creating the pool it would leave
    # workers behind that nobody terminates.
    held = platform_os.hold_interrupts()
    try:
        return quiet_pool_class()(workers, initializer=_init_worker,
                         initargs=(engine.rules, engine.redact, engine.inline_suppressions, cache, chunk, rss_limit),
                         context=ctx)
    finally:
        platform_os.release_interrupts(held)


def _time_left(deadline: Optional[Deadline]) -> Optional[float]:
    """How long the watchdog (this process) waits for a worker's next result."""
    return deadline.remaining() if deadline is not None else None


class UnitScanner:
    """``engine.scan`` over the units of a diff scan, a file's units at a time: in this process
    without a time limit, in one worker process with one (terminated at the deadline)."""

    def __init__(self, engine: Engine, deadline: Optional[Deadline]):
        self.engine = engine
        self.deadline = deadline
        self.pool = None
        self.not_analysed: Optional[str] = None  # of the last file scanned: why a check could not analyse it

    def __enter__(self) -> "UnitScanner":
        if self.deadline is not None and self.deadline.limited:
            self.pool = _start(self.engine, 1, None, DEFAULT_CHUNK, None)
        return self

    def __exit__(self, *exc) -> None:
        if self.pool is not None:
            self.pool.terminate()
            self.pool.join()
            self.pool = None

    def scan(self, units: list[TextUnit]) -> list[Finding]:
        """The findings of one file's units; ``not_analysed`` tells afterwards whether a check could not
        analyse the file, and why."""
        if self.pool is None:
            findings, self.not_analysed = _scan_with(self.engine, units)
            return findings
        import multiprocessing

        pending = self.pool.apply_async(_scan_units, (transferable(units),))
        try:
            findings, self.not_analysed = pending.get(timeout=_time_left(self.deadline))
            return findings
        except multiprocessing.TimeoutError:
            raise self.deadline.timeout_error() from None  # type: ignore[union-attr]


def _scan_with(engine: Engine, units: list[TextUnit]) -> tuple[list[Finding], Optional[str]]:
    findings = [f for unit in units for f in engine.scan(unit)]
    return findings, next((r for r in map(engine.not_analysed, units) if r is not None), None)


def _scan_units(units: list[TextUnit]) -> tuple[list[Finding], Optional[str]]:
    return _scan_with(_worker["engine"], units)


class _Loaded:
    """A text loaded already, in place of a loader that reads git (which cannot cross processes)."""

    def __init__(self, value: Optional[str]):
        self.value = value

    def __call__(self) -> Optional[str]:
        return self.value


def transferable(units: list[TextUnit]) -> list[TextUnit]:
    """The units with their loaders run here, so they can be sent to a worker. Units that share a
    file's analysis (the windows of one file) still share one after the journey, and its texts are
    sent once."""
    moved: dict[int, tuple[_Loaded, _Loaded, FileAnalysis]] = {}
    out = []
    for u in units:
        original = u.file()
        if id(original) not in moved:
            text = _Loaded(original.text())
            base = _Loaded(original.base_text() if u.base_text_loader is not None else None)
            analysis = FileAnalysis(text, base, original.changed_lines, original.deletion_points,
                                    original.modules)  # a git reader starts its own cat-file over there
            analysis.text(), analysis.base_text()  # loaded now: a not-loaded mark would not survive pickling
            analysis.windows = original.windows
            moved[id(original)] = (text, base, analysis)
        text, base, analysis = moved[id(original)]
        out.append(TextUnit(path=u.path, text=u.text, first_line=u.first_line, first_column=u.first_column,
                            partial=u.partial, changed_lines=u.changed_lines,
                            full_text_loader=text if u.full_text_loader is not None else None,
                            base_text_loader=base if u.base_text_loader is not None else None,
                            analysis=analysis))
    return out


def shard_of(path: str, count: int) -> int:
    """A stable shard number in [0, count) for a display path."""
    import zlib

    return zlib.crc32(path.encode("utf-8", "surrogateescape")) % count


def select_shard(entries: Iterable[FileEntry], shard: Optional[tuple[int, int]]) -> list[FileEntry]:
    if shard is None:
        return list(entries)
    k, n = shard
    return [e for e in entries if shard_of(e.display_path, n) == k - 1]
