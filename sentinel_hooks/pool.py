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
from collections import deque
from typing import Any, Callable, Iterable, Iterator, Optional

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
                 rss_limit: Optional[int], readers: Optional[dict[int, Any]] = None) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C and terminates us
    if rss_limit is not None:
        platform_os.keep_heap_small()  # inherited through fork already; spawned workers need it too
    _worker["engine"] = Engine(rules, redact=redact, inline_suppressions=inline)
    _worker["cache"] = cache
    _worker["chunk"] = chunk
    _worker["rss_limit"] = rss_limit
    _worker["readers"] = readers or {}  # the module readers units name by number (see ``transferable``)
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
            import_detectors(engine.rules, (e.display_path for e in entries))  # not for a small scan that has workers for its time limit
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


def import_detectors(rules, paths: Iterable[str]) -> None:
    """Import the detector modules of the rules that run on the files' languages (or on every file)
    in this process, before the workers are forked: they then share one import instead of each
    making its own (on the standard library, 0.1 s of CPU per worker for the Python checks' modules)."""
    from sentinel_hooks.engine import detectors
    from sentinel_hooks.engine.languages import language_aliases, language_of

    languages: set[str] = set()
    for lang in {language_of(path) for path in paths} - {None}:
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


def _start(engine: Engine, workers: int, cache: Optional[ResultCache], chunk: int, rss_limit: Optional[int],
           readers: Optional[dict[int, Any]] = None):
    import multiprocessing

    ctx = multiprocessing.get_context(platform_os.start_method())
    # Ctrl-C is held back while the workers start: half-way through creating the pool it would leave
    # workers behind that nobody terminates.
    held = platform_os.hold_interrupts()
    try:
        return quiet_pool_class()(workers, initializer=_init_worker,
                         initargs=(engine.rules, engine.redact, engine.inline_suppressions, cache, chunk, rss_limit,
                                   readers),
                         context=ctx)
    finally:
        platform_os.release_interrupts(held)


def _time_left(deadline: Optional[Deadline]) -> Optional[float]:
    """How long the watchdog (this process) waits for a worker's next result."""
    return deadline.remaining() if deadline is not None else None


# A large diff's files go to the workers a few at a time: up to DIFF_BATCH_FILES files or
# DIFF_BATCH_CHARS characters of their scanned text a round trip (the history of a range comes as
# thousands of small blocks), with at most DIFF_IN_FLIGHT batches per worker queued ahead: enough to keep
# the workers busy while this process reads the range's history (see ``DiffScan.fragments``).
DIFF_BATCH_FILES = 8
DIFF_BATCH_CHARS = 64 * 1024
DIFF_IN_FLIGHT = 4

FileUnits = tuple[str, list[TextUnit]]  # a file's path and the units of it to scan


class UnitScanner:
    """``engine.scan`` over the units of a diff scan, a file's units at a time, the results in the
    order the files came: in this process without a time limit, in one worker process with one
    (terminated at the deadline); once a diff has shown more than PARALLEL_MIN_FILES files holding
    PARALLEL_MIN_BYTES or more (a full scan's rule for workers) and ``workers`` allows, the rest go to
    that many worker processes, several files in flight."""

    def __init__(self, engine: Engine, deadline: Optional[Deadline], workers: int = 1):
        self.engine = engine
        self.deadline = deadline
        self.workers = max(min(workers, default_workers()), 1)
        self.pool = None
        self.pool_size = 0
        self.readers: dict[int, Any] = {}  # module readers the pool's workers hold, by id here

    def __enter__(self) -> "UnitScanner":
        if self.deadline is not None and self.deadline.limited:
            self._use_pool(1)
        return self

    def __exit__(self, *exc) -> None:
        self._close_pool()

    def _use_pool(self, size: int, readers: Optional[dict[int, Any]] = None) -> None:
        self._close_pool()
        self.readers = readers or {}
        self.pool = _start(self.engine, size, None, DEFAULT_CHUNK, None, self.readers)
        self.pool_size = size

    def _close_pool(self) -> None:
        if self.pool is not None:
            self.pool.terminate()
            self.pool.join()
            self.pool = None
            self.pool_size = 0

    def scan_files(self, files: Iterable[FileUnits], on_start: Callable[[str], None] = lambda path: None,
                   large: bool = False, ready: Callable[[], bool] = lambda: True
                   ) -> Iterator[tuple[str, list[TextUnit], list[Finding], Optional[str]]]:
        """For each file: its path, its units, their findings and why a check could not analyse the
        file (or None), in the order of ``files``; ``large`` files go to the workers from the first
        file at which the source is ``ready`` for them (until then they are scanned here).
        ``on_start`` hears of the file scanned or waited for next (what a timeout reports); past the
        deadline its ScanTimeout is raised."""
        pending: deque[tuple[list[FileUnits], Any]] = deque()
        batch: list[FileUnits] = []
        chars = 0
        seen_chars = 0  # of the files' whole texts so far: the full scan's rule for workers, as the files come
        parallel = False
        for count, (path, units) in enumerate(files, 1):
            if not parallel and (large or count > PARALLEL_MIN_FILES and seen_chars >= PARALLEL_MIN_BYTES) and \
                    (self.workers > 1 or self.pool is not None) and ready():
                parallel = True
                # a large diff: all workers from now on, each given the diff's reader of other modules
                # once rather than with every batch (it holds every changed line of the diff)
                if platform_os.start_method() == "fork":
                    import_detectors(self.engine.rules, [path])
                modules = units[0].file().modules
                self._use_pool(self.workers, {id(modules): modules} if modules is not None else None)
            if self.pool_size <= 1:
                on_start(path)
                seen_chars += len(units[0].full_text())
                findings, not_analysed = self._scan_now(units)
                yield path, units, findings, not_analysed
                continue
            batch.append((path, units))
            chars += sum(len(u.text) for u in units)
            if len(batch) >= DIFF_BATCH_FILES or chars >= DIFF_BATCH_CHARS:
                pending.append(self._submit(batch))
                batch, chars = [], 0
                while len(pending) > DIFF_IN_FLIGHT * self.pool_size:
                    yield from self._collect(pending.popleft(), on_start)
        if batch:
            pending.append(self._submit(batch))
        while pending:
            yield from self._collect(pending.popleft(), on_start)

    def _scan_now(self, units: list[TextUnit]) -> tuple[list[Finding], Optional[str]]:
        if self.deadline is not None and self.deadline.expired():
            raise self.deadline.timeout_error()
        if self.pool is None:
            return _scan_with(self.engine, units)
        return self._collect_one(self.pool.apply_async(_scan_units, (transferable(units, self.readers),)))

    def _submit(self, batch: list[FileUnits]) -> tuple[list[FileUnits], Any]:
        if self.deadline is not None and self.deadline.expired():
            raise self.deadline.timeout_error()
        assert self.pool is not None
        return batch, self.pool.apply_async(_scan_files, ([transferable(units, self.readers) for _, units in batch],))

    def _collect(self, submitted: tuple[list[FileUnits], Any], on_start: Callable[[str], None]
                 ) -> Iterator[tuple[str, list[TextUnit], list[Finding], Optional[str]]]:
        batch, pending = submitted
        on_start(batch[0][0])
        for (path, units), (findings, not_analysed) in zip(batch, self._collect_one(pending)):
            yield path, units, findings, not_analysed

    def _collect_one(self, pending: Any) -> Any:
        import multiprocessing

        try:
            return pending.get(timeout=_time_left(self.deadline))
        except multiprocessing.TimeoutError:
            raise self.deadline.timeout_error() from None  # type: ignore[union-attr]


