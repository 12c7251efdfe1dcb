from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path

import pytest

# the project's shared material (schemas, the users' guide): $MCP_SENTINEL_SHARED, else ../shared
SHARED = Path(os.environ.get("MCP_SENTINEL_SHARED") or Path(__file__).resolve().parents[2] / "shared")
SARIF_SCHEMA_URL = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"

# the labelled corpus is scanned, never run: its test_*.py files are samples of scanned projects
collect_ignore = ["corpus"]

from gitutil import GIT_ENV, git  # noqa: F401 (re-exported for tests)

# marker -> why a test carrying it cannot run here (None: it can)
_UNMET = {
    "posix_only": None if os.name == "posix" else "needs POSIX file system or process features",
    "linux_only": None if sys.platform.startswith("linux") else "needs a Linux-only interface (/proc)",
    "needs_git": None if shutil.which("git") else "git is not on PATH",
    "needs_bash": None if shutil.which("bash") else "bash is not on PATH",
}
_GIT_FIXTURES = {"make_repo"}


def pytest_collection_modifyitems(config, items) -> None:
    for item in items:
        if _GIT_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.needs_git)
        for marker, reason in _UNMET.items():
            if reason is not None and item.get_closest_marker(marker) is not None:
                item.add_marker(pytest.mark.skip(reason=f"{marker}: {reason}"))


@pytest.fixture(autouse=True, scope="session")
def _private_user_cache(tmp_path_factory):
    """The per-user cache (rule set, configuration) of every run in the tests goes to a temporary
    folder, never the developer's own."""
    import os

    saved = os.environ.get("XDG_CACHE_HOME")
    os.environ["XDG_CACHE_HOME"] = str(tmp_path_factory.mktemp("user-cache"))
    yield
    if saved is None:
        os.environ.pop("XDG_CACHE_HOME", None)
    else:
        os.environ["XDG_CACHE_HOME"] = saved


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
        pytest.skip("the project's shared folder (SARIF schema, users' guide) is not here: set "
                    "MCP_SENTINEL_SHARED to a copy of it")
    return SHARED


@pytest.fixture
def sarif_schema() -> dict:
    """The OASIS SARIF 2.1.0 JSON schema: $SARIF_SCHEMA, else the shared folder's copy."""
    candidates = [Path(os.environ["SARIF_SCHEMA"])] if os.environ.get("SARIF_SCHEMA") else []
    candidates.append(SHARED / "schemas" / "sarif-schema-2.1.0.json")
    for path in candidates:
        if path.is_file():
            return json.loads(path.read_text(encoding="utf-8"))
    pytest.skip(f"no SARIF 2.1.0 schema to validate against: download {SARIF_SCHEMA_URL} and set SARIF_SCHEMA "
                f"to the file")
