"""benchmarks/precision.py: skips checkouts that are missing or at another commit, counts lines as stated."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"
sys.path.insert(0, str(BENCHMARKS))

import precision  # noqa: E402


def git(folder: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(folder), *args], check=True, capture_output=True,
                   env={"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t",
                        "GIT_COMMITTER_EMAIL": "t@example.com", "PATH": "/usr/bin:/bin"})


def test_missing_and_moved_checkouts_are_skipped(tmp_path: Path) -> None:
    moved = tmp_path / "cache" / "jlowin+fastmcp"
    moved.mkdir(parents=True)
    git(moved, "init", "-q")
    (moved / "a.py").write_text("x = 1\n")
    git(moved, "add", "a.py")
    git(moved, "commit", "-qm", "one")
    out = tmp_path / "r.json"
    proc = subprocess.run([sys.executable, str(BENCHMARKS / "precision.py"), "--cache-dir", str(tmp_path / "cache"),
                           "--repos", "jlowin/fastmcp,redis/mcp-redis", "--json", str(out)],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert "SKIPPED jlowin/fastmcp: checkout at" in proc.stdout and "expected b14b137fddc3" in proc.stdout
    assert "SKIPPED redis/mcp-redis: no checkout" in proc.stdout
    assert json.loads(out.read_text())["lines"] == 0


def test_lines_count_tracked_text_outside_skipped_folders(tmp_path: Path) -> None:
    git(tmp_path, "init", "-q")
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "a.ts").write_text("one\ntwo\nthree")  # no final newline: still 3 lines
    (tmp_path / "node_modules").mkdir()
    (tmp_path / "node_modules" / "b.js").write_text("x\n" * 50)
    (tmp_path / "logo.png").write_bytes(b"\x89PNG\0\0\n\n\n")
    (tmp_path / "untracked.py").write_text("y\n" * 7)
    git(tmp_path, "add", "src/a.ts", "logo.png")
    git(tmp_path, "add", "-f", "node_modules/b.js")
    assert precision.count_lines(tmp_path) == 3


def test_every_recorded_judgment_names_a_listed_repository_and_a_known_verdict() -> None:
    names = {r.name for r in precision.REPOS}
    for repo, entries in precision.load_judgments().items():
        assert repo in names
        assert {precision.verdict_of(v) for v in entries.values()} <= {"real", "wrong", "noise"}
