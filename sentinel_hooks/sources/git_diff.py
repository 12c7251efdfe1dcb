"""Diff scans: a comparison of two git states becomes the changed files, the lines each change
adds, and the windows around those lines: one ``Fragment`` per changed file.

One ``git diff-index``/``diff-tree`` gives the file list (``--raw``), binary flags (``--numstat``)
and the added lines (``-U0`` hunks) of a staged change. For a range or the work tree, whose added
files can be many, the list comes first and a second diff, run in the background while the added
files are scanned, gives the others' lines (``DiffScan.patched``). New content comes from one
``git cat-file --batch`` (or the work tree). Nothing here reads an unchanged file or walks the tree.
"""
from __future__ import annotations

import bisect
import itertools
import os
import re
from typing import Callable, Iterable, Iterator, Optional, Sequence

from sentinel_hooks import platform_os, text_lines
from sentinel_hooks.errors import GitError
from sentinel_hooks.records import field, record
from sentinel_hooks.sources import constructs, git_history, skips
from sentinel_hooks.sources.fragment import Fragment
from sentinel_hooks.sources.files import (DEFAULT_EXCLUDE_DIRS, BINARY_SNIFF, Excludes, decode, has_lone_cr,
                                         is_binary, open_regular)
from sentinel_hooks.sources.git import C_LOCALE, NULL_SHA, BlobReader, Git, Repo, Spooled, pathspecs
from sentinel_hooks.sources.hunks import deletion_point, read_hunk
from sentinel_hooks.sources.modules import BlobText, GitModules, ModuleReader, WorkTreeModules
from sentinel_hooks.sources.skips import SkipLog

INDEX = "index"
WORKTREE = "working tree"
SUBMODULE_MODE = "160000"
SYMLINK_MODE = "120000"
REGULAR_MODES = ("100644", "100755", "100664")
# exactly the three lines of a Git LFS pointer: anything more (a token, a command) is a file to scan
LFS_POINTER = re.compile(rb"version https://git-lfs\.github\.com/spec/v1\noid sha256:[0-9a-f]{64}\nsize [0-9]{1,20}\n?")
HISTORY_CATEGORIES = frozenset({"secrets"})  # the rules that judge every commit of a range, not the net change
C_ESCAPES = {ord("a"): 7, ord("b"): 8, ord("t"): 9, ord("n"): 10, ord("v"): 11, ord("f"): 12,
             ord("r"): 13, ord('"'): 34, ord("\\"): 92}


@record(frozen=True)
class Comparison:
    """From ``base`` (a commit or tree SHA) to ``target``: INDEX, WORKTREE or a commit SHA."""

    base: str
    target: str

    def diff_command(self, *, as_text: bool = False, listing: bool = False, but_added: bool = False) -> list[str]:
        """``as_text`` adds ``--text``: added lines even for a file that attributes call binary;
        ``listing`` asks for the changed files only (``--raw``, no diff computed); ``but_added`` leaves
        out added and deleted files (whose content is read whole, or not at all)."""
        options = ["--text"] if as_text else []
        options += ["-M", "-z", "--raw"] if listing else \
            ["-M", "-z", "--raw", "--numstat", "-p", "-U0", "--inter-hunk-context=0", "--src-prefix=a/",
             "--dst-prefix=b/"]
        options += ["--no-abbrev", "--no-color", "--no-ext-diff", "--no-textconv", "--no-relative"]
        if but_added:
            options.append("--diff-filter=ad")
        if self.target == INDEX:
            return ["diff-index", "--cached", *options, self.base]
        if self.target == WORKTREE:
            return ["diff-index", *options, self.base]
        return ["diff-tree", "-r", *options, self.base, self.target]


@record(frozen=True)
class RangeInfo:
    """How a report names a comparison: the scan ``mode`` (``staged`` or ``baseline``), the base commit
    and the ref it came from, the target, and ``label``, the range as people read it."""

    mode: str
    base: str
    base_ref: Optional[str]
    target: str
    label: str
    requested_ref: Optional[str] = None  # --baseline as given, when another name resolved
    base_source: Optional[str] = None    # where --baseline auto found the base


@record
class FileChange:
    """One entry of the diff: ``path`` is the new path, ``old_path`` differs for renames."""

    path: str
    old_path: str
    status: str
    old_mode: str
    new_mode: str
    old_blob: str
    new_blob: str
    binary: bool = False  # git's verdict, which attributes steer; the content decides in the end
    added: list[int] = field(default_factory=list)
    # new-file lines after which lines were removed (0: at the start): where a deletion touches the file
    deleted_at: list[int] = field(default_factory=list)
    memo: dict = field(default_factory=dict)

    @property
    def is_new(self) -> bool:
        return self.status == "A" or self.old_mode == "000000"


# -- parsing ------------------------------------------------------------------------------------
class _Tokens:
    def __init__(self, data: bytes):
        self.data = data
        self.pos = 0

    def at_end(self) -> bool:
        return self.pos >= len(self.data)

    def peek(self) -> bytes:
        return self.data[self.pos:self.pos + 1]

    def next(self) -> bytes:
        end = self.data.find(b"\0", self.pos)
        if end < 0:
            end = len(self.data)
        token = self.data[self.pos:end]
        self.pos = end + 1
        return token


