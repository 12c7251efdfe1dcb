"""Items 7-9: what a blocked commit says, merge-results in pipes and with scan's options, and the
messages and listings a new user meets first."""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys

from gitutil import git
from recipes.conftest import CHECKOUT, GITHUB_TOKEN, bash, commit_all


def test_blocked_commit_shows_how_to_accept_the_finding_and_the_shown_command_works(make_repo):
    repo = make_repo()
    (repo / "server.py").write_text("def tool():\n    return 1\n")
    commit_all(repo, "first")
    hook = repo / ".git" / "hooks" / "pre-commit"
    hook.write_text("#!/bin/sh\nexec mcp-sentinel scan --staged\n")  # what the pre-commit hook runs
    hook.chmod(0o755)
    (repo / "server.py").write_text(f'TOKEN = "{GITHUB_TOKEN}"  # test fixture, not a real account\n')
    blocked = bash("git add server.py && git commit -qm 'add token'", repo)
    assert blocked.returncode != 0
    shown_to_user = blocked.stderr  # git shows a hook's output on stderr
    report = json.loads(bash("mcp-sentinel scan --staged -o json", repo).stdout)
    fingerprint = report["findings"][0]["fingerprint"]
    assert f"fingerprint: {fingerprint}" in shown_to_user
    assert "# mcp-sentinel: ignore[github-pat-classic] <reason>" in shown_to_user
    shown = re.search(r"mcp-sentinel ignore add (\S+) --reason \"<why>\"", shown_to_user)
    assert shown and shown.group(1) == fingerprint
    # run the command as shown, with a reason, and the same commit goes through
    accepted = bash(f'mcp-sentinel ignore add {shown.group(1)} --reason "test fixture" '
                    f'&& git add .mcp-sentinel-ignore && git commit -qm "add token"', repo)
    assert accepted.returncode == 0, accepted.stdout + accepted.stderr
    assert git(repo, "log", "-1", "--format=%s").strip() == "add token"


def test_inline_form_matches_the_file_type(make_repo):
    repo = make_repo()
    (repo / "app.ts").write_text(f'const token = "{GITHUB_TOKEN}";\n')
    proc = bash("mcp-sentinel scan app.ts", repo)
    assert "// mcp-sentinel: ignore[github-pat-classic] <reason>" in proc.stdout
    (repo / "app.ts").write_text(f'const token = "{GITHUB_TOKEN}"; // mcp-sentinel: ignore[github-pat-classic] fixture\n')
    assert bash("mcp-sentinel scan app.ts", repo).returncode == 0


def sarif_pair(repo):
    (repo / "leak.py").write_text(f'TOKEN = "{GITHUB_TOKEN}"\n')
    (repo / "docs.md").write_text("nothing\n")
    # the guide's parallel-scanning best practice, two parts
    proc = bash("""poetry run mcp-sentinel scan leak.py --output sarif --output-file src-results.sarif &
poetry run mcp-sentinel scan docs.md --output sarif --output-file docs-results.sarif &
wait""", repo)
    assert proc.returncode == 0, proc.stderr


def test_merge_results_into_head_ends_quietly(make_repo):
    repo = make_repo()
    sarif_pair(repo)
    for _ in range(5):  # the reader closes the pipe early in most runs
        proc = bash("set -o pipefail; mcp-sentinel merge-results *.sarif | head -n 3", repo)
        assert proc.returncode == 0, proc.stderr
        assert proc.stderr == "" and len(proc.stdout.splitlines()) == 3


def test_listings_into_head_end_quietly(make_repo):
    repo = make_repo()
    for _ in range(5):
        proc = bash("set -o pipefail; mcp-sentinel rules | head -n 1", repo)
        assert proc.returncode == 0 and proc.stderr == "", proc.stderr
        assert proc.stdout.split()[0] == "ID"


def test_merge_results_as_the_guide_writes_it_and_with_scans_option_names(make_repo):
    repo = make_repo()
    sarif_pair(repo)
    proc = bash("poetry run mcp-sentinel merge-results *.sarif --output combined.sarif", repo)
    assert proc.returncode == 0, proc.stderr
    assert len(json.loads((repo / "combined.sarif").read_text())["runs"][0]["results"]) == 1
    proc = bash("mcp-sentinel merge-results src-results.sarif docs-results.sarif --output-file all.sarif", repo)
    assert proc.returncode == 0 and (repo / "all.sarif").is_file(), proc.stderr
    proc = bash("mcp-sentinel merge-results src-results.sarif --output sarif --output-file one.sarif", repo)
    assert proc.returncode == 0
    assert not (repo / "sarif").exists() and (repo / "one.sarif").is_file()
    assert proc.stderr.startswith("mcp-sentinel: warning: merge-results --output sarif names a format")


def test_error_lines_carry_one_prefix(tmp_path):
    for args in ("--bogus", "scan --bogus", "scan --severity-threshold extreme", "merge-results"):
        proc = bash(f"mcp-sentinel {args}", tmp_path)
        assert proc.returncode == 2, args
        assert proc.stderr.startswith("mcp-sentinel: ") and "mcp-sentinel: mcp-sentinel" not in proc.stderr, proc.stderr
        assert len(proc.stderr.splitlines()) == 1


def test_global_options_before_the_sub_command(tmp_path):
    (tmp_path / "leak.py").write_text(f'TOKEN = "{GITHUB_TOKEN}"\n')
    proc = bash("mcp-sentinel --no-cache --severity-threshold critical scan leak.py", tmp_path)
    assert proc.returncode == 3, proc.stderr
    assert "1 finding (1 critical) at or above CRITICAL" in proc.stdout
    proc = bash("mcp-sentinel --debug rules", tmp_path)
    assert proc.returncode == 0, proc.stderr


def test_rules_listing_has_a_header_row(tmp_path):
    lines = bash("mcp-sentinel rules", tmp_path).stdout.splitlines()
    assert lines[0].split() == ["ID", "SEVERITY", "CONFIDENCE", "CWE", "CATEGORY", "TITLE"]
    assert lines[1].index(lines[1].split()[1]) == lines[0].index("SEVERITY")  # columns line up


def test_pytest_collects_no_corpus_file_as_a_test():
    # the README's test command collects `tests` (testpaths)
    proc = subprocess.run([sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider"],
                          cwd=CHECKOUT, capture_output=True, text=True, timeout=600)
    collected = [line for line in proc.stdout.splitlines() if "::" in line]
    assert any(line.startswith("tests/test_corpus.py::") for line in collected), proc.stdout[-2000:]
    assert not [line for line in collected if line.startswith("tests/corpus/")]


def test_schema_test_skip_reason_says_what_to_provide(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("SARIF_SCHEMA", "PYTEST_ADDOPTS")}
    env["MCP_SENTINEL_SHARED"] = str(tmp_path / "no-such-folder")
    proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-rs", "-p", "no:cacheprovider",
                           "tests/report/test_sarif.py::test_validates_against_the_sarif_schema"],
                          cwd=CHECKOUT, capture_output=True, text=True, timeout=300, env=env)
    skipped = [line for line in proc.stdout.splitlines() if line.startswith("SKIPPED")]
    assert len(skipped) == 1, proc.stdout[-2000:]
    assert "set SARIF_SCHEMA to the file" in skipped[0] and "sarif-schema-2.1.0.json" in skipped[0]
    assert "development checkout" not in skipped[0]
