"""outputs.write_atomic: reports replace regular files atomically, and write into devices and FIFOs."""
from __future__ import annotations

import os
import stat
import threading
from pathlib import Path

import pytest

from sentinel_hooks.outputs import write_atomic


def test_regular_file_is_replaced_whole(tmp_path: Path) -> None:
    target = tmp_path / "deep" / "report.json"
    write_atomic(target, lambda fh: fh.write("first"))
    write_atomic(target, lambda fh: fh.write("second → ü"))
    assert target.read_bytes() == "second → ü".encode("utf-8")
    assert [p.name for p in target.parent.iterdir()] == ["report.json"]  # no temporary file left


@pytest.mark.posix_only
def test_fifo_target_is_written_into_not_replaced(tmp_path: Path) -> None:
    """`--output-file /dev/null` or a process substitution names a device or FIFO: renaming a file
    over it would replace it for every other program (as root, /dev/null itself)."""
    fifo = tmp_path / "report.fifo"
    os.mkfifo(fifo)
    received: list[bytes] = []

    def read_all() -> None:
        with open(fifo, "rb") as fh:
            received.append(fh.read())

    reader = threading.Thread(target=read_all, daemon=True)
    reader.start()
    write_atomic(fifo, lambda fh: fh.write('{"findings": []}\n'))
    reader.join(timeout=30)
    assert not reader.is_alive()
    assert received == [b'{"findings": []}\n']
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.fifo"]


@pytest.mark.posix_only
def test_dev_null_stays_a_device() -> None:
    write_atomic(Path(os.devnull), lambda fh: fh.write("discarded"))
    assert stat.S_ISCHR(os.stat(os.devnull).st_mode)