def parse_diff(data: bytes) -> list[FileChange]:
    """Parse ``-z --raw --numstat -p -U0`` output into changes carrying their added lines; output
    that git would never write is a GitError, not a crash."""
    try:
        return _parse_diff(data)
    except (ValueError, IndexError) as exc:
        raise GitError(f"unexpected output from git diff ({exc.__class__.__name__})") from None


def _parse_diff(data: bytes) -> list[FileChange]:
    tokens = _Tokens(data)
    changes: list[FileChange] = []
    while not tokens.at_end() and tokens.peek() == b":":
        fields = tokens.next()[1:].decode("ascii").split(" ")
        old_mode, new_mode, old_blob, new_blob, status = fields[:5]
        first = os.fsdecode(tokens.next())
        second = os.fsdecode(tokens.next()) if status[:1] in ("R", "C") else first
        changes.append(FileChange(path=second, old_path=first, status=status[:1], old_mode=old_mode,
                                  new_mode=new_mode, old_blob=old_blob, new_blob=new_blob))
    binary: set[str] = set()
    while not tokens.at_end() and tokens.peek() != b"\0":
        added, _deleted, path = tokens.next().split(b"\t", 2)
        if not path:
            tokens.next()
            path = tokens.next()
        if added == b"-":
            binary.add(os.fsdecode(path))
    if not tokens.at_end():
        tokens.pos += 1  # the separator before the patch
    lines = changed_lines(data[tokens.pos:])
    for change in changes:
        change.binary = change.path in binary
        change.added, change.deleted_at = lines.get(change.path, ([], []))
    return changes


def unquote_c(name: bytes) -> bytes:
    """Undo git's C-style quoting of a path (``"a\\tb"``); unquoted names pass through."""
    if len(name) < 2 or not (name.startswith(b'"') and name.endswith(b'"')):
        return name
    body, out, i = name[1:-1], bytearray(), 0
    while i < len(body):
        c = body[i]
        if c == 0x5C and i + 1 < len(body):
            nxt = body[i + 1]
            digits = body[i + 1:i + 4]
            if len(digits) == 3 and all(0x30 <= d <= 0x37 for d in digits):
                out.append(int(digits, 8) & 0xFF)
                i += 4
                continue
            out.append(C_ESCAPES.get(nxt, nxt))
            i += 2
            continue
        out.append(c)
        i += 1
    return bytes(out)


def _new_path(header_rest: bytes) -> Optional[str]:
    """The path of a ``+++ b/PATH`` line (None for /dev/null)."""
    if header_rest.endswith(b"\t"):
        header_rest = header_rest[:-1]  # git appends a tab to unquoted names holding a space
    if header_rest == b"/dev/null":
        return None
    name = unquote_c(header_rest)
    return os.fsdecode(name[2:] if name.startswith(b"b/") else name)


def added_lines(patch: bytes) -> dict[str, list[int]]:
    """New-file line numbers of the ``+`` lines of each file in a unified diff."""
    return {path: added for path, (added, _) in changed_lines(patch).items()}


def changed_lines(patch: bytes) -> dict[str, tuple[list[int], list[int]]]:
    """Per file of a unified diff: the new-file line numbers of its ``+`` lines, and its deletion
    points (the new-file line after which a hunk that adds nothing removed lines).

    Hunk bodies are consumed by their header's counts, so an added line that itself starts
    with ``++ `` or ``@@`` is never taken for a header.
    """
    out: dict[str, tuple[list[int], list[int]]] = {}
    lines = patch.split(b"\n")
    current: Optional[tuple[list[int], list[int]]] = None
    i = 0
    while i < len(lines):
        line = lines[i]
        i += 1
        if line.startswith(b"diff "):
            current = None
        elif line.startswith(b"+++ "):
            path = _new_path(line[4:])
            current = None if path is None else out.setdefault(path, ([], []))
        elif line.startswith(b"@@ "):
            hunk = read_hunk(lines, line, i)
            if hunk is None:
                continue
            added, i = hunk
            if current is not None:
                current[0].extend(number for number, _ in added)
                point = deletion_point(line)
                if point is not None:
                    current[1].append(point)
    return out


# -- windows ------------------------------------------------------------------------------------
def line_windows(added: Iterable[int], context: int, line_count: int) -> list[tuple[int, int]]:
    """Inclusive line ranges around the added lines, ``context`` lines each side, merged when
    they overlap or touch."""
    windows: list[tuple[int, int]] = []
    for n in sorted(set(added)):
        if n < 1 or n > line_count:
            continue
        start, end = max(1, n - context), min(line_count, n + context)
        if windows and start <= windows[-1][1] + 1:
            windows[-1] = (windows[-1][0], max(windows[-1][1], end))
        else:
            windows.append((start, end))
    return windows


def _patch_pathspecs(changes: Sequence[FileChange], spec: list[str]) -> list[str]:
    """What the background diff of a range compares: the files it patches by name (both names of a
    rename), so git diffs and looks for renames among those alone, not among every added and deleted
    file of the range again; ``spec``, the scan's own paths, when the names would not fit on a command
    line."""
    named = pathspecs(sorted({p for c in changes for p in (c.old_path, c.path)}))
    if sum(len(arg) + 3 for arg in named) > platform_os.MAX_COMMAND_CHARS - 1000:
        return spec
    return ["--", *named]


