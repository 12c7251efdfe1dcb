"""History inside a pushed range: the lines each commit of ``base..tip`` added.

A secret committed in one pushed commit and removed in the next is gone from the net change but
not from the history the push publishes. One ``git log -p -U0`` over the range yields, per commit,
the blocks of consecutive added lines with their line numbers in that commit's version of the file;
secrets rules scan them. The pass is bounded in commits and in bytes of patch read.

A block that reaches the net change unchanged (``net_span``: its lines stand, whole and in order, on
lines the net change adds) is judged there, in its file's context; the history pass then reads it
only to name the commit that added a net finding on its lines.
"""
from __future__ import annotations

import os
from typing import Iterator, Optional, Sequence

from sentinel_hooks.records import field, record
from sentinel_hooks.sources.files import decode
from sentinel_hooks.sources.git import Git, Spooled, pathspecs
from sentinel_hooks.sources.hunks import added_run

MAX_COMMITS = 1000
MAX_PATCH_BYTES = 64 * 1024 * 1024
PART_BYTES = 256 * 1024  # of the history read at a time (``HistoryReader.advance``)
COMMIT_MARK = b"\x01commit "
FILE_MARK = b"diff --git "
MAX_NET_PLACES = 64  # places of a block's text in its net file tried before the block is scanned itself
# characters of net files searched for blocks in one pass (each search reads at most its file, about
# twice): past it every remaining block is scanned itself, as a history of a million blocks in one large
# file could otherwise keep the search going with no file scanned, so no time limit checked
MAX_NET_SEARCH_CHARS = 1 << 30


@record(frozen=True)
class AddedBlock:
    """Consecutive lines ``commit`` added to ``path``, the first at line ``first_line`` of that commit."""

    commit: str
    path: str
    first_line: int
    text: str


@record(frozen=True)
class HeldBlock:
    """A block the net change holds unchanged, on its lines ``first``..``last`` (see ``net_span``)."""

    block: AddedBlock
    first: int
    last: int


@record
class History:
    blocks: list[AddedBlock] = field(default_factory=list)
    commits: int = 0
    truncated: bool = False
    binary: set[tuple[str, str]] = field(default_factory=set)  # (commit, path) git showed as binary
    order: list[str] = field(default_factory=list)  # the commits, oldest first


def log_command(base: str, tip: str, paths: Sequence[str], *, as_text: bool = False) -> list[str]:
    args = ["log", "--reverse", "--no-merges", f"-n{MAX_COMMITS + 1}", "--format=%x01commit %H", "-p", "-U0",
            "-M", "--no-color", "--no-ext-diff", "--no-textconv", "--src-prefix=a/", "--dst-prefix=b/",
            "--no-relative", *(["--text"] if as_text else []), f"{base}..{tip}"]
    return args + (["--", *pathspecs(paths)] if paths else [])


def start(git: Git, base: str, tip: str, paths: Sequence[str] = (), *, as_text: bool = False) -> Spooled:
    """Start reading the range's history in the background (``read_history`` collects it): git
    computes the commits' diffs while the net change is read and scanned."""
    return git.spool(log_command(base, tip, paths, as_text=as_text))


def read_history(git: Git, base: str, tip: str, paths: Sequence[str] = (), reader: Optional[HistoryReader] = None
                 ) -> History:
    """The added blocks of every non-merge commit in ``base..tip`` (oldest first), from ``reader`` (of
    ``start``'s run over the same range, maybe partly read) when given.

    One pass reads the range; git calls a file binary by the attributes the range itself can set
    (``binary``, ``-diff``), so the files it showed as binary are read again as text, and their
    content decides (a block holding a NUL is binary).
    """
    history = (reader or HistoryReader(start(git, base, tip, paths))).finish()
    if history.binary and not history.truncated:
        again = HistoryReader(start(git, base, tip, sorted({p for _, p in history.binary}), as_text=True)).finish()
        history.blocks += [b for b in again.blocks if (b.commit, b.path) in history.binary]
        position = {sha: i for i, sha in enumerate(history.order)}
        history.blocks.sort(key=lambda b: position.get(b.commit, len(position)))  # stable: file order kept
        history.truncated = again.truncated
    return history


def bound(started: Spooled) -> None:
    """Stop a background read whose output has passed the bound (what is read so far is kept)."""
    if started.size() > MAX_PATCH_BYTES:
        started.stop()


