"""The benchmark scripts run end to end in their tiny ``--quick`` mode and report what they measured."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = [pytest.mark.linux_only, pytest.mark.needs_git]  # the scripts sample memory from /proc

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"
SCRIPTS = ["precommit_latency.py", "diff_scaling.py", "range_history.py", "throughput.py", "cache.py", "memory.py",
           "worker_startup.py"]


def run_quick(script: str, folder: Path, *extra: str) -> tuple[str, dict]:
    out_json = folder / f"{script}.json"
    env = {k: v for k, v in os.environ.items() if k != "BENCH_PEERS_BIN"}
    proc = subprocess.run([sys.executable, str(BENCHMARKS / script), "--quick", "--no-peers",
                           "--json", str(out_json), *extra],
                          capture_output=True, text=True, timeout=300, env=env)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return proc.stdout, json.loads(out_json.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def quick(tmp_path_factory):
    """Each script's quick run, made once per module."""
    folder = tmp_path_factory.mktemp("bench")
    done: dict[str, tuple[str, dict]] = {}

    def get(script: str) -> tuple[str, dict]:
        if script not in done:
            done[script] = run_quick(script, folder)
        return done[script]

    return get


@pytest.mark.parametrize("script", SCRIPTS)
def test_script_prints_machine_and_medians(script: str, quick):
    stdout, result = quick(script)
    assert "machine:" in stdout and "python" in stdout
    assert "mcp-sentinel" in stdout and "median" in stdout
    assert result["machine"]["cores"]
    assert "PYTHONDONTWRITEBYTECODE" in stdout


def test_precommit_latency_reports_targets_and_imports(quick):
    stdout, result = quick("precommit_latency.py")
    assert set(result["repos"]) == {"small", "large", "mcp"}
    assert len(result["repos"]["mcp"]["staged"]) == 4  # the realistic MCP commit
    assert result["targets"]["large_seconds"] > 0 and result["targets"]["mcp_commit_seconds"] > 0
    assert result["targets"]["ratio_large_small"] > 0
    assert "python -X importtime" in stdout and "heavy packages loaded:" in stdout
    assert set(result["imports"]["heavy"]) >= {"pydantic", "yaml", "git", "rich"}
    assert not result["imports_mcp_commit"]["heavy"]["pydantic"] and not result["imports_mcp_commit"]["heavy"]["yaml"]
    assert result["imports"]["modules"] > 50 and "sentinel_hooks modules loaded" in stdout
    assert "by cumulative time" in stdout


def test_diff_scaling_compares_the_many_windows_change_with_a_full_scan(quick):
    stdout, result = quick("diff_scaling.py")
    windows = result["windows"]
    assert windows["changed_lines"] > 0 and windows["ratio"] > 0
    assert "diff / full:" in stdout
    # the CPU of each scan's process tree beside its time (workers and git included)
    assert windows["diff"]["median_cpu_seconds"] > 0 and windows["full"]["median_cpu_seconds"] > 0
    assert "CPU (median)" in stdout


def test_throughput_scans_a_copy_of_the_standard_library(quick):
    stdout, result = quick("throughput.py")
    assert result["corpus"]["files"] == 40 and result["corpus"]["bytes"] > 0
    assert result["mb_per_s"]["mcp-sentinel"] > 0
    assert "regex rules" in stdout


def test_cache_warm_run_reads_every_result_back(quick):
    _, result = quick("cache.py")
    assert result["cache_counts"]["cold"] == "0 hits / 40 misses"
    assert result["cache_counts"]["warm"] == "40 hits / 0 misses"
    assert result["ratio"] > 0


def test_memory_reports_peak_against_the_limit(quick):
    stdout, result = quick("memory.py")
    assert result["limit_bytes"] == 256 * 1000 * 1000 or result["limit_bytes"] == 256 * 1024 * 1024
    assert all(s["peak_rss_bytes"] > 0 for s in result["series"].values())
    assert "target: the scan completes" in stdout


def test_skipped_peer_is_named_with_how_to_install(tmp_path: Path):
    out_json = tmp_path / "r.json"
    empty = tmp_path / "bin"
    empty.mkdir()
    git = Path(subprocess.run(["which", "git"], capture_output=True, text=True).stdout.strip()).parent
    env = {**{k: v for k, v in os.environ.items() if k != "BENCH_PEERS_BIN"}, "PATH": f"{empty}:{git}"}
    proc = subprocess.run([sys.executable, str(BENCHMARKS / "diff_scaling.py"), "--quick", "--json", str(out_json)],
                          capture_output=True, text=True, timeout=300, env=env)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert "SKIPPED detect-secrets-hook: not installed (pip install detect-secrets" in proc.stdout
    assert "1" in json.loads(out_json.read_text(encoding="utf-8"))["sizes"]


