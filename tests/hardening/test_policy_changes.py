"""A change that weakens the gate's own policy is obeyed silently no more.

``--baseline`` lets policy changes of the compared range take effect but reports each as a LOW
``policy-change`` finding on the changed line, saying what it turns off and what it hides (in every
report format, with the hidden findings counted apart in the summary); ``--policy-from base`` takes
the policy from the base and still reports the changes; ``--staged`` applies suppressions as before.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from commands.test_scan_git import github_token
from gitutil import git
from sentinel_hooks.cli import main

TOKEN = github_token("Pq3Wx8Nz1Kc6Vb9Tm4Hj7Ld2Rf5Gs0")
SECRET_RULE = "github-pat-classic"
CODE_RULE = "python-eval-dynamic"
SERVER = f"import os\n\nTOKEN = '{TOKEN}'\n\n\ndef calc(expr):\n    return eval(expr)\n"
EXIT_CRITICAL, EXIT_LOW = 3, 6


@pytest.fixture
def repo(make_repo, monkeypatch) -> Path:
    repo = make_repo()
    monkeypatch.chdir(repo)
    (repo / "server.py").write_text("import os\n")
    (repo / ".mcp-sentinel.yaml").write_text("severity-threshold: low\n")
    (repo / "pyproject.toml").write_text('[project]\nname = "demo"\n')
    _commit(repo, "initial")
    git(repo, "checkout", "-q", "-b", "feature")
    return repo


def _commit(repo: Path, message: str = "change") -> None:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)


def _scan(capsys, *args: str) -> tuple[int, dict]:
    code = main(["scan", "--no-cache", "-o", "json", *args])
    return code, json.loads(capsys.readouterr().out)


def _policy(doc: dict) -> list[tuple[str, int, str]]:
    return [(f["path"], f["line"], f["message"]) for f in doc["findings"] if f["rule_id"] == "policy-change"]


def _active(doc: dict) -> list[str]:
    return sorted(f["rule_id"] for f in doc["findings"] if not f["suppressed"] and f["rule_id"] != "policy-change")


def _fingerprint(capsys, rule_id: str) -> str:
    _, doc = _scan(capsys, "--baseline", "main")
    return next(f["fingerprint"] for f in doc["findings"] if f["rule_id"] == rule_id)


WEAKENINGS = {
    "builtin rules off": ({".mcp-sentinel.yaml": "severity-threshold: low\nbuiltin-rules: false\n"},
                          ".mcp-sentinel.yaml", 2, "turns the built-in rules off; hides 1 CRITICAL, 1 HIGH in server.py"),
    "disabled rule": ({".mcp-sentinel.yaml": f"severity-threshold: low\ndisabled-rules:\n  - {CODE_RULE}\n"
                       f"  - {SECRET_RULE}\n"},
                      ".mcp-sentinel.yaml", 4, f"disables rule {SECRET_RULE}; hides 1 CRITICAL in server.py"),
    "exclude pattern": ({".mcp-sentinel.yaml": "severity-threshold: low\nexclude-patterns: ['server.py']\n"},
                        ".mcp-sentinel.yaml", 2,
                        "excludes files matching 'server.py'; hides 1 CRITICAL, 1 HIGH in server.py"),
    "pyproject section": ({".mcp-sentinel.yaml": None,
                           "pyproject.toml": f'[project]\nname = "demo"\n\n[tool.mcp-sentinel]\n'
                                             f'disabled-rules = ["{SECRET_RULE}"]\n'},
                          "pyproject.toml", 5, f"disables rule {SECRET_RULE}; hides 1 CRITICAL in server.py"),
    "star in .mcp-sentinelignore": ({".mcp-sentinelignore": "# generated\n*\n"}, ".mcp-sentinelignore", 2,
                                    "excludes files matching '*'; hides 1 CRITICAL, 1 HIGH in server.py"),
}


def _apply(repo: Path, files: dict[str, str | None]) -> None:
    for rel, text in files.items():
        if text is None:
            (repo / rel).unlink()
        else:
            (repo / rel).write_text(text)


@pytest.mark.parametrize("case", WEAKENINGS, ids=list(WEAKENINGS))
def test_policy_weakening_is_reported_and_obeyed(repo, capsys, case):
    files, path, line, message = WEAKENINGS[case]
    (repo / "server.py").write_text(SERVER)
    _apply(repo, files)
    _commit(repo)
    code, doc = _scan(capsys, "--baseline", "main")
    assert (path, line, message) in _policy(doc)
    assert SECRET_RULE not in _active(doc)
    assert code not in (0, EXIT_CRITICAL)  # the change takes effect, and its report fails the gate
    assert doc["summary"]["hidden_by_policy_changes"] >= 1


@pytest.mark.parametrize("case", WEAKENINGS, ids=list(WEAKENINGS))
def test_policy_from_base_does_not_obey_the_change(repo, capsys, case):
    files, path, line, message = WEAKENINGS[case]
    (repo / "server.py").write_text(SERVER)
    _apply(repo, files)
    _commit(repo)
    code, doc = _scan(capsys, "--baseline", "main", "--policy-from", "base")
    assert _active(doc) == sorted([CODE_RULE, SECRET_RULE])
    what, effect = message.split("; ", 1)
    assert (path, line, f"{what} (not applied: --policy-from base); would {effect.replace('hides', 'hide', 1)}") \
        in _policy(doc)
    assert code == EXIT_CRITICAL


def test_new_fingerprint_in_the_ignore_file(repo, capsys):
    (repo / "server.py").write_text(SERVER)
    _commit(repo)
    fingerprint = _fingerprint(capsys, SECRET_RULE)
    (repo / ".mcp-sentinel-ignore").write_text(f"# accepted\n{fingerprint}  {SECRET_RULE}  server.py  # test key\n")
    _commit(repo)
    code, doc = _scan(capsys, "--baseline", "main")
    assert _policy(doc) == [(".mcp-sentinel-ignore", 2, f"accepts finding {fingerprint} ({SECRET_RULE} in server.py); "
                                                        "hides 1 CRITICAL in server.py")]
    assert _active(doc) == [CODE_RULE] and code == 4  # the HIGH still fails the gate
    assert doc["summary"]["suppressed"] == 0 and doc["summary"]["hidden_by_policy_changes"] == 1
    code, doc = _scan(capsys, "--baseline", "main", "--policy-from", "base")
    assert _active(doc) == sorted([CODE_RULE, SECRET_RULE]) and code == EXIT_CRITICAL


def test_new_inline_suppression(repo, capsys):
    (repo / "server.py").write_text(SERVER.replace(f"'{TOKEN}'", f"'{TOKEN}'  # mcp-sentinel: ignore"))
    _commit(repo)
    code, doc = _scan(capsys, "--baseline", "main")
    assert _policy(doc) == [("server.py", 3, f"suppresses rule {SECRET_RULE} with an inline comment; "
                                             "hides 1 CRITICAL in server.py")]
    assert TOKEN not in json.dumps(doc)  # the changed line is shown as the finding's redacted snippet
    code, doc = _scan(capsys, "--baseline", "main", "--policy-from", "base")
    assert SECRET_RULE in _active(doc) and code == EXIT_CRITICAL


def test_an_older_suppression_is_counted_apart(repo, capsys):
    accepted = f"import os\n\n# mcp-sentinel: ignore[{SECRET_RULE}]\nTOKEN = 'placeholder'\n\n\ndef calc(expr):\n    return 0\n"
    (repo / "server.py").write_text(accepted)
    _commit(repo, "an accepted key slot")
    git(repo, "checkout", "-q", "main")
    git(repo, "merge", "-q", "--ff-only", "feature")
    git(repo, "checkout", "-q", "-b", "next")
    (repo / "server.py").write_text(accepted.replace("'placeholder'", f"'{TOKEN}'")
                                    .replace("return 0", "return eval(expr)  # mcp-sentinel: ignore"))
    _commit(repo)
    code, doc = _scan(capsys, "--baseline", "main")
    assert _policy(doc) == [("server.py", 8, f"suppresses rule {CODE_RULE} with an inline comment; "
                                             "hides 1 HIGH in server.py")]
    assert doc["summary"]["suppressed"] == 1 and doc["summary"]["hidden_by_policy_changes"] == 1
    main(["scan", "--no-cache", "--baseline", "main"])
    assert "1 suppressed; 1 hidden by policy changes in this range" in capsys.readouterr().out


def test_every_report_format_shows_the_change(repo, capsys):
    (repo / "server.py").write_text(SERVER)
    (repo / ".mcp-sentinel.yaml").write_text(f"disabled-rules: [{SECRET_RULE}]\n")
    _commit(repo)
    expected = f"disables rule {SECRET_RULE}; hides 1 CRITICAL in server.py"
    for fmt in ("terminal", "json", "sarif", "gitlab-sast", "html"):
        main(["scan", "--no-cache", "--baseline", "main", "-o", fmt])
        out = capsys.readouterr().out
        assert "policy-change" in out and expected in out, fmt
    main(["scan", "--no-cache", "--baseline", "main"])
    assert "1 hidden by policy changes in this range" in capsys.readouterr().out
    main(["scan", "--no-cache", "--baseline", "main", "-o", "sarif"])
    run = json.loads(capsys.readouterr().out)["runs"][0]
    assert "policy-change" in [r["id"] for r in run["tool"]["driver"]["rules"]]
    assert run["properties"]["hiddenByPolicyChanges"] == 1


def test_a_raised_threshold_does_not_hide_its_own_report(repo, capsys):
    (repo / "server.py").write_text(SERVER.replace(f"TOKEN = '{TOKEN}'\n", ""))
    (repo / ".mcp-sentinel.yaml").write_text("severity-threshold: critical\n")
    _commit(repo)
    code, doc = _scan(capsys, "--baseline", "main")
    assert (".mcp-sentinel.yaml", 1, "raises the severity threshold from LOW to CRITICAL; hides 1 HIGH in server.py") \
        in _policy(doc)
    assert code == EXIT_LOW


def test_the_rules_command_lists_policy_change(repo, capsys):
    (repo / ".mcp-sentinel.yaml").write_text("disabled-rules: [policy-change]\n")
    assert main(["rules"]) == 2  # not a pack rule: it cannot be disabled
    assert "cannot disable unknown rule id 'policy-change'" in capsys.readouterr().err
    (repo / ".mcp-sentinel.yaml").write_text("builtin-rules: false\n")
    assert main(["rules"]) == 0
    assert "policy-change" in capsys.readouterr().out


def test_staged_scans_apply_suppressions_and_count_them(repo, capsys):
    (repo / "server.py").write_text(SERVER.replace(f"'{TOKEN}'", f"'{TOKEN}'  # mcp-sentinel: ignore"))
    git(repo, "add", "server.py")
    code, doc = _scan(capsys, "--staged")
    assert _policy(doc) == [] and _active(doc) == [CODE_RULE]
    assert doc["summary"]["suppressed"] == 1 and code == 4


def test_policy_files_at_the_base_are_read_as_regular_files_only(repo, capsys):
    """A base whose ignore file is a symlink is read as having none (its target is never read)."""
    git(repo, "checkout", "-q", "main")
    (repo / ".mcp-sentinel-ignore").symlink_to("/etc/passwd")
    _commit(repo, "symlinked ignore file")
    git(repo, "checkout", "-q", "-b", "topic")
    (repo / ".mcp-sentinel-ignore").unlink()
    (repo / "server.py").write_text(SERVER)
    _commit(repo)
    code, doc = _scan(capsys, "--baseline", "main", "--policy-from", "base")
    assert _active(doc) == sorted([CODE_RULE, SECRET_RULE]) and "root:" not in json.dumps(doc)


def test_a_weakened_rule_pack_in_the_repository(repo, capsys):
    from hardening.hardening_kit import marker_rule

    (repo / "rules").mkdir()
    (repo / "rules" / "team.yaml").write_text(marker_rule())
    (repo / ".mcp-sentinel.yaml").write_text("rules: [rules/team.yaml]\n")
    _commit(repo, "team rules")
    git(repo, "checkout", "-q", "main")
    git(repo, "merge", "-q", "--ff-only", "feature")
    git(repo, "checkout", "-q", "-b", "next")
    (repo / "rules" / "team.yaml").write_text(marker_rule(regex="PLANTEDMARKER_[a-z]+"))
    (repo / "server.py").write_text("import os\nMARK = 'PLANTEDMARKER_1'\n")
    _commit(repo)
    code, doc = _scan(capsys, "--baseline", "main")
    assert ("rules/team.yaml", 11, "changes rule pack rules/team.yaml; hides 1 HIGH in server.py") in _policy(doc)
    assert "hardening-marker" not in _active(doc)
    code, doc = _scan(capsys, "--baseline", "main", "--policy-from", "base")
    assert "hardening-marker" in _active(doc) and code == 4


def test_a_base_with_a_broken_policy_is_judged_against_the_defaults(repo, capsys):
    git(repo, "checkout", "-q", "main")
    (repo / ".mcp-sentinel.yaml").write_text("severity-threshold: [\n")
    _commit(repo, "broken config")
    git(repo, "checkout", "-q", "-b", "fix")
    (repo / ".mcp-sentinel.yaml").write_text(f"disabled-rules: [{SECRET_RULE}]\n")
    (repo / "server.py").write_text(SERVER)
    _commit(repo)
    code, doc = _scan(capsys, "--baseline", "main")
    assert (".mcp-sentinel.yaml", 1, f"disables rule {SECRET_RULE}; hides 1 CRITICAL in server.py") in _policy(doc)
    assert "base's policy cannot be used" in capsys.readouterr().err or doc["scan"]["policy"]["base_unreadable"]
    assert main(["scan", "--no-cache", "--baseline", "main", "--policy-from", "base"]) == 2
    assert "at " in capsys.readouterr().err


def test_policy_from_base_needs_a_baseline(repo, capsys):
    assert main(["scan", "--staged", "--policy-from", "base"]) == 2
    assert "--policy-from base needs --baseline" in capsys.readouterr().err


def test_a_baseline_scan_that_times_out_still_writes_its_report(repo, capsys, tmp_path):
    from hardening.hardening_kit import marker_rule

    pack = tmp_path / "slow.yaml"
    pack.write_text(marker_rule(rule_id="slow-rule", keyword="aaaa", regex="(a+)+$"))
    (repo / "server.py").write_text("a" * 40 + "!\n")
    (repo / ".mcp-sentinel.yaml").write_text("exclude-patterns: ['docs/']\n")
    _commit(repo)
    report = tmp_path / "report.json"
    code = main(["scan", "--no-cache", "--baseline", "main", "--no-builtin-rules", "--rules", str(pack),
                 "--timeout", "2", "-o", "json", "--output-file", str(report)])
    assert code == 7 and "scan timed out" in capsys.readouterr().err
    assert json.loads(report.read_text())["scan"]["incomplete"].startswith("scan timed out after 2s")
