"""``--timeout``: one mechanism on every system (a watchdog parent and worker processes it
terminates), which stops inside a backtracking regex and keeps what was scanned until then."""
from __future__ import annotations

import os
import pickle
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sentinel_hooks import platform_os
from sentinel_hooks.cli import main
from sentinel_hooks.deadline import Deadline
from sentinel_hooks.engine.units import units_of
from sentinel_hooks.errors import ScanTimeout
from sentinel_hooks.orchestration import FullScanOptions, scan_fragments, scan_paths
from sentinel_hooks.pool import transferable
from sentinel_hooks.scan_result import ScanResult
from sentinel_hooks.sources.files import Excludes
from sentinel_hooks.sources.fragment import Fragment
from sentinel_hooks.sources.git_diff import window_fragment

from gitutil import git
from rule_packs import BACKTRACKING_RULE, MARKER_RULE, marker_engine, pack

PACK = pack(MARKER_RULE, BACKTRACKING_RULE)
HOSTILE = "a" * 48 + "!\n"  # (a+)+$ tries 2**48 ways before it fails
MARKED = "token = 'MARKER-123456'\n"


def test_a_diff_scan_stops_at_the_deadline_and_keeps_the_files_scanned_before():
    fragments = [Fragment(path="a.py", text=MARKED), Fragment(path="b.py", text=HOSTILE),
                 Fragment(path="c.py", text=MARKED)]
    result = ScanResult(rules=[])
    with pytest.raises(ScanTimeout, match=r"after 1\.5s: 1 files scanned, stopped in b\.py"):
        scan_fragments(marker_engine(PACK), iter(fragments), result, Deadline(1.5))
    assert [(f.rule_id, f.path) for f in result.findings] == [("marker", "a.py")]
    assert result.files_scanned == 1


def test_a_full_scan_stops_at_the_deadline_and_keeps_the_files_scanned_before(tmp_path: Path):
    (tmp_path / "a.py").write_text(MARKED + "# padding so it is scanned first\n" * 40)
    (tmp_path / "b.py").write_text(HOSTILE)
    result = scan_paths(marker_engine(PACK), [tmp_path], Excludes([], []), deadline=Deadline(1.5),
                        options=FullScanOptions(workers=1))
    assert result.incomplete is not None and result.incomplete.endswith("1 of 2 files scanned, stopped in b.py")
    assert [(f.rule_id, f.path) for f in result.findings] == [("marker", "a.py")]
    assert result.files_scanned == 1


def test_without_a_limit_nothing_starts_a_worker(monkeypatch):
    import multiprocessing

    monkeypatch.setattr(multiprocessing, "get_context", lambda *a: pytest.fail("a worker was started"))
    result = ScanResult(rules=[])
    scan_fragments(marker_engine(PACK), iter([Fragment(path="a.py", text=MARKED)]), result, Deadline(None))
    assert [f.rule_id for f in result.findings] == ["marker"]


def test_units_cross_to_a_worker_with_their_loaders_run_and_shared_texts_sent_once():
    whole = "line\n" * 10_000
    base_reads = []

    def read_base():  # stands for a read from git, which cannot be pickled
        base_reads.append(1)
        return "old\n"

    windows = units_of(window_fragment("f.py", whole, [100, 5000, 9000], 3, read_base))  # as a diff scan cuts them
    assert len(windows) == 3
    with pytest.raises((pickle.PicklingError, AttributeError, TypeError)):
        pickle.dumps(windows)
    sent = pickle.dumps(transferable(windows))
    assert len(sent) < len(whole) * 1.5 and base_reads == [1]
    received = pickle.loads(sent)
    assert len({id(u.file()) for u in received}) == 1  # the windows still share one analysis
    assert [u.full_text() for u in received] == [whole] * 3
    assert [u.base_text() for u in received] == ["old\n"] * 3
    assert [u.changed_lines for u in received] == [frozenset({100}), frozenset({5000}), frozenset({9000})]
    assert [u.text for u in received] == [u.text for u in windows]


