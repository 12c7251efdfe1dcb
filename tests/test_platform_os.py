"""The per-system behaviour in ``platform_os``, with the macOS and Windows paths forced on Linux."""
from __future__ import annotations

import io
import os
import subprocess
import sys

import pytest

from sentinel_hooks import platform_os
from sentinel_hooks.errors import ConfigError


# -- worker start-up -----------------------------------------------------------------------------
def test_workers_fork_on_linux_and_spawn_elsewhere(monkeypatch):
    monkeypatch.delenv(platform_os.START_METHOD_ENV, raising=False)
    monkeypatch.setattr(platform_os, "IS_LINUX", True)
    assert platform_os.start_method() == "fork"
    monkeypatch.setattr(platform_os, "IS_LINUX", False)
    assert platform_os.start_method() == "spawn"


def test_the_start_method_can_be_chosen_and_a_wrong_one_is_a_config_error(monkeypatch):
    monkeypatch.setenv(platform_os.START_METHOD_ENV, "Spawn")
    assert platform_os.start_method() == "spawn"
    monkeypatch.setenv(platform_os.START_METHOD_ENV, "thread")
    with pytest.raises(ConfigError, match="MCP_SENTINEL_START_METHOD='thread': expected one of fork, spawn"):
        platform_os.start_method()
    monkeypatch.setenv(platform_os.START_METHOD_ENV, "fork")
    monkeypatch.delattr(os, "fork", raising=False)  # as on Windows
    with pytest.raises(ConfigError, match="can only spawn"):
        platform_os.start_method()


def test_cpus_are_counted_without_an_affinity_call(monkeypatch):
    monkeypatch.delattr(os, "sched_getaffinity", raising=False)  # macOS, Windows
    monkeypatch.setattr(os, "cpu_count", lambda: 3)
    assert platform_os.usable_cpus() == 3
    monkeypatch.setattr(os, "cpu_count", lambda: None)
    assert platform_os.usable_cpus() == 1


def test_interrupts_are_held_where_there_is_no_signal_mask(monkeypatch):
    import signal

    monkeypatch.delattr(signal, "pthread_sigmask", raising=False)  # Windows
    held = platform_os.hold_interrupts()
    assert held is None
    platform_os.release_interrupts(held)


# -- memory --------------------------------------------------------------------------------------
def test_resident_memory_follows_an_allocation():
    before = platform_os.rss()
    block = bytearray(64 * 1024 * 1024)
    block[::4096] = b"x" * len(block[::4096])  # touch every page
    after = platform_os.rss()
    assert before > 0 and after - before >= 48 * 1024 * 1024
    del block


