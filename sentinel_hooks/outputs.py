"""Writing reports: to stdout (a closed pipe is not an error), or atomically to a file (temporary file in the same folder, renamed)."""
from __future__ import annotations

import io
import os
import stat
import sys
import tempfile
from pathlib import Path
from typing import Callable, TextIO

from sentinel_hooks.errors import FileSystemError


def file_mode(path: Path) -> int:
    """The mode of the file being replaced; for a new file the usual 0666 less the umask
    (a temporary file starts as 0600)."""
    try:
        return stat.S_IMODE(os.stat(path).st_mode)
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def _is_special_file(path: Path) -> bool:
    """A device, FIFO or socket (``/dev/null``, ``/dev/stdout``, a process substitution): written into,
    never renamed over."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return False
    return not stat.S_ISREG(mode) and not stat.S_ISDIR(mode)


def _write_special(path: Path, text: str) -> None:
    try:
        with open(path, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
    except OSError as exc:
        raise FileSystemError(f"{path}: cannot write report ({exc.strerror or exc})") from None


def write_atomic(path: Path, render: Callable[[TextIO], None]) -> None:
    """Render into a temporary file beside ``path`` and rename it over ``path``; never half-written.
    A device or FIFO named as the target (``--output-file /dev/null``) is written into instead: renaming
    over it would replace the device for every other program on the machine."""
    if _is_special_file(path):
        buffer = io.StringIO()
        render(buffer)
        _write_special(path, buffer.getvalue())
        return
    folder = path.parent if str(path.parent) else Path(".")
    try:
        folder.mkdir(parents=True, exist_ok=True)  # CI recipes write into artifact folders not yet made
    except OSError as exc:
        raise FileSystemError(f"{path}: cannot write report, folder {folder} cannot be created "
                              f"({exc.strerror or exc})") from None
    buffer = io.StringIO()
    render(buffer)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise FileSystemError(f"{path}: cannot write report ({exc.strerror or exc})") from None
    try:
        if hasattr(os, "fchmod"):
            os.fchmod(fd, file_mode(path))
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(buffer.getvalue())
        os.replace(tmp, path)
    except OSError as exc:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise FileSystemError(f"{path}: cannot write report ({exc.strerror or exc})") from None
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def write_to_stdout(render: Callable[[TextIO], None], document: bool = False) -> None:
    """Render to stdout; a reader that went away (`| head`) is not an error, and the rest is dropped.
    A ``document`` for programs (JSON, SARIF, HTML, Markdown) is UTF-8 whatever the console's encoding;
    text for people is in the console's encoding (``platform_os.protect_console``)."""
    try:
        if document:
            from sentinel_hooks.platform_os import write_document

            rendered = io.StringIO()
            render(rendered)
            write_document(sys.stdout, rendered.getvalue())
        else:
            render(sys.stdout)
        sys.stdout.flush()
    except BrokenPipeError:
        silence_stdout()


def silence_stdout() -> None:
    """Send the rest of stdout to the null device, so the interpreter's final flush cannot fail."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass
