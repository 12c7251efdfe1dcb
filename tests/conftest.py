from __future__ import annotations

from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parents[2] / "shared"

# the labelled corpus is scanned, never run: its test_*.py files are samples of scanned projects
collect_ignore = ["corpus"]

from gitutil import GIT_ENV, git  # noqa: F401 (re-exported for tests)


@pytest.fixture
def make_repo(tmp_path: Path):
    """Build a git repository in tmp_path with fixed dates (stable SHAs)."""

    def _make(name: str = "repo", branch: str = "main") -> Path:
        repo = tmp_path / name
        repo.mkdir()
        git(repo, "init", "-q", "-b", branch)
        git(repo, "config", "user.email", "test@example.com")
        git(repo, "config", "user.name", "Test")
        git(repo, "config", "commit.gpgsign", "false")
        return repo

    return _make


@pytest.fixture
def shared_dir() -> Path:
    if not SHARED.is_dir():
        pytest.skip(f"{SHARED} is absent (it exists only next to the development checkout)")
    return SHARED
