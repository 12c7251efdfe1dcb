"""Reports that cannot be written, a reader that goes away, and Ctrl-C in the middle of a scan."""
from __future__ import annotations

import errno
import json
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from hardening.hardening_kit import (EXE, Sandbox, assert_exit, assert_no_traceback, assert_one_line_error,
                                     marker_rule, snapshot, changes)
from hardening.test_config import BACKTRACKING, HOSTILE_LINE, leftover_processes

HIGH = 4
FORMATS = ["terminal", "json", "sarif", "gitlab-sast", "html"]


def project(sandbox: Sandbox, findings: int = 3) -> list[str]:
    (sandbox.base / "rules.yaml").write_text(marker_rule())
    (sandbox.work / "app.py").write_text("".join(f'x{i} = "PLANTEDMARKER_{i}"\n' for i in range(findings)))
    return ["scan", "app.py", "--no-builtin-rules", "--rules", str(sandbox.base / "rules.yaml")]


def no_temporary_files(folder: Path) -> None:
    assert not [p for p in folder.rglob("*.tmp") if ".mcp-sentinel-cache" not in p.parts]


# -- report files that cannot be written -------------------------------------------------------------
@pytest.mark.parametrize("fmt", FORMATS)
def test_output_file_in_a_missing_folder_creates_the_folder(sandbox, fmt):
    proc = sandbox.run(project(sandbox) + ["-o", fmt, "--output-file", "missing/dir/report.out"])
    assert_exit(proc, HIGH)
    assert_no_traceback(proc)
    sandbox.assert_clean(reports=["missing", "missing/dir", "missing/dir/report.out"])
    assert (sandbox.work / "missing/dir/report.out").stat().st_size > 0
    assert proc.stdout == b""


def test_output_file_below_a_regular_file(sandbox):
    (sandbox.work / "plain.txt").write_text("not a folder\n")
    proc = sandbox.run(project(sandbox) + ["-o", "json", "--output-file", "plain.txt/report.json"])
    assert_exit(proc, 8)
    assert_one_line_error(proc, "plain.txt/report.json")
    sandbox.assert_clean()
    assert (sandbox.work / "plain.txt").read_text() == "not a folder\n"


def test_output_file_that_is_an_existing_folder(sandbox):
    (sandbox.work / "out").mkdir()
    proc = sandbox.run(project(sandbox) + ["-o", "json", "--output-file", "out"])
    assert_exit(proc, 8)
    assert_one_line_error(proc, "out", "cannot write report")
    sandbox.assert_clean()
    no_temporary_files(sandbox.work)


@pytest.mark.linux_only
def test_output_file_in_a_folder_that_refuses_files(sandbox):
    """/proc accepts no new files, even for root."""
    proc = sandbox.run(project(sandbox) + ["-o", "sarif", "--output-file", "/proc/mcp-sentinel-report.sarif"])
    assert_exit(proc, 8)
    assert_one_line_error(proc, "/proc/mcp-sentinel-report.sarif", "cannot write report")
    sandbox.assert_clean()
    assert not os.path.exists("/proc/mcp-sentinel-report.sarif")


def test_second_report_failing_leaves_no_partial_file(sandbox):
    (sandbox.work / "plain.txt").write_text("not a folder\n")
    proc = sandbox.run(project(sandbox) + ["-o", "json", "--output-file", "good.json",
                                           "-o", "sarif", "--output-file", "plain.txt/bad.sarif"])
    assert_exit(proc, 8)
    assert_one_line_error(proc, "plain.txt/bad.sarif")
    sandbox.assert_clean(reports=["good.json"])
    assert len(json.loads((sandbox.work / "good.json").read_text())["findings"]) == 3


