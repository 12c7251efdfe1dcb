"""A file a structure-aware check could not analyse is counted in the summary with the reason, in
every report format, full and diff scans alike (cached results too); newer syntax is analysed."""
from __future__ import annotations

import html
import json
from pathlib import Path

import pytest

from gitutil import git
from sentinel_hooks.cli import main

BROKEN = "import os\n\n\ndef run(command:\n    os.system(command)\n"
NEWER = '''\
import os

from mcp.server.fastmcp import FastMCP

mcp = FastMCP("n")


@mcp.tool()
def run[T](command: str, opts: dict[str, str]) -> str:
    """Run."""
    return os.popen(f"{opts["prefix"]} {command}").read()
'''
REASON = "not analysed: syntax error"
FORMATS = ("json", "sarif", "gitlab-sast", "html", "markdown", "terminal")


def write_project(root: Path) -> None:
    root.mkdir(exist_ok=True)
    (root / "broken.py").write_text(BROKEN, encoding="utf-8")
    (root / "newer.py").write_text(NEWER, encoding="utf-8")


def reports(root: Path, out: Path, *extra: str) -> dict[str, str]:
    argv, files = [], {}
    for fmt in FORMATS:
        files[fmt] = out / f"report.{fmt}"
        argv += ["-o", fmt, "--output-file", str(files[fmt])]
    code = main(["scan", *extra, *argv])
    assert code in (3, 4)  # the finding in newer.py
    return {fmt: path.read_text(encoding="utf-8") for fmt, path in files.items()}


def assert_counted(texts: dict[str, str]) -> None:
    summary = json.loads(texts["json"])["summary"]
    assert summary["skipped"] == {REASON: 1}
    assert json.loads(texts["sarif"])["runs"][0]["properties"]["skipped"] == {REASON: 1}
    messages = json.loads(texts["gitlab-sast"])["scan"]["messages"]
    assert {"level": "info", "value": f"skipped: 1 {REASON}"} in messages
    for fmt in ("html", "markdown", "terminal"):
        assert f"1 {REASON}" in html.unescape(texts[fmt]), fmt


def test_full_scan_counts_the_broken_file_and_analyses_the_newer_one(tmp_path, monkeypatch):
    root = tmp_path / "project"
    write_project(root)
    monkeypatch.chdir(root)
    for cached in (False, True):  # the second scan reads the result cache
        texts = reports(root, tmp_path, ".", "--cache-dir", str(tmp_path / "cache"))
        assert_counted(texts)
        findings = json.loads(texts["json"])["findings"]
        assert [(f["path"], f["line"], f["column"]) for f in findings] == [("newer.py", 11, 12)], cached


@pytest.mark.needs_git
def test_diff_scan_counts_the_broken_file(make_repo, tmp_path, monkeypatch):
    repo = make_repo()
    (repo / "README.md").write_text("x\n", encoding="utf-8")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "start")
    write_project(repo)
    git(repo, "add", "-A")
    monkeypatch.chdir(repo)
    texts = reports(repo, tmp_path, "--staged")
    assert_counted(texts)
    assert [(f["path"], f["line"]) for f in json.loads(texts["json"])["findings"]] == [("newer.py", 11)]
