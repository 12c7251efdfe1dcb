"""Everything that differs between operating systems, in one place: how worker processes start,
how memory is measured, how scanned files are opened, and how text reaches a console.

This is the only module that asks which operating system it runs on. Each difference is decided by
a module-level value (``IS_LINUX``, ``NOFOLLOW``, ...) that tests override to run the other
operating systems' paths on Linux.
"""
from __future__ import annotations

import codecs
import os
import stat
import sys
from pathlib import Path
from typing import BinaryIO, Optional, TextIO

from sentinel_hooks.errors import ConfigError

IS_LINUX = sys.platform.startswith("linux")
IS_MACOS = sys.platform == "darwin"
IS_WINDOWS = os.name == "nt"

# -- worker processes ------------------------------------------------------------------------------
# characters a child process's command line may hold with room to spare: Windows caps the whole line at
# 32,767; POSIX systems allow far more (Linux 2 MB in all, 128 kB per argument; macOS 1 MB)
MAX_COMMAND_CHARS = 30_000 if IS_WINDOWS else 120_000
START_METHOD_ENV = "MCP_SENTINEL_START_METHOD"
START_METHODS = ("fork", "spawn", "forkserver")


def start_method() -> str:
    """How worker processes start: fork on Linux (the engine is inherited, nothing is rebuilt), spawn
    elsewhere (fork is unsafe on macOS and absent on Windows). ``MCP_SENTINEL_START_METHOD`` chooses
    another, so Linux can run what macOS and Windows run."""
    chosen = os.environ.get(START_METHOD_ENV, "").strip().lower()
    if not chosen:
        return "fork" if IS_LINUX else "spawn"
    if chosen not in START_METHODS:
        raise ConfigError(f"{START_METHOD_ENV}={chosen!r}: expected one of {', '.join(START_METHODS)}")
    if chosen != "spawn" and not hasattr(os, "fork"):
        raise ConfigError(f"{START_METHOD_ENV}={chosen!r}: this system can only spawn processes")
    return chosen


def usable_cpus() -> int:
    """CPUs this process may run on (its affinity where the system has one)."""
    try:
        return max(len(os.sched_getaffinity(0)), 1)
    except AttributeError:  # macOS and Windows have no affinity call
        return max(os.cpu_count() or 1, 1)


def hold_interrupts():
    """Block Ctrl-C in this thread (while worker processes start, so none is left behind); returns
    what ``release_interrupts`` restores. Nothing to block where there is no signal mask (Windows)."""
    import signal

    if not hasattr(signal, "pthread_sigmask"):
        return None
    return signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})


def release_interrupts(previous) -> None:
    import signal

    if previous is not None:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


# -- memory ----------------------------------------------------------------------------------------
_process_handle: dict[int, object] = {}


def rss(pid: Optional[int] = None) -> int:
    """Resident memory of a process (this one by default) in bytes, measured by psutil on every
    system; 0 when it cannot be read (the process has gone, or access is denied)."""
    import psutil

    pid = os.getpid() if pid is None else pid
    try:
        handle = _process_handle.get(pid)
        if handle is None:
            handle = psutil.Process(pid)
            _process_handle.clear()  # one handle: this process (a forked worker has its own pid)
            _process_handle[pid] = handle
        return int(handle.memory_info().rss)  # type: ignore[attr-defined]
    except (psutil.Error, OSError):
        _process_handle.pop(pid, None)
        return 0


def keep_heap_small() -> None:
    """Serve large blocks straight from the OS and give them back when freed (glibc's fixed
    ``M_MMAP_THRESHOLD``). By default glibc raises that threshold after the first large free, and the
    chunks of a big file then stay in the heap: measured on a 200 MB file, 139 MB resident with the
    default against 59 MB with this. Linux with glibc only; elsewhere (musl, macOS, Windows) the
    allocator is left as it is."""
    if not IS_LINUX:
        return
    try:
        import ctypes

        ctypes.CDLL("libc.so.6").mallopt(-3, 1 << 20)  # M_MMAP_THRESHOLD = -3
    except (OSError, AttributeError):  # not glibc
        pass


# -- opening scanned files -------------------------------------------------------------------------
# Windows opens descriptors in text mode unless told otherwise (CRLF translated, a 0x1A byte ends
# the read); it has no O_NOFOLLOW and no FIFOs in the file system.
BINARY = getattr(os, "O_BINARY", 0)
NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
NONBLOCK = getattr(os, "O_NONBLOCK", 0)


