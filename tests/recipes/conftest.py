"""Recipes of the README and the users' CI/CD guide, run as a pipeline runs them: real git
repositories and clones, the commands written in the recipes, through bash."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Optional

import pytest

from gitutil import GIT_ENV, git

CHECKOUT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
# token shapes of real providers (no real account): the built-in rules report them as CRITICAL
GITHUB_TOKEN = "ghp_" + "R7n2Vq9XkLm4Tz8Wc1Ya6Bd3Fe5Gh0Jk2Pq7"
EXAMPLE_SERVER = CHECKOUT / "examples" / "weather-mcp-server"


def poetry_stand_in(folder: Path) -> Path:
    """A `poetry` whose `poetry run CMD` runs CMD: the guide's jobs `poetry install` the project into
    a virtualenv and `poetry run` its command; here that virtualenv is the one running the tests."""
    folder.mkdir(parents=True, exist_ok=True)
    script = folder / "poetry"
    script.write_text('#!/bin/sh\n[ "$1" = run ] || exit 0  # install, config: done already\nshift\nexec "$@"\n')
    script.chmod(0o755)
    return folder


def shell_env(cwd: Path, **extra: str) -> dict[str, str]:
    """A CI job's environment: the installed `mcp-sentinel` (and `poetry run`) first on PATH, no
    colour, no CI variables of the machine running the tests."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("CI_", "GITHUB_", "PRE_COMMIT_", "PYTEST_", "GIT_"))}
    env.pop("CI", None)
    env.update(GIT_ENV)
    shims = poetry_stand_in(cwd.parent / "ci-bin")
    env.update({"PATH": os.pathsep.join([str(BIN), str(shims), env.get("PATH", "")]), "NO_COLOR": "1",
                "HOME": str(cwd.parent)})
    env.update(extra)
    return env


def bash(script: str, cwd: Path, *, errexit: bool = False, env: Optional[dict[str, str]] = None,
         **extra: str) -> subprocess.CompletedProcess:
    """Run ``script`` with bash as a CI runner does (``errexit`` adds GitHub's ``-eo pipefail``)."""
    flags = ["--noprofile", "--norc"] + (["-eo", "pipefail"] if errexit else [])
    return subprocess.run(["bash", *flags, "-c", script], cwd=cwd, capture_output=True, text=True,
                          timeout=600, env={**(env or shell_env(cwd)), **extra})


def commit_all(repo: Path, message: str) -> str:
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", message)
    return git(repo, "rev-parse", "HEAD").strip()


@pytest.fixture
def ci_checkout(tmp_path: Path):
    """A merge request as CI sees it: an `origin` with `main` and a feature branch that deletes one
    file, edits another and adds a leaked token; the job's clone has the feature branch checked out
    and `origin/main` fetched. Returns (clone, base SHA, head SHA)."""
    origin = tmp_path / "origin"
    origin.mkdir()
    git(origin, "init", "-q", "-b", "main")
    (origin / "server.py").write_text("def tool():\n    return 1\n")
    (origin / "old_config.py").write_text("SETTINGS = {}\n")
    (origin / "docs").mkdir()
    (origin / "docs" / "notes.md").write_text("# notes\n")
    base = commit_all(origin, "main")
    git(origin, "checkout", "-qb", "feature")
    (origin / "old_config.py").unlink()
    (origin / "leak.py").write_text(f'TOKEN = "{GITHUB_TOKEN}"\n')
    (origin / "server.py").write_text("def tool():\n    return 2\n")
    head = commit_all(origin, "feature: delete old_config.py, add leak.py")
    clone = tmp_path / "job"
    subprocess.run(["git", "clone", "-q", "--branch", "feature", str(origin), str(clone)], check=True,
                   capture_output=True, env={**os.environ, **GIT_ENV})
    return clone, base, head