def test_rule_translation_counts_are_consistent():
    sys.path.insert(0, str(BENCHMARKS))
    try:
        import _rules
    finally:
        sys.path.remove(str(BENCHMARKS))
    ruleset = _rules.python_rules()
    assert 0 < len(ruleset.regexes) <= ruleset.python <= ruleset.total
    doc = json.loads(_rules.semgrep_yaml(dict(list(ruleset.regexes.items())[:3])))
    assert [r["languages"] for r in doc["rules"]] == [["regex"]] * 3
    assert all(r["pattern-regex"] for r in doc["rules"])


def test_worker_startup_reports_both_start_methods_and_the_worker_parts(quick):
    stdout, result = quick("worker_startup.py")
    assert set(result["pool_startup_seconds"]) == {"fork", "spawn"}
    assert all(t > 0 for times in result["pool_startup_seconds"].values() for t in times)
    assert result["spawned_worker_parts"]["engine_build_ms"] > 0
    assert {"no --timeout (in-process)", "--timeout 60, fork", "--timeout 60, spawn"} == set(result["command"])


def test_diff_scaling_scans_a_real_range_against_a_full_scan_of_its_files(make_repo, tmp_path: Path):
    from gitutil import git

    repo = make_repo("range")
    for commit in range(3):
        for i in range(4):
            (repo / f"m{i}.py").write_text(f"VALUE = {commit}\n" + "x = 1\n" * (10 + commit), encoding="utf-8")
        git(repo, "add", "-A")
        git(repo, "commit", "-q", "-m", f"commit {commit}")
    stdout, result = run_quick("diff_scaling.py", tmp_path, "--only-windows", "--range-repo", str(repo),
                               "--range", "HEAD~2")
    assert result["range"]["commits"] == 2 and result["range"]["files"] == 4 and result["range"]["ratio"] > 0
    assert "real range: range, HEAD~2..HEAD (2 commits, 4 files added or modified)" in stdout
    assert stdout.count("diff / full:") == 2
    # where each scan's CPU went (a tiny range's git runs end within a clock tick: no figure asserted)
    diff_split = result["range"]["diff"]["median_cpu_split_seconds"]
    full_split = result["range"]["full"]["median_cpu_split_seconds"]
    assert set(diff_split) == set(full_split) == {"scanner", "workers", "git"}
    assert full_split["git"] == 0 and full_split["workers"] == 0  # four files: scanned in-process, no git
    assert diff_split["scanner"] > 0 and full_split["scanner"] > 0
    assert stdout.count("CPU by process (median): --baseline HEAD~2: scanner ") == 1


def _util_module():
    sys.path.insert(0, str(BENCHMARKS))
    try:
        import _util
    finally:
        sys.path.remove(str(BENCHMARKS))
    return _util


def test_cpu_split_parts_a_tree_by_kind_of_process():
    _util = _util_module()
    split = _util.cpu_split(2.0, {11: ("git", 0.25), 12: ("python3", 0.5), 13: ("git", 0.05), 14: ("mcp-sentinel", 0.7)})
    assert split == pytest.approx({"scanner": 0.5, "workers": 1.2, "git": 0.3})
    # a process that ended between samples leaves its CPU to the scanner's share, never below zero
    assert _util.cpu_split(0.1, {11: ("git", 0.25)}) == {"scanner": 0.0, "workers": 0.0, "git": 0.25}
    assert _util.cpu_split(0.4, {}) == {"scanner": 0.4, "workers": 0, "git": 0}


def test_measure_samples_the_cpu_of_child_processes():
    _util = _util_module()
    burn = "x = 0\nfor i in range(4_000_000): x += i"
    run = _util.measure([sys.executable, "-c", f"import subprocess, sys; subprocess.run([sys.executable, '-c', {burn!r}])"])
    assert run.cpu_split["workers"] > 0.05  # the child's loop, sampled while it ran
    assert run.cpu_split["git"] == 0
    assert sum(run.cpu_split.values()) == pytest.approx(max(run.cpu, run.cpu_split["workers"]))
