"""``--memory-limit``: the plan that keeps a scan under the limit, and the command that honours it."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from sentinel_hooks.errors import MemoryLimitExceeded
from sentinel_hooks.file_scan import DEFAULT_CHUNK
from sentinel_hooks.orchestration import CHUNK_COST, MIN_CHUNK, PARENT_HEADROOM, memory_plan

MB = 1_000_000
TOKEN = "AKIA" + "Q4ZL7N2VXW3PRT5M"  # shaped like an AWS access key id, not a real one


def test_without_a_limit_the_plan_changes_nothing():
    assert memory_plan(None, 4, baseline=50 * MB) == (4, DEFAULT_CHUNK, None)


@pytest.mark.parametrize("limit, workers", [(256 * MB, 2), (512 * MB, 4), (1024 * MB, 8), (120 * MB, 2)])
def test_the_plan_fits_the_baseline_and_every_worker_under_the_limit(limit, workers):
    baseline = 40 * MB
    planned, chunk, per_process = memory_plan(limit, workers, baseline=baseline)
    assert 1 <= planned <= workers and chunk >= MIN_CHUNK
    assert baseline + CHUNK_COST * chunk <= per_process  # one worker and its chunk
    if planned > 1:  # the parent stays resident beside its workers
        assert baseline + PARENT_HEADROOM + planned * per_process <= limit
    else:
        assert per_process == limit


def test_a_tight_limit_drops_workers_before_it_gives_up():
    assert memory_plan(100 * MB, 4, baseline=40 * MB)[0] == 1


def test_a_limit_below_one_worker_refuses_to_start_with_the_size_it_needs():
    with pytest.raises(MemoryLimitExceeded, match=r"too small: this scan needs at least 49MB"):
        memory_plan(30 * MB, 2, baseline=40 * MB)


def big_module(size: int) -> str:
    """Python source of about ``size`` bytes with non-ASCII text (stored at 4 bytes a character)."""
    block = "".join(f'def handler_{i}(value):\n    """Grüße 🙂 {i}"""\n    return value + {i}\n\n' for i in range(200))
    body = block * (size // len(block.encode()) + 1)
    return f'TOKEN_A = "{TOKEN}"\n' + body + f'TOKEN_B = "{TOKEN}"\n'


def run_measured(args: list[str], cwd: Path) -> tuple[int, str, str, int]:
    """Run the command under a small Python parent; return code, stdout, stderr, largest RSS (bytes)."""
    exe = Path(sys.executable).with_name("mcp-sentinel")
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "sentinel_hooks"]
    probe = ("import json, resource, subprocess, sys\n"
             "p = subprocess.run(sys.argv[1:], capture_output=True, text=True)\n"
             "print(json.dumps([p.returncode, p.stdout, p.stderr,"
             " resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024]))\n")
    out = subprocess.run([sys.executable, "-c", probe, *cmd, *args], cwd=cwd, capture_output=True, text=True,
                         timeout=600, env={**os.environ, "NO_COLOR": "1"})
    code, stdout, stderr, rss = json.loads(out.stdout)
    return code, stdout, stderr, rss


@pytest.mark.linux_only  # peak memory is read the Linux way (ru_maxrss in KiB)
def test_a_large_file_is_scanned_within_the_limit_with_the_same_findings(tmp_path: Path):
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "big.py").write_text(big_module(24 * MB), encoding="utf-8")
    for i in range(20):  # enough files for the worker pool
        (tmp_path / "src" / f"small_{i}.py").write_text(f"x = {i}\n")
    args = ["scan", "src", "--no-cache", "--output", "json"]
    code, limited, stderr, peak = run_measured(args + ["--memory-limit", "128MB"], tmp_path)
    assert code == 4, stderr  # high-severity tokens found, nothing failed
    free_code, unlimited, _, free_peak = run_measured(args, tmp_path)
    assert free_code == 4
    where = lambda report: sorted((f["rule_id"], f["line"]) for f in json.loads(report)["findings"])  # noqa: E731
    assert where(limited) == where(unlimited)
    assert [line for _, line in where(limited)][0] == 1 and len(where(limited)) == 2
    assert peak < 128 * MB < free_peak  # without the limit the whole file is read at once


def test_a_limit_too_small_for_one_worker_is_a_one_line_error(tmp_path: Path):
    (tmp_path / "a.py").write_text("x = 1\n")
    code, _, stderr, _ = run_measured(["scan", ".", "--memory-limit", "20MB"], tmp_path)
    assert code == 1
    assert "Traceback" not in stderr and len(stderr.strip().splitlines()) == 1
    assert "--memory-limit 20MB is too small" in stderr
