"""Settings a scanned repository (or a careless flag) can give that must not exhaust the machine or
crash the scan: worker counts, non-finite time limits, malformed sizes, backtracking rule packs."""
from __future__ import annotations

import json
import os

import pytest

from hardening.hardening_kit import Sandbox, assert_exit, assert_no_traceback, assert_one_line_error, marker_rule, text


def cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def many_files(sandbox: Sandbox, count: int = 20) -> None:
    for i in range(count):  # over the parallel thresholds: 16 files and 2 MB
        (sandbox.work / f"f{i:02}.py").write_text("x = 1\n" * 20_000)


@pytest.mark.parametrize("where", ["flag", "config"])
def test_worker_processes_are_capped_at_files_and_cpus(sandbox, where):
    many_files(sandbox)
    args = ["scan", "--no-cache", "-o", "json"]
    if where == "flag":
        args += ["--max-concurrent-files", "1000"]
    else:
        (sandbox.work / ".mcp-sentinel.yaml").write_text("max-concurrent-files: 1000\nexclude-patterns: ['*.yaml']\n")
    proc = sandbox.run(args, timeout=120)
    assert_exit(proc, 0)
    assert_no_traceback(proc)
    used = min(cpus(), 20)
    assert json.loads(proc.stdout)["scan"]["workers"] == (used if used > 1 else 1)
    name = "--max-concurrent-files" if where == "flag" else "max-concurrent-files"
    assert text(proc.stderr).splitlines() == [
        f"mcp-sentinel: note: {name} 1000 capped at {used} worker{'s' if used != 1 else ''} (20 files, {cpus()} CPUs)"]


def test_no_note_when_the_request_fits(sandbox):
    many_files(sandbox)
    proc = sandbox.run(["scan", "--no-cache", "--max-concurrent-files", "1"])
    assert_exit(proc, 0)
    assert proc.stderr == b""


@pytest.mark.parametrize("value", ["nan", "inf", "1e309", "NaN", "Infinity", "0", "1e8"])
def test_a_timeout_that_is_not_a_finite_number_of_seconds_exits_2(sandbox, value):
    (sandbox.work / "a.py").write_text("a = 1\n")
    proc = sandbox.run(["scan", "--timeout", value, "a.py"])
    assert_exit(proc, 2)
    assert_one_line_error(proc, "--timeout")


@pytest.mark.parametrize("value", [".inf", ".nan", "-.inf", "1e309"])
def test_a_config_timeout_that_is_not_finite_exits_2_naming_the_file(sandbox, value):
    (sandbox.work / ".mcp-sentinel.yaml").write_text(f"timeout: {value}\n")
    (sandbox.work / "a.py").write_text("a = 1\n")
    proc = sandbox.run(["scan", "a.py"])
    assert_exit(proc, 2)
    assert_one_line_error(proc, ".mcp-sentinel.yaml", "timeout")


@pytest.mark.parametrize("value", ["abc", "12XB", "1MB"])
def test_a_config_memory_limit_that_is_not_a_size_exits_2_naming_the_file(sandbox, value):
    (sandbox.work / ".mcp-sentinel.yaml").write_text(f"memory-limit: {value}\n")
    (sandbox.work / "a.py").write_text("a = 1\n")
    proc = sandbox.run(["scan", "a.py"])
    assert_exit(proc, 2)
    assert_one_line_error(proc, ".mcp-sentinel.yaml", "memory-limit")


# -- backtracking regexes in rule packs the scanned repository names --------------------------------
BACKTRACKING_PACK = marker_rule(rule_id="slow-rule", keyword="aaaa", regex="(a+)+$")


@pytest.mark.parametrize("config_timeout", ["", "timeout: 10000000\n"])
def test_a_backtracking_pack_named_by_the_repository_is_bounded_without_timeout(sandbox, monkeypatch, capsys,
                                                                               config_timeout):
    """In-process, with the budget shrunk to 2 s (it is 600 s): the scan ends with exit 7 even though
    neither --timeout nor a usable config timeout is given."""
    from sentinel_hooks import cli
    from sentinel_hooks import orchestration

    (sandbox.work / "packs").mkdir()
    (sandbox.work / "packs" / "slow.yaml").write_text(BACKTRACKING_PACK)
    (sandbox.work / ".mcp-sentinel.yaml").write_text("rules: [packs/slow.yaml]\nbuiltin-rules: false\n" + config_timeout)
    (sandbox.work / "app.py").write_text("a" * 40 + "!\n")
    monkeypatch.chdir(sandbox.work)
    monkeypatch.setenv("XDG_CACHE_HOME", str(sandbox.home / ".cache"))
    monkeypatch.setattr(orchestration, "REPOSITORY_PACK_BUDGET", 2.0)
    code = cli.main(["scan", "--no-cache", "app.py"])
    err = capsys.readouterr().err
    assert code == 7
    assert err.startswith("mcp-sentinel: scan timed out after 2s (the limit for rule packs from the scanned "
                          "repository; --timeout sets another)")


def test_built_in_packs_and_explicit_limits_keep_their_time_limit():
    from sentinel_hooks.orchestration import REPOSITORY_PACK_BUDGET, time_limit

    assert time_limit(None, None, repository_packs=False).seconds is None
    assert time_limit(None, 30, repository_packs=True).seconds == 30
    assert time_limit(None, 10_000_000, repository_packs=True).seconds == REPOSITORY_PACK_BUDGET
    assert time_limit(5000, None, repository_packs=True).seconds == 5000
