"""The ignore file and `mcp-sentinel ignore add/list/prune`, and its effect on `scan`."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from sentinel_hooks import ignore_file
from sentinel_hooks.cli import main
from sentinel_hooks.errors import ConfigError
from tests.report.conftest import write_project

pytestmark = pytest.mark.needs_git

FP = "0123456789abcdef0123456789abcdef:0"


@pytest.fixture
def repo(tmp_path: Path, monkeypatch) -> Path:
    root = write_project(tmp_path)
    monkeypatch.chdir(root)
    return root


def rule_args(repo: Path) -> list[str]:
    return ["--no-builtin-rules", "--rules", str(repo.parent / "pack.yaml")]


def json_scan(repo: Path, *extra: str) -> tuple[int, dict]:
    out = repo.parent / "scan.json"
    code = main(["scan", ".", *rule_args(repo), "-o", "json", "--output-file", str(out), *extra])
    return code, json.loads(out.read_text(encoding="utf-8"))


def ignore_text(repo: Path) -> str:
    return (repo / ignore_file.FINDINGS_IGNORE_FILE).read_text(encoding="utf-8")


def test_parse_and_render_round_trip():
    text = ("# accepted findings\n\n"
            f"{FP}  demo-eval  dir with space/a.py  # reviewed by the security team\n"
            "0123456789ABCDEF0123456789ABCDEF\n")
    parsed = ignore_file.parse(text)
    first, second = parsed.entries
    assert (first.fingerprint, first.rule_id, first.path, first.reason) == (
        FP, "demo-eval", "dir with space/a.py", "reviewed by the security team")
    assert second.fingerprint == "0123456789abcdef0123456789abcdef" and second.line_number == 4
    assert parsed.render() == text.replace("0123456789ABCDEF0123456789ABCDEF", "0123456789abcdef0123456789abcdef")


def test_a_bad_line_is_a_config_error():
    with pytest.raises(ConfigError, match="line 2"):
        ignore_file.parse(f"{FP}\nnot-a-fingerprint  # oops\n")


def test_add_list_and_reason(repo, capsys):
    other = FP.replace(":0", ":1")
    assert main(["ignore", "add", FP, other.upper(), "--reason", "test data"]) == 0
    assert "added 2 entries" in capsys.readouterr().out
    text = ignore_text(repo)
    assert text.startswith("# mcp-sentinel ignore file")
    assert f"{FP}  # test data\n" in text and f"{other}  # test data\n" in text
    assert main(["ignore", "add", FP]) == 0
    assert "added 0 entries to .mcp-sentinel-ignore (1 already listed)" in capsys.readouterr().out
    assert main(["ignore", "list"]) == 0
    out = capsys.readouterr().out
    assert f"{FP}  # test data" in out and out.rstrip().endswith("2 entries in .mcp-sentinel-ignore")
    assert not [p for p in repo.iterdir() if p.name.endswith(".tmp")]


def test_add_rejects_bad_fingerprints_and_writes_nothing(repo, capsys):
    assert main(["ignore", "add", FP, "nope"]) == 2
    assert "not a finding fingerprint" in capsys.readouterr().err
    assert not (repo / ignore_file.FINDINGS_IGNORE_FILE).exists()
    assert main(["ignore", "add"]) == 2


def test_add_from_a_json_report_accepts_current_findings(repo, capsys):
    code, report = json_scan(repo)
    assert code == 3
    assert main(["ignore", "add", "--from", str(repo.parent / "scan.json"), "--reason", "baseline"]) == 0
    entries = ignore_file.load(repo).entries
    active = [f for f in report["findings"] if not f["suppressed"]]
    assert sorted(e.fingerprint for e in entries) == sorted(f["fingerprint"] for f in active)
    by_fp = {e.fingerprint: e for e in entries}
    for f in active:
        assert (by_fp[f["fingerprint"]].rule_id, by_fp[f["fingerprint"]].path) == (f["rule_id"], f["path"])
    assert ignore_file.load(repo).entries[0].reason == "baseline"
    code, after = json_scan(repo)
    assert code == 0
    assert after["summary"]["total"] == 0 and after["summary"]["suppressed"] == len(report["findings"])
    assert {f["suppressed_by"] for f in after["findings"]} == {"inline", "ignore-file"}
    assert all(f["extra"].get("ignore_reason") == "baseline" for f in after["findings"]
               if f["suppressed_by"] == "ignore-file")


def test_add_from_a_sarif_report(repo):
    out = repo.parent / "scan.sarif"
    main(["scan", ".", *rule_args(repo), "-o", "sarif", "--output-file", str(out)])
    assert main(["ignore", "add", "--from", str(out)]) == 0
    paths = {e.path for e in ignore_file.load(repo).entries}
    assert "dir with space/ñame.py" in paths and "app.py" in paths
    assert json_scan(repo)[0] == 0


def test_add_from_something_else_fails_clearly(repo, capsys):
    other = repo.parent / "other.json"
    other.write_text('{"hello": 1}', encoding="utf-8")
    assert main(["ignore", "add", "--from", str(other)]) == 2
    assert main(["ignore", "add", "--from", str(repo.parent / "missing.json")]) == 8
    err = capsys.readouterr().err
    assert "not a JSON or SARIF report" in err and "no such file" in err


def test_bare_hash_accepts_every_occurrence(repo):
    (repo / "app.py").write_text("x = eval(a)\ny = 1\nx = eval(a)\n", encoding="utf-8")
    _, report = json_scan(repo)
    evals = [f["fingerprint"] for f in report["findings"] if f["path"] == "app.py"]
    assert len(evals) == 2 and evals[0].split(":")[0] == evals[1].split(":")[0]
    (repo / ignore_file.FINDINGS_IGNORE_FILE).write_text(evals[0].split(":")[0] + "  # both\n", encoding="utf-8")
    _, after = json_scan(repo)
    assert [f["suppressed_by"] for f in after["findings"] if f["path"] == "app.py"] == ["ignore-file"] * 2


def test_report_unused_ignores(repo, capsys):
    _, report = json_scan(repo)
    used = next(f["fingerprint"] for f in report["findings"] if f["rule_id"] == "demo-debug")
    (repo / ignore_file.FINDINGS_IGNORE_FILE).write_text(f"{used}\n{FP}  demo-old  gone.py  # stale\n", encoding="utf-8")
    capsys.readouterr()
    json_scan(repo, "--report-unused-ignores")
    err = capsys.readouterr().err
    assert f"unused ignore entry (.mcp-sentinel-ignore:2): {FP}  demo-old  gone.py  # stale" in err
    assert used not in err
    json_scan(repo)
    assert "unused ignore entry" not in capsys.readouterr().err


def test_prune_removes_only_entries_that_match_nothing(repo, capsys):
    _, report = json_scan(repo)
    used = next(f["fingerprint"] for f in report["findings"] if f["rule_id"] == "demo-debug")
    original = f"# team decisions\n{used}  demo-debug  app.py  # staging only\n\n{FP}  demo-old  gone.py\n"
    (repo / ignore_file.FINDINGS_IGNORE_FILE).write_text(original, encoding="utf-8")
    assert main(["ignore", "prune", "--dry-run", *rule_args(repo)]) == 0
    assert f"would remove: {FP}" in capsys.readouterr().out
    assert ignore_text(repo) == original
    assert main(["ignore", "prune", *rule_args(repo)]) == 0
    assert "1 unused entry removed; 1 kept" in capsys.readouterr().out
    assert ignore_text(repo) == f"# team decisions\n{used}  demo-debug  app.py  # staging only\n\n"


def test_ignore_without_action_is_a_usage_error(repo, capsys):
    assert main(["ignore"]) == 2
    assert "add, list or prune" in capsys.readouterr().err


@pytest.mark.posix_only  # permission bits
def test_written_file_keeps_ordinary_permissions(repo):
    import os
    import stat

    old = os.umask(0o022)
    try:
        assert main(["ignore", "add", FP]) == 0
        path = repo / ignore_file.FINDINGS_IGNORE_FILE
        assert stat.S_IMODE(path.stat().st_mode) == 0o644
        path.chmod(0o664)
        assert main(["ignore", "add", FP.replace(":0", ":7")]) == 0
        assert stat.S_IMODE(path.stat().st_mode) == 0o664
    finally:
        os.umask(old)


def test_diff_scans_match_ignore_entries_by_hash_whatever_the_occurrence():
    from sentinel_hooks.findings import Confidence, Finding, Severity
    from sentinel_hooks.ignore_file import apply, parse

    f = Finding(rule_id="r", title="t", severity=Severity.HIGH, confidence=Confidence.HIGH, cwe="CWE-1",
                path="a.py", line=9, column=1, end_line=9, end_column=2, snippet="s", remediation="r",
                fingerprint="0123456789abcdef0123456789abcdef:0")
    ignore = parse("0123456789abcdef0123456789abcdef:1  r  a.py  # accepted in a full scan\n")
    apply([f], ignore)
    assert f.suppressed_by is None  # a full scan keeps occurrences apart
    apply([f], ignore, any_occurrence=True)
    assert f.suppressed_by == "ignore-file"