def _scan_with(engine: Engine, units: list[TextUnit]) -> tuple[list[Finding], Optional[str]]:
    findings = [f for unit in units for f in engine.scan(unit)]
    return findings, next((r for r in map(engine.not_analysed, units) if r is not None), None)


def _scan_units(units: list[TextUnit]) -> tuple[list[Finding], Optional[str]]:
    return _scan_with(_worker["engine"], units)


def _scan_files(files: list[list[TextUnit]]) -> list[tuple[list[Finding], Optional[str]]]:
    return [_scan_with(_worker["engine"], units) for units in files]


class _Loaded:
    """A text loaded already, in place of a loader that cannot cross processes (one reading through this
    process's git, or a closure)."""

    def __init__(self, value: Optional[str]):
        self.value = value

    def __call__(self) -> Optional[str]:
        return self.value


class _HeldReader:
    """Stands for a module reader the workers were given when they started: it travels as a number
    and arrives as the worker's copy of the reader."""

    def __init__(self, number: int):
        self.number = number

    def __reduce__(self):
        return _held_reader, (self.number,)


def _held_reader(number: int) -> Any:
    """The worker's copy of reader ``number``. Terminating a pool early (an error or the deadline with
    batches still queued) makes multiprocessing unpickle those batches in this process, which holds no
    copies, to drop them: they get None, so the error that ended the scan is the one reported."""
    readers = _worker.get("readers")
    return None if readers is None else readers[number]


def transferable(units: list[TextUnit], readers: Optional[dict[int, Any]] = None) -> list[TextUnit]:
    """The units with their loaders run here, so they can be sent to a worker, except a base loader
    that is portable (it reads there, if a check asks). Units that share a file's analysis (the windows
    of one file) still share one after the journey, and its texts are sent once. A module reader among
    ``readers`` (those the workers hold) travels as its number."""
    moved: dict[int, tuple[_Loaded, Any, FileAnalysis]] = {}
    out = []
    for u in units:
        original = u.file()
        if id(original) not in moved:
            text = _Loaded(original.text())
            if u.base_text_loader is None:
                base: Any = _Loaded(None)
            else:
                base = original.portable_base_loader() or _Loaded(original.base_text())
            modules = original.modules
            if readers and id(modules) in readers and readers[id(modules)] is modules:
                modules = _HeldReader(id(modules))
            analysis = FileAnalysis(text, base, original.changed_lines, original.deletion_points,
                                    modules)  # a git reader starts its own cat-file over there
            analysis.text()
            analysis.windows = original.windows
            moved[id(original)] = (text, base, analysis)
        text, base, analysis = moved[id(original)]
        out.append(TextUnit(path=u.path, text=u.text, first_line=u.first_line, first_column=u.first_column,
                            partial=u.partial, changed_lines=u.changed_lines,
                            full_text_loader=text if u.full_text_loader is not None else None,
                            base_text_loader=base if u.base_text_loader is not None else None,
                            analysis=analysis, categories=u.categories, commit=u.commit))
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