def window_fragment(path: str, text: str, added: Sequence[int], context: int,
                    base_loader: Optional[Callable[[], Optional[str]]], *, deleted_at: Sequence[int] = (),
                    old_blob: Optional[str] = None, new_blob: Optional[str] = None,
                    modules: Optional[ModuleReader] = None, starts: Optional[list[int]] = None,
                    spans: Optional[list[tuple[int, int]]] = None) -> Fragment:
    """The changed file with its added lines, its ``deleted_at`` points (the lines after which lines were
    removed) and the windows around them (``context`` lines each side); the engine scans each window,
    able to load the whole file and its base version. A window holding part of a multi-line construct
    (a private-key block, a multi-line string) grows to the whole construct, and one holding a change
    of a Python function grows to the whole function, where a deleted guard can expose a sink.
    ``starts`` are the text's ``counted_line_starts`` and ``spans`` its ``construct_spans`` when known."""
    if starts is None:
        starts = _counted_starts(text)
    # a deletion point touches the lines on both sides of the gap
    touched = list(added) + [n for point in deleted_at for n in (point, point + 1)]
    spans = constructs.construct_spans(path, text, starts) if spans is None else list(spans)
    spans += constructs.python_blocks(path, text, starts, touched)
    windows = constructs.widen(line_windows(touched, context, len(starts)), sorted(spans), touched)
    return Fragment(path=path, text=text, changed_lines=frozenset(added), windows=tuple(windows),
                    deleted_at=tuple(deleted_at), load_base=base_loader, old_blob=old_blob, new_blob=new_blob,
                    modules=modules, line_starts=starts)


def _counted_starts(text: str) -> list[int]:
    return text_lines.counted_line_starts(text) if text else []


def whole_fragment(path: str, text: str, *, new_blob: Optional[str] = None,
                   modules: Optional[ModuleReader] = None) -> Fragment:
    """A file scanned whole (added, untracked, or named with nothing changed): every line counts."""
    return Fragment(path=path, text=text, new_blob=new_blob, modules=modules)


# -- the scan source ----------------------------------------------------------------------------
IMPORTER_EXTENSIONS = (".py", ".ts", ".tsx", ".mts", ".cts", ".js", ".mjs", ".cjs", ".jsx")
IMPORTER_CATEGORIES = frozenset({"mcp-tools"})  # the rules that read tool descriptions
MAX_IMPORTERS = 32
MAX_IMPORTER_BYTES = 2_000_000
_STEM = re.compile(r"[A-Za-z_$][A-Za-z0-9_$-]{0,99}")


def module_stem(path: str) -> Optional[str]:
    """The name other files import the module at ``path`` by (its file name without extension, or its
    folder's for ``__init__``/``index``), or None for a file that is not a Python/JS/TS module."""
    folder, _, name = path.rpartition("/")
    stem, dot, ext = name.rpartition(".")
    if not dot or "." + ext not in IMPORTER_EXTENSIONS:
        return None
    if stem in ("__init__", "index"):
        stem = folder.rpartition("/")[2]
    return stem.replace("$", "\\$") if _STEM.fullmatch(stem) else None


def _glob_free_folder(parts: list[str]) -> str:
    """The folder of ``parts`` cut before the first name holding a glob character (``*?[]`` or a
    backslash): a pathspec of that folder searches a wider tree, never a narrower or another one."""
    kept = []
    for part in parts:
        if any(c in part for c in "*?[]\\"):
            break
        kept.append(part)
    return "/".join(kept)


def _is_sha(text: str) -> bool:
    return len(text) >= 40 and all(c in "0123456789abcdef" for c in text)


def is_lfs_pointer(data: bytes) -> bool:
    return len(data) <= 200 and LFS_POINTER.fullmatch(data) is not None


