"""The orchestration API every command calls: scan_paths and scan_diff return a typed ScanResult."""
from __future__ import annotations

from pathlib import Path

import pytest

from gitutil import git
from rule_packs import marker_engine
from sentinel_hooks.findings import Severity
from sentinel_hooks.orchestration import scan_diff, scan_paths
from sentinel_hooks.report.json import scan_dict
from sentinel_hooks.sources.files import Excludes
from sentinel_hooks.sources.git import Git, locate
from sentinel_hooks.sources.git_range import staged
from sentinel_hooks.sources.git_diff import DiffScan


def test_scan_paths_returns_findings_and_a_typed_scope(tmp_path: Path):
    (tmp_path / "a.py").write_text("token = 'MARKER-123456'\n")
    result = scan_paths(marker_engine(), [tmp_path], Excludes([], []), threshold=Severity.MEDIUM)
    assert [(f.rule_id, f.line) for f in result.active] == [("marker", 1)]
    assert result.scope.mode == "full" and result.scope.paths == [tmp_path.as_posix()]
    assert result.threshold == Severity.MEDIUM and result.incomplete is None and result.figures.workers == 1
    assert scan_dict(result)["paths"] == [tmp_path.as_posix()]


@pytest.mark.needs_git
def test_scan_diff_names_the_compared_range_in_typed_fields(make_repo):
    repo = make_repo()
    (repo / "a.py").write_text("x = 1\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "one")
    (repo / "a.py").write_text("x = 1\ntoken = 'MARKER-123456'\n")
    git(repo, "add", "-A")
    runner = Git(cwd=repo)
    found = locate(runner, "--staged")
    chosen = staged(found)
    result = scan_diff(marker_engine(), DiffScan(runner, found, chosen.comparison, info=chosen.info, shown_paths=["."]))
    assert [(f.path, f.line) for f in result.active] == [("a.py", 2)]
    scope = result.scope
    assert (scope.mode, scope.base_ref, scope.target, scope.paths) == ("staged", "HEAD", "index", ["."])
    assert scope.base == found.head and scope.range.endswith("(HEAD) → index")
    assert list(scan_dict(result))[:6] == ["mode", "paths", "base", "base_ref", "target", "range"]
