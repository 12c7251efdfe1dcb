"""One way to run git: plain plumbing commands through a single subprocess wrapper.

Every command runs in the caller's working directory, so a relative ``GIT_DIR`` or
``GIT_INDEX_FILE`` (as git sets for hooks) keeps its meaning, and with ``core.quotepath=off``
and ``GIT_OPTIONAL_LOCKS=0`` so that nothing here rewrites the index. Paths handed to git are
repository-relative and passed as ``:(top,literal)`` pathspecs.
"""
from __future__ import annotations

import os
import re
import posixpath
import subprocess
import time
from pathlib import Path
from typing import Iterator, Mapping, Optional, Sequence

from sentinel_hooks.errors import ConfigError, GitError
from sentinel_hooks.platform_os import typed_path_as_posix
from sentinel_hooks.records import record

EMPTY_TREE = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"
NULL_SHA = "0" * 40
SHALLOW_HINT = ("fetch the full history: `fetch-depth: 0` for actions/checkout, `GIT_DEPTH: 0` in "
                "GitLab CI, or `git fetch --unshallow`")
GIT_TIMEOUT = 600
CHUNK_BYTES = 1 << 20  # how much of a spooled output is read at a time by ``Spooled.chunks``
SPOOL_CHECK_SECONDS = 0.05  # how often a spooled command's output is measured against its bound while waiting
# for a search: its regexes match bytes, so a line's text that is not UTF-8 cannot hide it, and git's
# Perl and POSIX regexes read a pattern alike
C_LOCALE = {"LC_ALL": "C"}
# core.fsmonitor names a command that git would run from the scanned repository's own config
SAFE_OPTIONS = ("-c", "core.quotepath=off", "-c", "core.fsmonitor=false")


def _environment(base: Optional[Mapping[str, str]] = None) -> dict[str, str]:
    env = dict(os.environ if base is None else base)
    env["GIT_OPTIONAL_LOCKS"] = "0"
    return env


