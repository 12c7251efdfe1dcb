"""A console that is not UTF-8 (Windows pipes default to cp1252): text for people never fails on
the encoding, documents for programs stay UTF-8, and report files are UTF-8 whatever the locale."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from gitutil import git

pytestmark = pytest.mark.needs_git

# a finding whose snippet holds characters cp1252 lacks (arrow, emoji) and one it has (é)
SOURCE = 'password = "s3cr3t-Gr\u00fc\u00dfe-\u2192-\U0001f600-value"\n'


def run(args: list[str], cwd: Path, encoding: str = "cp1252") -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONIOENCODING": encoding, "LC_ALL": "C", "PYTHONUTF8": "0", "NO_COLOR": "1"}
    return subprocess.run([sys.executable, "-m", "sentinel_hooks", *args], cwd=cwd, capture_output=True,
                          timeout=120, env=env)


@pytest.fixture
def repo(make_repo) -> Path:
    repo = make_repo()
    (repo / "app.py").write_text(SOURCE, encoding="utf-8")
    git(repo, "add", "app.py")
    return repo


def test_staged_scan_on_a_cp1252_console_reports_instead_of_crashing(repo):
    proc = run(["scan", "--staged"], repo)
    assert proc.returncode == 5, proc.stderr  # the MEDIUM finding, not exit 1 for UnicodeEncodeError
    out = proc.stdout.decode("cp1252")
    assert "Staged changes: empty tree (no commits yet) -> index" in out
    assert "UnicodeEncodeError" not in proc.stderr.decode("cp1252")


@pytest.mark.parametrize("fmt", ["json", "sarif", "gitlab-sast"])
def test_json_documents_on_a_cp1252_console_are_utf8(repo, fmt):
    proc = run(["scan", "--staged", "-o", fmt, "--no-redact"], repo)
    assert proc.returncode == 5, proc.stderr
    doc = json.loads(proc.stdout.decode("utf-8"))
    if fmt == "gitlab-sast":  # no snippets in this format
        assert len(doc["vulnerabilities"]) == 1
    else:
        assert "\u2192-\U0001f600" in json.dumps(doc, ensure_ascii=False)


def test_html_on_a_cp1252_console_is_utf8(repo):
    proc = run(["scan", "--staged", "-o", "html"], repo)
    assert proc.returncode == 5, proc.stderr
    assert 'charset="utf-8"' in proc.stdout.decode("utf-8").lower()


def test_report_files_are_utf8_whatever_the_locale(repo):
    proc = run(["scan", "--staged", "--no-redact", "-o", "json", "--output-file", "r.json", "-o", "terminal"],
               repo, encoding="ascii")
    assert proc.returncode == 5, proc.stderr
    doc = json.loads((repo / "r.json").read_bytes().decode("utf-8"))
    assert doc["findings"][0]["snippet"].endswith("\u2192-\U0001f600-value\"")
    assert proc.stdout.decode("ascii")  # the terminal report fell back to ASCII on an ASCII console