def test_resident_memory_of_another_process_and_of_one_that_has_gone():
    child = subprocess.Popen([sys.executable, "-c", "import sys; print('ready', flush=True); sys.stdin.read()"],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    try:
        assert child.stdout.readline() == b"ready\n"  # the interpreter is up
        assert platform_os.rss(child.pid) > 1024 * 1024
    finally:
        child.communicate(b"")
        child.stdout.close()
    assert platform_os.rss(child.pid) == 0


def test_the_glibc_heap_setting_is_linux_only(monkeypatch):
    import ctypes

    calls = []

    class FakeLibc:
        def mallopt(self, option, value):
            calls.append((option, value))

    monkeypatch.setattr(ctypes, "CDLL", lambda name: FakeLibc())
    monkeypatch.setattr(platform_os, "IS_LINUX", False)
    platform_os.keep_heap_small()
    assert calls == []
    monkeypatch.setattr(platform_os, "IS_LINUX", True)
    platform_os.keep_heap_small()
    assert calls == [(-3, 1 << 20)]  # M_MMAP_THRESHOLD, 1 MiB


# -- opening scanned files -----------------------------------------------------------------------
def test_files_are_read_as_raw_bytes(tmp_path):
    data = b"first\r\nsecond\x1a\r\nAKIA after the end-of-file byte\r\n"
    (tmp_path / "dos.txt").write_bytes(data)
    with platform_os.open_regular(str(tmp_path / "dos.txt")) as fh:
        assert fh.read() == data


def test_windows_binary_flag_is_asked_for(monkeypatch):
    monkeypatch.setattr(platform_os, "BINARY", 0x8000)  # os.O_BINARY on Windows
    monkeypatch.setattr(platform_os, "NOFOLLOW", 0)
    monkeypatch.setattr(platform_os, "NONBLOCK", 0)
    assert platform_os.open_flags() == os.O_RDONLY | 0x8000


@pytest.mark.posix_only
@pytest.mark.parametrize("nofollow", [True, False], ids=["O_NOFOLLOW", "checked-after-open"])
def test_a_symlink_is_not_opened(tmp_path, monkeypatch, nofollow):
    (tmp_path / "target.txt").write_text("secret\n")
    os.symlink(tmp_path / "target.txt", tmp_path / "link.txt")
    if not nofollow:
        monkeypatch.setattr(platform_os, "NOFOLLOW", 0)  # as on Windows: the open follows the link
    try:
        opened = platform_os.open_regular(str(tmp_path / "link.txt"))
    except OSError:  # O_NOFOLLOW refuses the open itself (ELOOP)
        opened = None
    assert opened is None
    with platform_os.open_regular(str(tmp_path / "target.txt")) as fh:
        assert fh.read() == b"secret\n"


@pytest.mark.posix_only  # Windows does not let an open file be replaced
def test_a_file_swapped_after_the_open_is_refused_without_nofollow(tmp_path, monkeypatch):
    (tmp_path / "a.txt").write_text("a\n")
    (tmp_path / "b.txt").write_text("b\n")
    monkeypatch.setattr(platform_os, "NOFOLLOW", 0)
    real_fstat = os.fstat

    def fstat_then_swap(fd):
        if (tmp_path / "b.txt").exists():  # another file takes the name once it is open
            os.replace(tmp_path / "b.txt", tmp_path / "a.txt")
        return real_fstat(fd)

    monkeypatch.setattr(platform_os.os, "fstat", fstat_then_swap)
    assert platform_os.open_regular(str(tmp_path / "a.txt")) is None


@pytest.mark.posix_only
def test_a_fifo_is_not_waited_on(tmp_path):
    os.mkfifo(tmp_path / "pipe")
    assert platform_os.open_regular(str(tmp_path / "pipe")) is None


# -- per-user folders --------------------------------------------------------------------------------
def test_the_user_cache_folder_follows_each_systems_convention(tmp_path, monkeypatch):
    from pathlib import Path

    monkeypatch.setattr(Path, "home", classmethod(lambda cls: tmp_path))
    monkeypatch.setattr(platform_os, "IS_WINDOWS", False)
    monkeypatch.setattr(platform_os, "IS_MACOS", False)
    assert platform_os.user_cache_folder("app") == tmp_path / ".cache" / "app"
    monkeypatch.setattr(platform_os, "IS_MACOS", True)
    assert platform_os.user_cache_folder("app") == tmp_path / "Library" / "Caches" / "app"
    monkeypatch.setattr(platform_os, "IS_WINDOWS", True)
    monkeypatch.setenv("LOCALAPPDATA", str(tmp_path / "Local"))
    assert platform_os.user_cache_folder("app") == tmp_path / "Local" / "app" / "Cache"
    monkeypatch.delenv("LOCALAPPDATA")
    assert platform_os.user_cache_folder("app") is None


# -- paths ---------------------------------------------------------------------------------------
def test_paths_typed_on_windows_are_spelled_with_slashes():
    assert platform_os.typed_path_as_posix("src\\tools\\app.py", sep="\\") == "src/tools/app.py"
    assert platform_os.typed_path_as_posix("src/tools\\app.py", sep="\\") == "src/tools/app.py"


def test_a_backslash_in_a_posix_file_name_stays():
    assert platform_os.typed_path_as_posix("odd\\name.py", sep="/") == "odd\\name.py"


# -- console text --------------------------------------------------------------------------------
def cp1252_console() -> tuple[io.BytesIO, io.TextIOWrapper]:
    raw = io.BytesIO()
    return raw, io.TextIOWrapper(raw, encoding="cp1252", write_through=True)


def test_a_cp1252_console_gets_ascii_for_what_it_cannot_show():
    raw, console = cp1252_console()
    platform_os.protect_console(console)
    console.write("HEAD~1 \u2192 index \u2026 caf\u00e9 \u20ac \U0001f600 \udcff\n")
    # cp1252 has the ellipsis, the accent and the euro sign, but no arrow, emoji or lone surrogate
    assert raw.getvalue() == "HEAD~1 -> index \u2026 caf\u00e9 \u20ac \\U0001f600 \\udcff\n".encode("cp1252")


def test_without_protection_the_same_console_fails():
    """What Windows users met: the report's arrow ended the run with UnicodeEncodeError."""
    _, console = cp1252_console()
    with pytest.raises(UnicodeEncodeError):
        console.write("\u2192")


def test_documents_for_programs_reach_a_cp1252_console_as_utf8():
    raw, console = cp1252_console()
    platform_os.protect_console(console)
    platform_os.write_document(console, '{"snippet": "a \u2192 b \U0001f600"}\n')
    assert raw.getvalue().decode("utf-8") == '{"snippet": "a \u2192 b \U0001f600"}\n'


def test_documents_to_a_utf8_or_in_memory_stream_are_written_as_they_are():
    memory = io.StringIO()
    platform_os.write_document(memory, "\u2192\n")
    assert memory.getvalue() == "\u2192\n"
    raw = io.BytesIO()
    utf8 = io.TextIOWrapper(raw, encoding="utf-8", write_through=True)
    platform_os.write_document(utf8, "\u2192\n")
    assert raw.getvalue() == "\u2192\n".encode()


def test_only_this_module_asks_which_system_it_runs_on():
    import pathlib
    import re

    package = pathlib.Path(platform_os.__file__).parent
    asking = re.compile(r"\bsys\.platform\b|\bos\.name\b|\bplatform\.system\(")
    offenders = [str(p.relative_to(package)) for p in package.rglob("*.py")
                 if p.name != "platform_os.py" and asking.search(p.read_text(encoding="utf-8"))]
    assert offenders == []



def test_no_module_reads_proc():
    """macOS and Windows have no /proc; memory comes from psutil (which knows each system)."""
    import pathlib

    package = pathlib.Path(platform_os.__file__).parent
    offenders = [str(p.relative_to(package)) for p in package.rglob("*.py")
                 if '"/proc' in p.read_text(encoding="utf-8") or "'/proc" in p.read_text(encoding="utf-8")
                 or 'f"/proc' in p.read_text(encoding="utf-8")]
    assert offenders == []