def write_project(root: Path) -> None:
    (root / "pack.yaml").write_text(PACK)
    (root / "src").mkdir()
    (root / "src" / "a.py").write_text(MARKED)
    (root / "src" / "b.py").write_text(HOSTILE)


@pytest.mark.timeout(120)
def test_no_alarm_signal_is_needed(tmp_path: Path, monkeypatch, capsys):
    """Windows has no SIGALRM; before, a 3 s limit then ended after 38 s."""
    for name in ("SIGALRM", "setitimer", "alarm"):
        monkeypatch.delattr(signal, name, raising=False)
    write_project(tmp_path)
    monkeypatch.chdir(tmp_path)
    started = time.monotonic()
    code = main(["scan", "src", "--no-builtin-rules", "--rules", "pack.yaml", "--no-cache", "--timeout", "2"])
    elapsed = time.monotonic() - started
    assert code == 7
    assert "scan timed out after 2s" in capsys.readouterr().err
    assert elapsed < 2 + 30, elapsed


def run_cli(args: list[str], cwd: Path, **env: str) -> tuple[subprocess.CompletedProcess, float]:
    started = time.monotonic()
    proc = subprocess.run([sys.executable, "-m", "sentinel_hooks", *args], cwd=cwd, capture_output=True,
                          timeout=300, env={**os.environ, "NO_COLOR": "1", **env})
    return proc, time.monotonic() - started


@pytest.mark.parametrize("start", ["spawn", "default"])
def test_a_backtracking_rule_ends_at_the_timeout_however_workers_start(tmp_path: Path, start):
    write_project(tmp_path)
    env = {platform_os.START_METHOD_ENV: "spawn"} if start == "spawn" else {}
    proc, elapsed = run_cli(["scan", "src", "--no-builtin-rules", "--rules", "pack.yaml", "--no-cache",
                             "--max-concurrent-files", "2", "--timeout", "3"], tmp_path, **env)
    assert proc.returncode == 7, proc.stderr
    assert proc.stderr.decode().strip() == "mcp-sentinel: scan timed out after 3s: 1 of 2 files scanned, " \
                                           "stopped in b.py"
    assert elapsed < 3 + 30, elapsed


@pytest.mark.needs_git
def test_a_backtracking_rule_in_a_staged_scan_ends_at_the_timeout_with_spawned_workers(make_repo):
    repo = make_repo()
    write_project(repo)
    git(repo, "add", "src")
    proc, elapsed = run_cli(["scan", "--staged", "--no-builtin-rules", "--rules", "pack.yaml", "--no-cache",
                             "--timeout", "3"], repo, **{platform_os.START_METHOD_ENV: "spawn"})
    assert proc.returncode == 7, proc.stderr
    assert b"scan timed out after 3s: 1 files scanned, stopped in src/b.py" in proc.stderr
    assert elapsed < 3 + 30, elapsed


def test_a_diff_of_many_files_over_workers_stops_at_the_deadline_and_keeps_what_came_before(monkeypatch):
    from sentinel_hooks import pool

    monkeypatch.setattr(pool, "default_workers", lambda: 2)
    monkeypatch.setattr(pool, "PARALLEL_MIN_BYTES", 0)  # small files stand for a large diff
    names = [f"m{i:02}.py" for i in range(30)]
    fragments = [Fragment(path=name, text=HOSTILE if name == "m25.py" else MARKED) for name in names]
    result = ScanResult(rules=[])
    with pytest.raises(ScanTimeout, match=r"after 3s: \d+ files scanned, stopped in m2[45]\.py"):
        scan_fragments(marker_engine(PACK), iter(fragments), result, Deadline(3), workers=2)
    # the files before the stuck one are all reported, in order; none after it
    assert [f.path for f in result.findings] == names[:len(result.findings)]
    assert 16 <= len(result.findings) <= 25 and result.files_scanned == len(result.findings)