class Git:
    """Runs ``git`` with fixed safe options; counts the processes it starts."""

    def __init__(self, cwd: Optional[Path] = None, env: Optional[Mapping[str, str]] = None):
        self.cwd = None if cwd is None else str(cwd)
        self.env = _environment(env)
        self.processes = 0

    extra_options: tuple[str, ...] = ()

    def command(self, args: Sequence[str]) -> list[str]:
        return ["git", *SAFE_OPTIONS, *self.extra_options, "--no-pager", *args]

    def run(self, args: Sequence[str], *, ok: tuple[int, ...] = (0,), stdin: Optional[bytes] = None,
            env: Optional[Mapping[str, str]] = None) -> tuple[int, bytes]:
        """Run one git command; returns (exit code, stdout). Any code not in ``ok`` raises GitError.
        ``env`` adds to the environment (``C_LOCALE``)."""
        self.processes += 1
        try:
            proc = subprocess.run(self.command(args), cwd=self.cwd, env={**self.env, **(env or {})}, input=stdin,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=GIT_TIMEOUT)
        except subprocess.TimeoutExpired:
            raise GitError(f"git {args[0]} did not finish within {GIT_TIMEOUT}s") from None
        except OSError as exc:
            raise _not_started(exc) from None
        if proc.returncode not in ok:
            raise GitError(f"git {args[0]} failed: {_first_line(proc.stderr)}")
        return proc.returncode, proc.stdout

    def output(self, args: Sequence[str]) -> bytes:
        return self.run(args)[1]

    def popen(self, args: Sequence[str]) -> subprocess.Popen:
        self.processes += 1
        try:
            return subprocess.Popen(self.command(args), cwd=self.cwd, env=self.env, stdin=subprocess.PIPE,
                                    stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        except OSError as exc:
            raise _not_started(exc) from None

    def spool(self, args: Sequence[str], *, env: Optional[Mapping[str, str]] = None) -> "Spooled":
        """Start one git command in the background, its output going to a temporary file (no pipe to
        fill, so it runs to the end while this process does other work); ``Spooled.output`` collects it.
        ``env`` adds to the environment."""
        import tempfile

        out, err = tempfile.TemporaryFile(), tempfile.TemporaryFile()
        self.processes += 1
        try:
            proc = subprocess.Popen(self.command(args), cwd=self.cwd, env={**self.env, **(env or {})},
                                    stdin=subprocess.DEVNULL, stdout=out, stderr=err)
        except OSError as exc:
            out.close()
            err.close()
            raise _not_started(exc) from None
        return Spooled(args[0], proc, out, err)

    # -- revisions -------------------------------------------------------------------------
    def commit_of(self, ref: str) -> Optional[str]:
        """The full SHA of the commit ``ref`` names, or None when it names none."""
        code, out = self.run(["rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}"],
                             ok=(0, 1, 128))
        sha = out.decode("ascii", "replace").strip()
        return sha if code == 0 and sha else None

    def merge_base(self, a: str, b: str) -> Optional[str]:
        code, out = self.run(["merge-base", a, b], ok=(0, 1))
        sha = out.decode("ascii", "replace").strip()
        return sha if code == 0 and sha else None


class Spooled:
    """A git command started by ``Git.spool``: its output so far has ``size()`` bytes; ``stop`` ends it
    early (an output over its bound); ``output`` waits for the end and reads at most ``limit`` bytes,
    ``chunks`` the same a part at a time."""

    def __init__(self, name: str, proc: subprocess.Popen, out, err):
        self.name = name
        self.proc = proc
        self.out = out
        self.err = err
        self.stopped = False

    def size(self) -> int:
        return os.fstat(self.out.fileno()).st_size

    def done(self) -> bool:
        return self.proc.poll() is not None

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.stopped = True
            self.proc.kill()

    def output(self, limit: Optional[int] = None, *, ok: tuple[int, ...] = (0,)) -> tuple[int, bytes]:
        """(exit code, output up to ``limit`` bytes), after the end; a command whose output passes
        ``limit`` meanwhile is stopped there. GitError when git failed (an exit code not in ``ok``),
        unless it was stopped or its output was cut at ``limit``."""
        try:
            code = self._wait(limit, ok)
            self.out.seek(0)
            return code, self.out.read() if limit is None else self.out.read(limit)
        finally:
            self.close()

    def chunks(self, limit: int, size: int = CHUNK_BYTES) -> Iterator[bytes]:
        """The output up to ``limit`` bytes, as ``output`` gives it, read ``size`` bytes at a time: a long
        output is never held whole."""
        try:
            self._wait(limit, (0,))
            self.out.seek(0)
            left = limit
            while left > 0:
                chunk = self.out.read(min(size, left))
                if not chunk:
                    break
                left -= len(chunk)
                yield chunk
        finally:
            self.close()

    def _wait(self, limit: Optional[int], ok: tuple[int, ...]) -> int:
        """Wait for the end (stopping the command once its output passes ``limit``); its exit code, or
        GitError when git failed (a code not in ``ok``) and was neither stopped nor cut at ``limit``."""
        give_up = time.monotonic() + GIT_TIMEOUT
        while True:
            try:
                code = self.proc.wait(timeout=SPOOL_CHECK_SECONDS if limit is not None else GIT_TIMEOUT)
                break
            except subprocess.TimeoutExpired:
                if limit is not None and self.size() > limit:
                    self.stop()
                elif limit is None or time.monotonic() >= give_up:
                    raise GitError(f"git {self.name} did not finish within {GIT_TIMEOUT}s") from None
        cut = limit is not None and self.size() > limit
        if code not in ok and not self.stopped and not cut:
            self.err.seek(0)
            raise GitError(f"git {self.name} failed: {_first_line(self.err.read())}")
        return code

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self.out.close()
        self.err.close()


# -- full scans of a work tree ---------------------------------------------------------------------
def listed_files(root: Path, rel: str) -> Optional[set[str]]:
    """Tracked and untracked-but-not-ignored files under ``rel`` (repository-relative) of the work
    tree at ``root``; None when git fails (the walk then applies no .gitignore)."""
    try:
        out = Git(root).output(["ls-files", "-z", "--cached", "--others", "--exclude-standard", "--", rel or "."])
    except GitError:
        return None
    return {os.fsdecode(p) for p in out.split(b"\0") if p}


def is_ignored(root: Path, rel: str) -> bool:
    """Whether git ignores ``rel`` (repository-relative) in the work tree at ``root``."""
    try:
        return Git(root).run(["check-ignore", "-q", "--", rel], ok=(0, 1, 128))[0] == 0
    except GitError:
        return False


def _not_started(exc: OSError) -> GitError:
    """Why git could not be started, as one line."""
    if isinstance(exc, FileNotFoundError):
        return GitError("git is not installed or not on PATH")
    return GitError(f"git could not be started: {exc.strerror or exc}")


def _first_line(stderr: bytes) -> str:
    for line in stderr.decode("utf-8", "replace").splitlines():
        line = line.strip()
        if line:
            return line.removeprefix("fatal: ").removeprefix("error: ")
    return "no detail"


@record(frozen=True)
class Repo:
    """Where the caller stands in a work tree: its root, the cwd's prefix, HEAD (None before the
    first commit) and whether the clone is shallow."""

    root: Path
    prefix: str
    head: Optional[str]
    shallow: bool

    def relative(self, path: str) -> str:
        """A path given on the command line (relative to the cwd) as a repository-relative path."""
        if os.path.isabs(path):
            parent, name = os.path.split(os.path.normpath(path))
            rel = os.path.relpath(os.path.join(os.path.realpath(parent or "/"), name), self.root)
            rel = typed_path_as_posix(rel)
        else:
            rel = posixpath.normpath(self.prefix + typed_path_as_posix(path))
        if rel == ".":
            return ""
        if rel == ".." or rel.startswith("../"):
            raise ConfigError(f"{path}: outside the repository at {self.root}")
        return rel


def locate(git: Git, purpose: str) -> Repo:
    """The repository around the working directory, found with one ``git rev-parse``."""
    code, out = git.run(["rev-parse", "--show-toplevel", "--show-prefix", "--is-shallow-repository",
                         "--git-dir", "--git-common-dir", "--verify", "--quiet", "HEAD^{commit}"], ok=(0, 1, 128))
    lines = out.decode("utf-8", "surrogateescape").split("\n")
    if code == 128 or len(lines) < 5:
        where = git.cwd or os.getcwd()
        raise ConfigError(f"{purpose} needs a git work tree, and {where} is not inside one")
    base = Path(git.cwd or os.getcwd())
    git.extra_options = disabled_filters([base / lines[3], base / lines[4]])
    head = lines[5].strip() if code == 0 and len(lines) > 5 and lines[5].strip() else None
    return Repo(root=Path(lines[0]), prefix=lines[1], head=head, shallow=lines[2].strip() == "true")


_FILTER_SECTION = re.compile(r'^\s*\[\s*filter\s+"((?:[^"\\\n]|\\.)*)"\s*\]|^\s*\[\s*filter\.([^\]\s]+)\s*\]', re.I | re.M)
_INCLUDE_SECTION = re.compile(r'^\s*\[\s*include(?:If\s+"[^"\n]*")?\s*\]', re.I)
_PATH_KEY = re.compile(r'^\s*path\s*=\s*"?([^"\n]*?)"?\s*$', re.I)


def repository_filter_names(config_files: Sequence[Path], depth: int = 0) -> set[str]:
    """Filter drivers defined in a repository's own config (following its include files)."""
    names: set[str] = set()
    for config in config_files:
        try:
            text = config.read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        for m in _FILTER_SECTION.finditer(text):
            names.add(m.group(1) if m.group(1) is not None else m.group(2))
        if depth < 5:
            includes, in_include = [], False
            for line in text.splitlines():
                if line.lstrip().startswith("["):
                    in_include = bool(_INCLUDE_SECTION.match(line))
                elif in_include and (m := _PATH_KEY.match(line)):
                    target = Path(os.path.expanduser(m.group(1)))
                    includes.append(target if target.is_absolute() else config.parent / target)
            names |= repository_filter_names(includes, depth + 1)
    return names


def disabled_filters(git_dirs: Sequence[Path]) -> tuple[str, ...]:
    """`-c` options that switch off the clean/smudge/process filters a scanned repository defines.

    Such a filter is a command from the repository's own config; git would run it when it hashes a
    changed work-tree file. The user's global and system filters (git-lfs, say) stay in force.
    """
    configs = []
    for d in dict.fromkeys(git_dirs):
        configs += [d / "config", d / "config.worktree"]
    options: list[str] = []
    for name in sorted(repository_filter_names(configs)):
        for key in ("clean", "smudge", "process"):
            options += ["-c", f"filter.{name}.{key}="]
        options += ["-c", f"filter.{name}.required=false"]
    return tuple(options)


def pathspecs(paths: Sequence[str]) -> list[str]:
    """Repository-relative paths as literal pathspecs anchored at the top ('' is the whole tree)."""
    return [f":(top,literal){p}" if p else ":(top)." for p in paths]


class BlobReader:
    """Reads objects through one long-lived ``git cat-file --batch``, started on first use."""

    def __init__(self, git: Git):
        self.git = git
        self._proc: Optional[subprocess.Popen] = None
        self._pid = 0  # the process that started ``_proc``

    def read(self, sha: str) -> Optional[bytes]:
        return self._object(sha.encode("ascii"), None)

    def read_blob(self, name: str, limit: int) -> Optional[bytes]:
        """The blob ``name`` names (``:path`` in the index, ``<tree-ish>:path``), or None when it names
        nothing, something other than a blob, or a blob over ``limit`` bytes (skipped unread)."""
        if any(c in name for c in "\n\r\0"):
            return None
        return self._object(name.encode("utf-8", "surrogateescape"), limit)

    def _object(self, name: bytes, limit: Optional[int]) -> Optional[bytes]:
        proc = self._process()
        assert proc.stdin is not None and proc.stdout is not None
        try:
            proc.stdin.write(name + b"\n")
            proc.stdin.flush()
            header = proc.stdout.readline()
        except (BrokenPipeError, OSError):
            raise GitError("git cat-file stopped unexpectedly") from None
        fields = header.split()
        if len(fields) != 3:
            if not header:
                raise GitError("git cat-file stopped unexpectedly")
            return None  # "<sha> missing", "<name> ambiguous"
        size = int(fields[2])
        wanted = limit is None or (fields[1] == b"blob" and size <= limit)
        data, left = b"", size
        if wanted:
            data = proc.stdout.read(size)
            left -= len(data)
        while left > 0:  # skipped, but read through to keep the stream in step
            block = proc.stdout.read(min(left, 1 << 16))
            if not block:
                break
            left -= len(block)
        proc.stdout.read(1)
        if left:
            raise GitError("git cat-file stopped unexpectedly")
        return data if wanted else None

    def _process(self) -> subprocess.Popen:
        """This process's ``cat-file``. A forked worker holding a copy of the reader starts its own: the
        inherited pipes carry the parent's requests and answers, and sharing them would hand either
        process the other's objects."""
        self._drop_inherited()
        if self._proc is None:
            self._proc = self.git.popen(["cat-file", "--batch"])
            self._pid = os.getpid()
        return self._proc

    def _drop_inherited(self) -> None:
        """When another process started ``_proc``, close this process's copies of its pipes and forget
        it (that process's cat-file is not ours to wait for)."""
        if self._proc is None or self._pid == os.getpid():
            return
        proc, self._proc = self._proc, None
        for stream in (proc.stdin, proc.stdout):
            try:
                if stream is not None:
                    stream.close()
            except OSError:
                pass

    def close(self) -> None:
        self._drop_inherited()
        proc, self._proc = self._proc, None
        if proc is None:
            return
        try:
            if proc.stdin:
                proc.stdin.close()
            proc.wait(timeout=10)
        except (OSError, subprocess.TimeoutExpired):
            proc.kill()
            proc.wait()
        finally:
            if proc.stdout:
                proc.stdout.close()