class HistoryReader:
    """Parses what a started history pass wrote, a file's patch at a time as it is read (a long range's
    log is never held whole): ``advance`` reads one more part once git has ended, so a caller can spread
    the reading between other work; ``finish`` reads the rest. At most ``MAX_PATCH_BYTES`` are read, and
    the commit cut there is left out."""

    def __init__(self, started: Spooled, part: Optional[int] = None):
        self.started = started
        self.part = PART_BYTES if part is None else part
        self.history = History()
        self._parts: Optional[Iterator[bytes]] = None
        self._pending = bytearray()
        self._read = 0
        self._commit: Optional[str] = None  # the commit whose patch the parsed part ended in

    def advance(self) -> bool:
        """Read and parse one more part (waiting for git's end first); False once none is left."""
        if self._parts is None:
            self._parts = self.started.chunks(MAX_PATCH_BYTES + 1, self.part)
        chunk = next(self._parts, None)
        if chunk is None:
            return False
        pending = self._pending
        searched_to = max(0, len(pending) - len(FILE_MARK))
        pending += chunk
        self._read += len(chunk)
        # the part before the last commit mark or file header seen is whole: both only start a line there
        # (a hunk's lines start with + or -)
        cut = max(pending.rfind(b"\n" + COMMIT_MARK, searched_to), pending.rfind(b"\n" + FILE_MARK, searched_to))
        if cut >= 0:
            self._commit = _parse_into(self.history, bytes(pending[:cut + 1]), self._commit)
            del pending[:cut + 1]
        return True

    def finish(self) -> History:
        """The whole history: the parts not read yet, read now."""
        while self.advance():
            pass
        history = self.history
        truncated = self._read > MAX_PATCH_BYTES or self.started.stopped
        if not truncated:
            _parse_into(history, bytes(self._pending), self._commit)
        elif history.order and not self._pending.startswith(COMMIT_MARK):  # the cut commit's first files were read
            cut_commit = history.order.pop()
            history.blocks = [b for b in history.blocks if b.commit != cut_commit]
            history.binary = {(c, p) for c, p in history.binary if c != cut_commit}
        self._pending = bytearray()
        return _bounded(history, truncated)


def parse_log(data: bytes) -> History:
    """Parse ``log_command`` output; hunk bodies are consumed by their header's counts, so an added
    line that looks like a header (or like a commit mark) is never taken for one."""
    history = History()
    _parse_into(history, data, None)
    return _bounded(history, False)


def _parse_into(history: History, data: bytes, commit: Optional[str]) -> Optional[str]:
    """Add the blocks of ``data``, whole commits or files' patches of ``commit``'s, to ``history`` and the
    commits it starts to its ``order``; the commit current at its end."""
    from sentinel_hooks.sources.git_diff import _new_path

    lines = data.split(b"\n")
    path: Optional[str] = None
    header: Optional[str] = None
    i = 0
    while i < len(lines):
        line = lines[i]
        i += 1
        if line.startswith(COMMIT_MARK):
            commit = line[len(COMMIT_MARK):].decode("ascii", "replace").strip()
            history.order.append(commit)
            path = None
        elif line.startswith(b"diff "):
            path = None
            header = _header_path(line)
        elif line.startswith(b"Binary files ") and commit is not None and header is not None:
            history.binary.add((commit, header))
        elif line.startswith(b"+++ "):
            path = _new_path(line[4:])
        elif line.startswith(b"@@ "):
            run = added_run(lines, line, i)
            if run is None:
                continue
            number, count, text, i = run
            if count and commit is not None and path is not None and b"\0" not in text:
                history.blocks.append(AddedBlock(commit, path, number, decode(text + b"\n")))
    return commit


def _bounded(history: History, truncated: bool) -> History:
    """``history`` within ``MAX_COMMITS``: the commits are read oldest first, so one beyond the bound
    came first and is dropped."""
    commits = history.order
    if len(commits) > MAX_COMMITS:
        dropped = commits[0]
        history.blocks = [b for b in history.blocks if b.commit != dropped]
        truncated = True
    history.truncated = truncated
    history.commits = min(len(commits), MAX_COMMITS)
    history.order = commits[-MAX_COMMITS:]
    return history


def _header_path(line: bytes) -> Optional[str]:
    """The path of a ``diff --git a/P b/P`` line whose two names agree (None for a rename)."""
    from sentinel_hooks.sources.git_diff import unquote_c

    rest = line[len(b"diff --git "):]
    half = (len(rest) - 1) // 2
    old, new = unquote_c(rest[:half]), unquote_c(rest[half + 1:])
    if rest[half:half + 1] != b" " or not old.startswith(b"a/") or not new.startswith(b"b/") or old[2:] != new[2:]:
        return None
    return os.fsdecode(new[2:])


def net_span(text: str, counted: Optional[frozenset[int]], block: str) -> Optional[tuple[int, int]]:
    """The lines (first, last) of the net change's ``text`` that hold the ``block`` of added lines
    whole, from a line start, on lines the net change adds (``counted``; None: every line), or None
    when no place does. A block not ending in a newline matches nowhere."""
    if not block.endswith("\n"):
        return None
    size = block.count("\n")
    at = text.find(block)
    line, counted_to = 1, 0
    for _ in range(MAX_NET_PLACES):  # a short, common block (a blank line) is simply scanned
        if at == -1:
            return None
        if at == 0 or text[at - 1] == "\n":
            line += text.count("\n", counted_to, at)
            counted_to = at
            if counted is None or counted.issuperset(range(line, line + size)):
                return line, line + size - 1
        at = text.find(block, at + 1)
    return None