class DiffScan:
    """The fragments of one comparison, restricted to ``paths`` (repository-relative; empty for all).

    ``whole_files`` are scanned whole when the diff holds no change for them (the files
    pre-commit passes that have nothing staged); ``untracked`` adds untracked, non-ignored files
    as wholly added (for work-tree comparisons); ``history`` adds, for the secrets rules only, the
    lines every commit between the base and the target added (see ``git_history``).
    """

    def __init__(self, git: Git, repo: Repo, comparison: Comparison, *, paths: Sequence[str] = (),
                 context: int = 3, excludes: Optional[Excludes] = None, max_file_size: Optional[int] = None,
                 whole_files: Sequence[str] = (), untracked: bool = False, history: bool = False,
                 info: Optional[RangeInfo] = None, shown_paths: Sequence[str] = ()):
        self.git = git
        self.repo = repo
        self.comparison = comparison
        self.paths = [] if all(p == "" for p in paths) else list(paths)  # "" is the whole repository
        self.context = context
        self.excludes = excludes
        self.max_file_size = max_file_size
        self.whole_files = list(whole_files)
        self.untracked = untracked
        self.history = history
        self.info = info
        self.shown_paths = list(shown_paths)  # the paths as given, for the report
        self.history_commits: Optional[int] = None  # set by the history pass as it runs
        self.history_truncated = False
        self.skipped = SkipLog()
        self.errors: list[tuple[str, str]] = []
        self.blobs = BlobReader(git)
        self._exclude_memo: dict[str, bool] = {}
        self._lone_cr: set[str] = set()
        self._modules: dict[str, ModuleReader] = {}
        # path -> (added lines, None for an added file: all of them; deletion points), for ModuleReader.changes
        self._changed: dict[str, tuple[Optional[frozenset[int]], frozenset[int]]] = {}
        self._changes: Optional[list[FileChange]] = None
        # the net change's scanned texts: path -> (text, the lines that count; None: all of them)
        self._net_texts: dict[str, tuple[str, Optional[frozenset[int]]]] = {}
        self._started = False  # git's work began (``start``) and nothing read its lines yet
        self.held_back: list[git_history.HeldBlock] = []  # history blocks the net change judges, file by file
        self._history_run: Optional[Spooled] = None  # the history pass's git log, started with the diff
        self._history_reader: Optional[git_history.HistoryReader] = None  # its reading, once git has ended
        self._waiting: list[str] = []  # changed files whose history blocks wait for the history to be read
        self._patch_run: Optional[Spooled] = None  # the added lines of the files that existed before
        self._importer_run: Optional[Spooled] = None  # the search for files importing a changed module
        self._importer_search: list[str] = []  # its git grep's options and paths, after the kind of regex
        self.history_order: list[str] = []  # the range's commits, oldest first
        # the history's blocks not judged yet, by path (None until the history is read); characters
        # net_span may still search
        self._history_blocks: Optional[dict[str, list[git_history.AddedBlock]]] = None
        self._net_search_left = git_history.MAX_NET_SEARCH_CHARS

    def again(self, *, context: int, excludes: Optional[Excludes], max_file_size: Optional[int]) -> "DiffScan":
        """A fresh scan of the same comparison under other settings (another policy's). The first takes
        the git work ``start`` began here, which no setting changes; the next ones run git again."""
        fresh = DiffScan(self.git, self.repo, self.comparison, paths=self.paths, context=context, excludes=excludes,
                         max_file_size=max_file_size, whole_files=self.whole_files, untracked=self.untracked,
                         history=self.history, info=self.info, shown_paths=self.shown_paths)
        if self._started:
            fresh._changes, fresh._patch_run, fresh._history_run = self._changes, self._patch_run, self._history_run
            self._changes = self._patch_run = self._history_run = None
            self._started = False
        return fresh

    def start(self) -> None:
        """Begin the comparison's git work now: the list of changed files and, in the background, the
        added lines of those that existed before and the range's history, while the caller loads its
        rules (a scan of a commit's staged files, one quick diff, starts when its files are asked for)."""
        if self.comparison.target != INDEX and self._changes is None:
            self.changes()
            self._started = True

    def __enter__(self) -> "DiffScan":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        self.close_reader()
        for running in (self._history_run, self._patch_run, self._importer_run):
            if running is not None:
                running.close()
        self._history_run = self._patch_run = self._importer_run = None

    def close_reader(self) -> None:
        """Stop the ``git cat-file`` that reads objects; git's work for the comparison goes on."""
        self.blobs.close()

    def modules(self, state: str) -> ModuleReader:
        """The reader of other modules at ``state`` (INDEX, WORKTREE or the target commit), comparing
        with the base; one per state, shared by the scan's files."""
        if state not in self._modules:
            base = self.comparison.base
            self._modules[state] = (WorkTreeModules(str(self.repo.root), self.blobs, base) if state == WORKTREE
                                    else GitModules(self.blobs, "" if state == INDEX else state, base))
            self._modules[state].changes = self._changed
        return self._modules[state]

    def _pathspec_args(self, paths: Sequence[str]) -> list[str]:
        return ["--", *pathspecs(paths)] if paths else []

    def changes(self) -> list[FileChange]:
        """The comparison's changed files, by path (read from git once)."""
        if self._changes is None:
            tip = self._history_tip()
            if tip is not None and self._history_run is None:  # git reads the history meanwhile
                self._history_run = git_history.start(self.git, self.comparison.base, tip, self.paths)
            spec = self._pathspec_args(self.paths)
            if self.comparison.target == INDEX:  # a commit's few files: one diff holds all
                self._changes = sorted(parse_diff(self.git.output(self.comparison.diff_command() + spec)),
                                       key=lambda c: c.path)
                return self._changes
            # a pushed range or a work tree: the list of files first, then, in the background, the added
            # lines of those that existed before (added files are read whole, meanwhile)
            out = self.git.output(self.comparison.diff_command(listing=True) + spec)
            self._changes = sorted(parse_diff(out), key=lambda c: c.path)
            patched = [c for c in self._changes if not c.is_new and c.status != "D"]
            if patched:
                self._patch_run = self.git.spool(self.comparison.diff_command(but_added=True)
                                                 + _patch_pathspecs(patched, spec))
        return self._changes

    def patched(self) -> bool:
        """Whether every change knows its added lines (asked without waiting: the background diff has
        ended and is read now, or none was needed). Worker processes start only then, since each
        takes the diff's changed lines with it."""
        if self._patch_run is not None and self._patch_run.done():
            self._read_patch()
        return self._patch_run is None

    def _read_patch(self) -> None:
        """Wait for the background diff and give each change its added lines and deletion points."""
        running, self._patch_run = self._patch_run, None
        if running is None:
            return
        self._started = False  # the changes now hold what this scan's settings made of them
        by_path = {c.path: c for c in self.changes()}
        for patched in parse_diff(running.output()[1]):
            change = by_path.get(patched.path)
            if change is not None and not change.is_new:
                change.added, change.deleted_at, change.binary = patched.added, patched.deleted_at, patched.binary
                if change.status != "D":
                    self._read_binary_as_text(change)
                    self._changed[change.path] = (frozenset(change.added), frozenset(change.deleted_at))

    def is_large(self, files: int, size: int) -> bool:
        """Whether the comparison leaves ``files`` or more changed files (deletions aside) holding ``size``
        bytes or more in all: a full scan's rule for worker processes, judged before a file is read
        (one ``git cat-file`` reports the new blobs' sizes; a work-tree file's size is looked up)."""
        changes = [c for c in self.changes() if c.status != "D"]
        if len(changes) < files:
            return False
        blobs = [c.new_blob for c in changes if c.new_blob.strip("0")]
        total = 0
        if blobs:
            try:
                _, out = self.git.run(["cat-file", "--batch-check=%(objectsize)"],
                                      stdin=("\n".join(blobs) + "\n").encode("ascii"))
            except GitError:
                return False
            total = sum(int(line) for line in out.split() if line.isdigit())
        for change in (c for c in changes if not c.new_blob.strip("0")):  # in the work tree
            try:
                total += os.lstat(os.path.join(self.repo.root, change.path)).st_size
            except (OSError, ValueError):
                continue
        return total >= size

    def fragments(self) -> Iterator[Fragment]:
        changes = self.changes()
        self._started = False
        pending = self._patch_run is not None
        # added files count whole; the others by their added lines, known now or once the diff is read
        if not pending:
            for change in changes:
                self._read_binary_as_text(change)
        self._changed.update({c.path: (None, frozenset()) if c.is_new else (frozenset(c.added), frozenset(c.deleted_at))
                              for c in changes if c.status != "D" and (c.is_new or not pending)})
        before, after = changes, []
        if pending:  # the added files first, while git computes the others' lines; a quarter of them last,
            # scanned while git searches for the importers of the others (which needs their lines)
            added = [c for c in changes if c.is_new]
            cut = len(added) - len(added) // 4
            before, after = added[:cut] + [c for c in changes if not c.is_new], added[cut:]
        yield from self._change_fragments(before)
        search = self._start_importer_search(changes)
        if after:
            yield from self._history_so_far()
        yield from self._change_fragments(after)
        touched = {c.path for c in changes} | {c.old_path for c in changes}
        yield from self._importer_fragments(search, touched)
        pending = [p for p in self.whole_files if p and p not in touched]
        if pending:
            yield from self._whole_file_fragments(pending)
        if self.untracked:
            yield from self._untracked_fragments()
        if self.history:
            yield from self._history_rest()

    def _change_fragments(self, changes: list[FileChange]) -> Iterator[Fragment]:
        """Each change's fragment, with the history blocks of its file once they can be judged."""
        for change in changes:
            if not change.is_new:
                self._read_patch()
            fragment = self._change_fragment(change)
            if _may_hold_constants(change):  # what the importer search asks, judged while the text is at hand
                self._touches_constant(change)
            _forget_text(change)
            if fragment is not None:
                yield fragment
            yield from self._history_of(change.path)
            yield from self._history_part()

    # -- one change -----------------------------------------------------------------------
    def _skip_for_mode(self, mode: str, path: str) -> bool:
        if mode == SUBMODULE_MODE:
            self.skipped.add(skips.SUBMODULE, path)
        elif mode == SYMLINK_MODE:
            self.skipped.add(skips.SYMLINK, path)
        elif mode not in REGULAR_MODES:
            self.skipped.add(skips.NOT_REGULAR, path)
        else:
            return False
        return True

    def _excluded(self, path: str) -> bool:
        """Whether the excludes match ``path``, recording the skip when they do."""
        if self._is_excluded(path):
            self.skipped.add(skips.EXCLUDED, path)
            return True
        return False

    def _is_excluded(self, path: str) -> bool:
        return self.excludes is not None and self.excludes.match_under(path, self._exclude_memo)

    def _change_fragment(self, change: FileChange) -> Optional[Fragment]:
        path = change.path
        if change.status == "D":
            self.skipped.add(skips.DELETED, path)
            return None
        if change.status == "U" or self._skip_for_mode(change.new_mode, path) or self._excluded(path):
            return None
        self._read_binary_as_text(change)  # binary content keeps git's empty lines: it ends at the next check
        if not change.is_new and not change.added and not change.deleted_at:
            return None  # a pure rename or a mode change: nothing added or removed
        text = self._new_text(change)
        if text is None:
            return None
        new_blob = None if change.new_blob == NULL_SHA else change.new_blob
        modules = self.modules(self.comparison.target)
        if change.is_new or path in self._lone_cr:
            # git numbers lines by LF only: in a file with lone CRs its line numbers are not ours
            if self.history:
                self._net_texts[path] = (text, None)
            return whole_fragment(path, text, new_blob=new_blob, modules=modules)
        if self.history:
            self._net_texts[path] = (text, frozenset(change.added))
        base = BlobText(self.blobs, change.old_blob)
        return window_fragment(path, text, change.added, self.context, base, deleted_at=change.deleted_at,
                               old_blob=change.old_blob, new_blob=new_blob, modules=modules,
                               starts=self._starts(change), spans=self._spans(change))

    def _new_text(self, change: FileChange) -> Optional[str]:
        """The changed file's new content (read once), or None when it is binary or unreadable."""
        if "new_text" not in change.memo:
            if self.comparison.target == WORKTREE and change.new_blob == NULL_SHA:
                change.memo["new_text"] = self._work_tree_text(change.path)
            else:
                change.memo["new_text"] = self._blob_text(change.new_blob, change.path)
        return change.memo["new_text"]

    def _read_binary_as_text(self, change: FileChange) -> None:
        """A change git calls binary whose new content is text gets its added lines and deletion points
        from a --text diff: git's verdict follows .gitattributes (binary, -diff, -text), which the change
        itself can set, so the content decides. Done once, where the change's lines become known and
        before a worker takes them (``ModuleReader.changes``: a tool importing its text sees them)."""
        if not change.binary or change.is_new or change.status in ("D", "U") or "as_text" in change.memo:
            return
        change.memo["as_text"] = True
        if change.new_mode not in REGULAR_MODES or self._is_excluded(change.path):
            return  # skipped, with its reason, when its fragment is asked for
        if self._new_text(change) is not None:
            change.added, change.deleted_at = self._added_as_text(change)

    def _added_as_text(self, change: FileChange) -> tuple[list[int], list[int]]:
        """The added lines and deletion points of a change git called binary, from a --text diff."""
        paths = sorted({change.path, change.old_path})
        out = self.git.output(self.comparison.diff_command(as_text=True) + self._pathspec_args(paths))
        for again in parse_diff(out):
            if again.path == change.path:
                return again.added, again.deleted_at
        return [], []

    def _accept(self, data: bytes, path: str) -> Optional[str]:
        if self.max_file_size is not None and len(data) > self.max_file_size:
            self.skipped.add(skips.TOO_LARGE, path)
            return None
        if is_lfs_pointer(data):
            self.skipped.add(skips.LFS_POINTER, path)
            return None
        if is_binary(data[:BINARY_SNIFF]):
            self.skipped.add(skips.BINARY, path)
            return None
        if has_lone_cr(data):
            self._lone_cr.add(path)
        return decode(data)

    def _blob_text(self, blob: str, path: str) -> Optional[str]:
        try:
            data = self.blobs.read(blob)
        except GitError as exc:  # a corrupt object stops git cat-file: report the file, go on
            self.blobs.close()
            self.errors.append((path, f"git object {blob} cannot be read ({exc})"))
            self.skipped.add(skips.UNREADABLE, path)
            return None
        if data is None:
            self.errors.append((path, f"git object {blob} is missing"))
            self.skipped.add(skips.UNREADABLE, path)
            return None
        return self._accept(data, path)

    def _work_tree_text(self, path: str) -> Optional[str]:
        full = os.path.join(self.repo.root, path)
        try:
            st = os.lstat(full)
        except FileNotFoundError:
            return None  # deleted in the work tree since the diff ran
        except OSError as exc:
            return self._unreadable(path, exc)
        reason = skips.stat_reason(st, self.max_file_size)
        if reason is not None:
            self.skipped.add(reason, path)
            return None
        try:
            fh = open_regular(full)
            if fh is None:  # replaced by something else since the lstat
                self.skipped.add(skips.NOT_REGULAR, path)
                return None
            with fh:
                data = fh.read()
        except OSError as exc:
            return self._unreadable(path, exc)
        return self._accept(data, path)

    def _unreadable(self, path: str, exc: OSError) -> None:
        self.errors.append((path, exc.strerror or str(exc)))
        self.skipped.add(skips.UNREADABLE, path)
        return None

    # -- files importing a changed module -----------------------------------------------------
    def _start_importer_search(self, changes: list[FileChange]) -> Optional[Spooled]:
        """Start the search for unchanged files that import a changed Python, JavaScript or TypeScript
        module and may declare tools (``_importer_fragments`` reads them): one ``git grep`` of the same
        state, in the background, once every change's lines are known. None when nothing is searched."""
        self._read_patch()
        # a module counts when the change touches one of its module-level string constants
        modules = [c for c in changes if _may_hold_constants(c) and self._touches_constant(c)]
        if not modules or self.comparison.target not in (INDEX, WORKTREE) and not _is_sha(self.comparison.target):
            return None
        stems = sorted({module_stem(c.path) or "" for c in modules})
        # importers live near what they import: below the folder above each module's own (its package
        # and the packages beside it), which keeps the search small in a large repository
        scopes = sorted({_glob_free_folder(c.path.split("/")[:-2]) for c in modules})
        scopes = [s for s in scopes if not any(s != o and (not o or s.startswith(o + "/")) for o in scopes)]
        names = "|".join(stems)
        args = ["-l", "-z", "-I", "--full-name", "--no-color", "--all-match",
                "-e", f"(from|import|require).*(^|[^A-Za-z0-9_$])({names})([^A-Za-z0-9_$]|$)",
                "-e", "[Tt]ool|[Pp]rompt|[Rr]esource"]
        state = self.comparison.target
        if state == INDEX:
            args.append("--cached")
        elif state != WORKTREE:
            args.append(state)
        self._importer_search = [*args, "--", *(f":(top,glob){scope + '/' if scope else ''}**/*{e}"
                                                for scope in scopes for e in IMPORTER_EXTENSIONS)]
        try:
            # Perl regexes (JIT-compiled) match this alternation of many names about five times faster
            # than POSIX ones; both read it alike, and a git without them gets the POSIX search
            self._importer_run = self.git.spool(["grep", "-P", *self._importer_search], env=C_LOCALE)
        except GitError:
            return None
        return self._importer_run

    def _importer_fragments(self, search: Optional[Spooled], touched: set[str]) -> Iterator[Fragment]:
        """The files the importer search found, but those the change touches: their tool descriptions may
        be a changed module's constants, so the tool-metadata rules judge them (a finding is kept only
        where the reported text comes from a changed line of the module); at most ``MAX_IMPORTERS``."""
        if search is None:
            return
        try:
            # git grep ends with 1 when it finds nothing; the run is closed after it (``close`` stops it
            # on an interrupt while waiting)
            _, out = search.output(ok=(0, 1))
        except GitError:
            # a git built without Perl regexes, or one that gave up on a file's text (a bound of the
            # regex library): the same search with POSIX regexes
            try:
                _, out = self.git.run(["grep", "-E", *self._importer_search], ok=(0, 1), env=C_LOCALE)
            except GitError:
                return
        state = self.comparison.target
        prefix = b"" if state in (INDEX, WORKTREE) else state.encode("ascii") + b":"
        found = sorted({os.fsdecode(p[len(prefix):] if p.startswith(prefix) else p) for p in out.split(b"\0") if p})
        modules = self.modules(state)
        for path in [p for p in found if p not in touched][:MAX_IMPORTERS]:
            if self._is_excluded(path):
                continue
            if state == WORKTREE:
                text = self._work_tree_text(path)
            else:
                data = self.blobs.read_blob(f"{'' if state == INDEX else state}:{path}", MAX_IMPORTER_BYTES)
                text = None if data is None else self._accept(data, path)
            if text:
                yield Fragment(path=path, text=text, changed_lines=frozenset(), modules=modules,
                               categories=IMPORTER_CATEGORIES)

    def _touches_constant(self, change: FileChange) -> bool:
        """Whether the change touches a module-level string constant of its module (judged once)."""
        if "touches_constant" not in change.memo:
            text = self._new_text(change)
            touched = list(change.added) + [n for point in change.deleted_at for n in (point, point + 1)]
            change.memo["touches_constant"] = bool(text) and constructs.touches_module_constant(
                change.path, text, self._starts(change), touched, self._spans(change))  # type: ignore[arg-type]
        return change.memo["touches_constant"]

    def _spans(self, change: FileChange) -> list[tuple[int, int]]:
        """The multi-line constructs of the change's new text, found once for its window and its importer
        search."""
        if "spans" not in change.memo:
            change.memo["spans"] = constructs.construct_spans(change.path, self._new_text(change) or "",
                                                              self._starts(change))
        return change.memo["spans"]

    def _starts(self, change: FileChange) -> list[int]:
        """The line starts of the change's new text, counted once for its window and its importer search."""
        if "starts" not in change.memo:
            change.memo["starts"] = _counted_starts(self._new_text(change) or "")
        return change.memo["starts"]

    # -- whole files --------------------------------------------------------------------------
    def _whole_file_fragments(self, paths: list[str]) -> Iterator[Fragment]:
        """Files passed by name with no change in the comparison: their index content when
        tracked, else the work-tree file."""
        out = self.git.output(["ls-files", "-s", "-z", "--full-name", *self._pathspec_args(paths)])
        indexed: dict[str, tuple[str, str]] = {}
        for line in out.split(b"\0"):
            if not line:
                continue
            meta, _, name = line.partition(b"\t")
            mode, blob, stage = meta.decode("ascii").split(" ")
            if stage == "0":
                indexed[os.fsdecode(name)] = (mode, blob)
        for path in sorted(set(paths)):
            if self._excluded(path):
                continue
            if path in indexed:
                mode, blob = indexed[path]
                if self._skip_for_mode(mode, path):
                    continue
                text = self._blob_text(blob, path)
                modules = self.modules(INDEX)
            else:
                blob, text, modules = None, self._work_tree_text(path), self.modules(WORKTREE)
            if text is not None:
                yield whole_fragment(path, text, new_blob=blob, modules=modules)

    def _history_of(self, path: str) -> Iterator[Fragment]:
        """The history blocks of the changed file ``path``, its net text now settled (its fragment made),
        when the history has been read; else they wait for it (``_history_so_far``)."""
        if not self.history:
            return
        if self._history_blocks is not None:
            yield from self._judged_file(path)
        else:
            self._waiting.append(path)

    def _history_part(self) -> Iterator[Fragment]:
        """Read one more part of the history once git has ended: a change at a time, while the workers have
        files queued, rather than all of it in one pause that leaves them idle. The part after the last
        reads the history (``_history_so_far``), so the blocks of the files before come then."""
        if self._history_run is None or self._history_blocks is not None:
            return
        if self._history_reader is None:
            if not self._history_run.done():
                git_history.bound(self._history_run)  # running still: stopped once its output passes the bound
                return
            self._history_reader = git_history.HistoryReader(self._history_run)
        if not self._history_reader.advance():
            yield from self._history_so_far()

    def _history_so_far(self) -> Iterator[Fragment]:
        """Read the history if git has ended (else it is read at the end, ``_history_rest``), and judge the
        blocks of the files whose fragments were made before (``_waiting``); each later file's blocks then
        follow the file."""
        tip = self._history_tip()
        if tip is None or self._history_blocks is not None or self._history_run is None or \
                not self._history_run.done():
            return
        self._read_history(tip)
        waiting, self._waiting = self._waiting, []
        for path in waiting:
            yield from self._judged_file(path)

    def _judged_file(self, path: str) -> Iterator[Fragment]:
        """The history blocks of the changed file ``path`` judged (``_judged``), the history read: its net
        text, needed for nothing else, goes then."""
        yield from self._judged(self._history_blocks.pop(path, []))  # type: ignore[union-attr]
        self._net_texts.pop(path, None)

    def _history_rest(self) -> Iterator[Fragment]:
        """The history blocks not judged yet (all of them when git ended after the last change), path by
        path in the order the history first names them: each commit's added lines, for the secrets rules;
        findings carry the commit."""
        if self._history_blocks is None:
            tip = self._history_tip()
            if tip is None:
                return
            self._read_history(tip)
        rest, self._history_blocks = self._history_blocks, {}
        for blocks in rest.values():  # type: ignore[union-attr]
            yield from self._judged(blocks)
        self._net_texts.clear()
        self._waiting = []

    def _read_history(self, tip: str) -> None:
        started, self._history_run = self._history_run, None
        reader, self._history_reader = self._history_reader, None
        if reader is None and started is not None:
            reader = git_history.HistoryReader(started)
        history = git_history.read_history(self.git, self.comparison.base, tip, self.paths, reader)
        self.history_commits = history.commits
        self.history_order = history.order
        if history.truncated:
            self.history_truncated = True
        self._history_blocks = {}
        for block in history.blocks:
            self._history_blocks.setdefault(block.path, []).append(block)

    def _judged(self, blocks: list[git_history.AddedBlock]) -> Iterator[Fragment]:
        """History blocks as fragments to scan, but those the net change holds unchanged: judged there,
        they are held back (``held_back_fragments``)."""
        for block in blocks:
            if self._is_excluded(block.path):
                continue
            net = self._net_texts.get(block.path)
            if net is not None and self._net_search_left > 0:
                self._net_search_left -= len(net[0])
                span = git_history.net_span(*net, block.text)
                if span is not None:
                    self.held_back.append(git_history.HeldBlock(block, *span))
                    continue
            yield _history_fragment(block)

    def _history_tip(self) -> Optional[str]:
        """The last commit of the range the history pass reads (None: no pass)."""
        if not self.history:
            return None
        tip = self.repo.head if self.comparison.target in (INDEX, WORKTREE) else self.comparison.target
        return None if tip is None or tip == self.comparison.base else tip

    def held_back_fragments(self, net_findings: Iterable) -> list[Fragment]:
        """The held-back blocks on whose net lines the net scan reported something (findings with a
        path and lines): scanned as history too, they name the commit that added a net secret and
        keep what the secrets rules report there apart from the net change's verdict."""
        reported: dict[str, list[tuple[int, int]]] = {}
        for f in net_findings:
            reported.setdefault(f.path, []).append((f.line, f.end_line))
        # per path, the findings by first line and the furthest last line among the first k of them:
        # a block overlaps one when one of those starting by its last line reaches its first
        starts: dict[str, list[int]] = {}
        reach: dict[str, list[int]] = {}
        for path, spans in reported.items():
            spans.sort()
            starts[path] = [first for first, _ in spans]
            reach[path] = list(itertools.accumulate((last for _, last in spans), max))
        out = []
        for held in self.held_back:
            path = held.block.path
            k = bisect.bisect_right(starts.get(path, ()), held.last)
            if k and reach[path][k - 1] >= held.first:
                out.append(_history_fragment(held.block))
        return out

    def _untracked_fragments(self) -> Iterator[Fragment]:
        args = ["ls-files", "-z", "--others", "--exclude-standard", "--full-name"]
        for name in DEFAULT_EXCLUDE_DIRS:
            args += ["-x", f"{name}/"]
        out = self.git.output(args + self._pathspec_args(self.paths))
        for path in sorted(os.fsdecode(p) for p in out.split(b"\0") if p):
            if self._excluded(path):
                continue
            text = self._work_tree_text(path)
            if text is not None:
                yield whole_fragment(path, text, modules=self.modules(WORKTREE))


def _may_hold_constants(change: FileChange) -> bool:
    """Whether the change edits a module whose string constants other files may import (a new module has no
    importer the change does not add too, and is scanned whole)."""
    return change.status != "D" and not change.is_new and bool(change.added or change.deleted_at) \
        and module_stem(change.path) is not None


def _forget_text(change: FileChange) -> None:
    """Let the change's new text go (its fragment holds it while it is scanned): a range's texts are not
    all kept to its end. Read again if asked for."""
    for key in ("new_text", "starts", "spans"):
        change.memo.pop(key, None)


def _history_fragment(block: git_history.AddedBlock) -> Fragment:
    return Fragment(path=block.path, text=block.text, first_line=block.first_line, categories=HISTORY_CATEGORIES,
                    commit=block.commit)
