"""End-to-end: the installed `mcp-sentinel` command, one case per exit code."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from sentinel_hooks.cli import main

from rule_packs import BACKTRACKING_RULE, pack

PACK = """pack: levels
rules:
""" + "".join(f"""  - id: level-{sev}
    title: {sev} marker
    severity: {sev}
    confidence: high
    cwe: CWE-200
    description: Marks a {sev} finding.
    remediation: Remove the marker.
    keywords: [mark-{sev}]
    regex: 'MARK-{sev.upper()}'
""" for sev in ("critical", "high", "medium", "low", "info"))


def run(args: list[str], cwd: Path, **env: str) -> subprocess.CompletedProcess:
    exe = Path(sys.executable).with_name("mcp-sentinel")
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "sentinel_hooks"]
    return subprocess.run(cmd + args, cwd=cwd, capture_output=True, text=True, timeout=120,
                          env={**os.environ, "NO_COLOR": "1", **env})


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "rules.yaml").write_text(PACK)
    (tmp_path / "src").mkdir()
    return tmp_path


def scan(project: Path, content: str, *extra: str) -> subprocess.CompletedProcess:
    (project / "src" / "app.py").write_text(content)
    return run(["scan", "src", "--no-builtin-rules", "--rules", "rules.yaml", *extra], project)


def assert_clean_error(proc: subprocess.CompletedProcess) -> None:
    assert "Traceback" not in proc.stderr
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("mcp-sentinel:"), proc.stderr


@pytest.mark.parametrize("marker, code", [
    ("MARK-CRITICAL MARK-HIGH MARK-LOW", 3), ("MARK-HIGH MARK-MEDIUM", 4), ("MARK-MEDIUM MARK-LOW", 5),
    ("MARK-LOW", 6), ("nothing", 0), ("MARK-INFO", 0),
])
def test_highest_severity_decides(project, marker, code):
    proc = scan(project, f"x = 1  # {marker}\n")
    assert proc.returncode == code, proc.stdout + proc.stderr
    assert proc.stderr == ""


def test_threshold_is_case_insensitive_and_filters(project):
    proc = scan(project, "# MARK-MEDIUM MARK-LOW\n", "--severity-threshold", "HiGh")
    assert proc.returncode == 0
    assert "No findings at or above HIGH" in proc.stdout


def test_exit_code_overrides(project):
    proc = scan(project, "# MARK-HIGH\n", "--exit-code-on-high", "0")
    assert proc.returncode == 0
    proc = scan(project, "# MARK-CRITICAL\n", "--exit-code-on-critical", "42")
    assert proc.returncode == 42


def test_config_file_sets_threshold_and_flags_win(project):
    (project / ".mcp-sentinel.yaml").write_text("severity-threshold: critical\nexit-codes: {low: 9}\n")
    assert scan(project, "# MARK-LOW\n").returncode == 0
    assert scan(project, "# MARK-LOW\n", "--severity-threshold", "low").returncode == 9


def test_usage_and_configuration_errors_exit_2(project):
    for args in (["scan", "--output", "pdf"], ["scan", "--severity-threshold", "severe"], ["scan", "--bogus"],
                 ["scan", "--timeout", "-3"], ["scan", "--rules", "missing.yaml"]):
        proc = run(args, project)
        assert proc.returncode == 2, args
        assert_clean_error(proc)
    (project / ".mcp-sentinel.yaml").write_text("severity-treshold: low\n")
    proc = run(["scan", "src"], project)
    assert proc.returncode == 2 and "unknown key 'severity-treshold'" in proc.stderr
    assert_clean_error(proc)


def test_invalid_user_regex_exit_2_names_file_and_rule(project):
    (project / "bad.yaml").write_text(PACK.replace("MARK-HIGH", "MARK-(HIGH"))
    proc = run(["scan", "src", "--rules", "bad.yaml"], project)
    assert proc.returncode == 2 and "bad.yaml" in proc.stderr and "level-high" in proc.stderr
    assert_clean_error(proc)


def test_missing_path_exit_8(project):
    proc = run(["scan", "does-not-exist"], project)
    assert proc.returncode == 8
    assert_clean_error(proc)


def test_timeout_exit_7_even_inside_a_backtracking_rule(project):
    (project / "slow.yaml").write_text(pack(BACKTRACKING_RULE, name="slow"))
    (project / "src" / "min.js").write_text("a" * 20000 + "b\n")
    proc = run(["scan", "src", "--no-builtin-rules", "--rules", "slow.yaml", "--timeout", "1"], project)
    assert proc.returncode == 7
    assert "timed out after 1s" in proc.stderr and "stopped in min.js" in proc.stderr
    assert_clean_error(proc)


def test_file_system_error_wins_over_findings(project, monkeypatch, capsys):
    (project / "src" / "app.py").write_text("# MARK-CRITICAL\n")
    (project / "src" / "locked.py").write_text("x\n")
    real_open = os.open

    def deny(path, *a, **kw):
        if str(path).endswith("locked.py"):
            raise PermissionError(13, "Permission denied")
        return real_open(path, *a, **kw)

    monkeypatch.setattr(os, "open", deny)
    monkeypatch.chdir(project)
    code = main(["scan", "src", "--no-builtin-rules", "--rules", "rules.yaml"])
    out, err = capsys.readouterr()
    assert code == 8
    assert "app.py" in out and "MARK-CRITICAL" in out  # the rest of the scan completed and was reported
    assert "locked.py: Permission denied" in err


def test_unexpected_error_exit_1_one_line(project, monkeypatch, capsys):
    from sentinel_hooks.engine import matcher

    def boom(self, unit):
        raise RuntimeError("engine exploded")

    monkeypatch.setattr(matcher.Engine, "scan", boom)
    (project / "src" / "app.py").write_text("x\n")
    monkeypatch.chdir(project)
    code = main(["scan", "src"])
    err = capsys.readouterr().err
    assert code == 1 and "engine exploded" in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


def test_debug_shows_traceback(project, monkeypatch):
    from sentinel_hooks.engine import matcher

    monkeypatch.setattr(matcher.Engine, "scan", lambda self, unit: 1 / 0)
    (project / "src" / "app.py").write_text("x\n")
    monkeypatch.chdir(project)
    with pytest.raises(ZeroDivisionError):
        main(["scan", "src", "--debug"])


@pytest.mark.needs_git
def test_ignore_file_of_the_working_repository_does_not_apply_to_a_folder_elsewhere(tmp_path, monkeypatch, capsys):
    from gitutil import git

    work = tmp_path / "work"
    work.mkdir()
    git(work, "init", "-q")
    (work / ".mcp-sentinelignore").write_text("tests/\n")
    elsewhere = tmp_path / "elsewhere"
    (elsewhere / "tests").mkdir(parents=True)
    (elsewhere / "tests" / "app.py").write_text("# MARK-HIGH\n")
    (tmp_path / "rules.yaml").write_text(PACK)
    monkeypatch.chdir(work)
    code = main(["scan", str(elsewhere), "--no-builtin-rules", "--rules", str(tmp_path / "rules.yaml"), "--no-cache"])
    assert code == 5 and "tests/app.py" in capsys.readouterr().out  # MEDIUM: a test file's HIGH, lowered
    (elsewhere / ".mcp-sentinelignore").write_text("tests/\n")  # the folder's own file does apply
    assert main(["scan", str(elsewhere), "--no-builtin-rules", "--rules", str(tmp_path / "rules.yaml"),
                 "--no-cache"]) == 0