def open_flags() -> int:
    return os.O_RDONLY | BINARY | NOFOLLOW | NONBLOCK


def open_regular(path: str) -> Optional[BinaryIO]:
    """The file opened for reading raw bytes, without following a symlink or blocking on a FIFO; None
    when it is not a regular file. Where the system cannot refuse a symlink at open (Windows), a file
    that was a symlink when opened, or was swapped since, is refused after the open. OSError
    propagates."""
    fd = os.open(path, open_flags())
    fh = os.fdopen(fd, "rb")
    try:
        opened = os.fstat(fd)
        if not stat.S_ISREG(opened.st_mode):
            fh.close()
            return None
        if not NOFOLLOW:
            named = os.lstat(path)
            if stat.S_ISLNK(named.st_mode) or not os.path.samestat(opened, named):
                fh.close()
                return None
    except BaseException:
        fh.close()
        raise
    return fh


# -- per-user folders ------------------------------------------------------------------------------
def user_cache_folder(app: str) -> Optional[Path]:
    """The system's per-user cache folder for ``app``: ``%LOCALAPPDATA%\\<app>\\Cache`` on Windows,
    ``~/Library/Caches/<app>`` on macOS, ``~/.cache/<app>`` elsewhere; None without a home."""
    if IS_WINDOWS:
        local = os.environ.get("LOCALAPPDATA", "")
        return Path(local) / app / "Cache" if local else None
    try:
        home = Path.home()
    except (RuntimeError, KeyError):
        return None
    if IS_MACOS:
        return home / "Library" / "Caches" / app
    return home / ".cache" / app


# -- paths ---------------------------------------------------------------------------------------
def typed_path_as_posix(path: str, sep: str = os.sep) -> str:
    """A path as typed on this system, with ``/`` between its parts, as every report, fingerprint
    and ignore file spells it. Windows separates with ``\\`` (and accepts ``/``); on POSIX a backslash
    belongs to the name and stays."""
    return path if sep == "/" else path.replace(sep, "/")


# -- console text ----------------------------------------------------------------------------------
CONSOLE_ERRORS = "mcp-sentinel-console"
# characters the reports use, spelled in ASCII for consoles whose code page lacks them (cp1252 has
# no arrow; cp437 has no ellipsis)
ASCII_FALLBACKS = {"\u2192": "->", "\u2190": "<-", "\u2026": "...", "\u2014": "--", "\u2013": "-",
                   "\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2022": "*", "\u00d7": "x"}


def _console_fallback(exc: UnicodeError) -> tuple[str, int]:
    if not isinstance(exc, UnicodeEncodeError):
        raise exc
    text = exc.object[exc.start:exc.end]
    out = "".join(ASCII_FALLBACKS.get(ch) or ch.encode("ascii", "backslashreplace").decode("ascii") for ch in text)
    return out, exc.end


codecs.register_error(CONSOLE_ERRORS, _console_fallback)


def protect_console(*streams: Optional[TextIO]) -> None:
    """Text for people never fails on the console's encoding: a character the console cannot show
    is written in ASCII (``->``, ``...``) or as a backslash escape. Streams that cannot be
    reconfigured (a test's capture, a closed stream) are left as they are."""
    for stream in streams or (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is None:
            continue
        try:
            reconfigure(errors=CONSOLE_ERRORS)
        except (ValueError, OSError, AttributeError):
            pass


def is_utf8(stream: TextIO) -> bool:
    encoding = getattr(stream, "encoding", None)
    if not encoding:
        return True  # an in-memory stream holds str, whatever is written to it
    try:
        return codecs.lookup(encoding).name in ("utf-8", "utf-8-sig")
    except LookupError:
        return False


def write_document(stream: TextIO, text: str) -> None:
    """A machine-readable report (JSON, SARIF, HTML) to a console stream: UTF-8, as those formats
    require, whatever the console's code page (Windows pipes default to cp1252). The bytes go
    straight to the stream's buffer, so neither the code page nor CRLF translation alters them."""
    buffer = getattr(stream, "buffer", None)
    if buffer is None or is_utf8(stream):
        stream.write(text)
        return
    stream.flush()
    buffer.write(text.encode("utf-8", "backslashreplace"))
    buffer.flush()