@pytest.mark.parametrize("failing", ["write", "replace"])
def test_failure_while_writing_keeps_the_old_report_and_no_temporary_file(sandbox, monkeypatch, capsys, failing):
    """The disk fills up while the report is written, or the rename fails: the previous report stays
    whole and the temporary file is removed."""
    from sentinel_hooks import cli

    args = project(sandbox)
    (sandbox.work / "report.json").write_text('{"previous": true}\n')
    monkeypatch.chdir(sandbox.work)
    sandbox.freeze()
    real_fdopen, real_replace = os.fdopen, os.replace

    class FullDisk:
        def __init__(self, fh):
            self.fh = fh

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.fh.close()

        def write(self, data):
            self.fh.write(data[: len(data) // 2])
            self.fh.flush()
            raise OSError(errno.ENOSPC, "No space left on device")

    def fdopen(fd, mode="r", *a, **kw):
        fh = real_fdopen(fd, mode, *a, **kw)
        return FullDisk(fh) if failing == "write" and "w" in mode else fh

    def replace(src, dst):
        if failing == "replace":
            raise OSError(errno.EXDEV, "Invalid cross-device link")
        return real_replace(src, dst)

    monkeypatch.setattr(os, "fdopen", fdopen)
    monkeypatch.setattr(os, "replace", replace)
    code = cli.main([*args, "--no-cache", "-o", "json", "--output-file", "report.json"])
    monkeypatch.undo()
    err = capsys.readouterr().err.splitlines()
    assert code == 8
    assert len(err) == 1 and err[0].startswith("mcp-sentinel: report.json: cannot write report"), err
    assert (sandbox.work / "report.json").read_text() == '{"previous": true}\n'
    sandbox.assert_clean()


# -- stdout closed early -----------------------------------------------------------------------------
@pytest.mark.posix_only
@pytest.mark.needs_bash
@pytest.mark.parametrize("fmt", FORMATS)
def test_stdout_closed_early_through_a_real_pipe(sandbox, fmt):
    args = project(sandbox, findings=5000)
    cmd = " ".join(f"'{a}'" for a in [str(EXE), *args, "-o", fmt])
    sandbox.freeze()
    proc = subprocess.run(["bash", "-c", f"{cmd} 2>{sandbox.base}/err | head -1 >/dev/null; "
                                         f"echo ${{PIPESTATUS[0]}} > {sandbox.base}/rc"],
                          cwd=sandbox.work, env=sandbox.env(), capture_output=True, timeout=300)
    assert proc.returncode == 0
    err = (sandbox.base / "err").read_text()
    assert err == "", err
    assert int((sandbox.base / "rc").read_text()) == HIGH
    assert changes({k: v for k, v in snapshot(sandbox.base).items() if k in ("err", "rc")}, {}, ()) \
        == ["removed: err", "removed: rc"]
    (sandbox.base / "err").unlink()
    (sandbox.base / "rc").unlink()
    sandbox.assert_clean()


@pytest.mark.posix_only  # a closed pipe is EPIPE here, EINVAL on Windows
def test_reader_closing_mid_report(sandbox):
    """The reader takes one chunk, then closes: the scan ends quietly with its usual exit code."""
    args = project(sandbox, findings=20000)
    sandbox.freeze()
    cmd = [str(EXE), *args]
    with subprocess.Popen(cmd, cwd=sandbox.work, env=sandbox.env(), stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, stdin=subprocess.DEVNULL) as child:
        assert child.stdout.read(4096)
        child.stdout.close()
        err = child.stderr.read()
        code = child.wait(timeout=300)
    assert code == HIGH
    assert err == b""
    sandbox.assert_clean()


# -- Ctrl-C ----------------------------------------------------------------------------------------
def wait_for(condition, what: str, limit: float = 60.0) -> None:
    ends = time.monotonic() + limit
    while not condition():
        assert time.monotonic() < ends, f"timed out waiting for {what}"
        time.sleep(0.05)


def children(pid: int) -> list[int]:
    try:
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def interrupted(sandbox: Sandbox, args: list[str], ready, what: str):
    sandbox.freeze()
    child = subprocess.Popen([str(EXE), *args], cwd=sandbox.work, env=sandbox.env(), stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, start_new_session=True)
    try:
        wait_for(lambda: ready(child.pid) or child.poll() is not None, what)
        assert child.poll() is None, "the scan ended before it could be interrupted"
        os.killpg(child.pid, signal.SIGINT)
        out, err = child.communicate(timeout=60)
    finally:
        if child.poll() is None:
            os.killpg(child.pid, signal.SIGKILL)
            child.wait()
    return child.returncode, out, err


def slow_pack(sandbox: Sandbox) -> Path:
    pack = sandbox.base / "slow-pack.yaml"
    pack.write_text(BACKTRACKING)
    return pack


@pytest.mark.linux_only  # process groups, and children read from /proc
def test_ctrl_c_in_process(sandbox):
    pack = slow_pack(sandbox)
    src = sandbox.work / "src"
    src.mkdir()
    for i in range(5):
        (src / f"a{i}.py").write_text(f"fast = {i}\n")
    (src / "z_slow.py").write_text(HOSTILE_LINE * 1)
    results = sandbox.work / ".mcp-sentinel-cache" / "results"
    args = ["scan", "src", "--no-builtin-rules", "--rules", str(pack), "-o", "json", "--output-file", "report.json",
            "-o", "sarif", "--output-file", "report.sarif"]
    code, out, err = interrupted(sandbox, args, lambda pid: results.is_dir() and len(list(results.rglob("*.json"))) >= 5,
                                 "the fast files to be cached")
    assert code == 130
    assert err.decode().splitlines() == ["mcp-sentinel: interrupted"]
    sandbox.assert_clean()
    assert not (sandbox.work / "report.json").exists() and not (sandbox.work / "report.sarif").exists()


@pytest.mark.slow
@pytest.mark.linux_only
def test_ctrl_c_with_worker_processes(sandbox):
    pack = slow_pack(sandbox)
    src = sandbox.work / "src"
    src.mkdir()
    filler = ("# " + "x" * 78 + "\n") * 1800
    for i in range(24):
        (src / f"f{i:03}.py").write_text(filler + HOSTILE_LINE)
    args = ["scan", "src", "--no-builtin-rules", "--rules", str(pack), "--max-concurrent-files", "2",
            "-o", "json", "--output-file", "report.json"]
    code, out, err = interrupted(sandbox, args, lambda pid: len(children(pid)) >= 2, "worker processes")
    assert code == 130
    assert_no_traceback(subprocess.CompletedProcess(args, code, out, err))
    assert err.decode().splitlines() == ["mcp-sentinel: interrupted"]
    sandbox.assert_clean()
    assert not (sandbox.work / "report.json").exists()
    assert leftover_processes(str(sandbox.base)) == []
