"""Shared checks of the hardening matrix: run the CLI as a real process, and prove that a run wrote
nothing but the cache folder and the report files it was asked for."""
from __future__ import annotations

import hashlib
import json
import os
import stat
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Optional, Sequence

CACHE_DIR = ".mcp-sentinel-cache"
EXE = Path(sys.executable).with_name("mcp-sentinel")


@dataclass(frozen=True)
class Entry:
    kind: str
    size: int
    mtime_ns: int
    digest: str


def _digest(path: str) -> str:
    h = hashlib.blake2b(digest_size=16)
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 22), b""):
            h.update(block)
    return h.hexdigest()


def snapshot(root: Path) -> dict[str, Entry]:
    """Every path below ``root``: kind, size, mtime and content hash (symlinks by target, special
    files by kind only, never opened)."""
    out: dict[str, Entry] = {}
    stack = [str(root)]
    while stack:
        folder = stack.pop()
        with os.scandir(folder) as it:
            for e in it:
                rel = os.path.relpath(e.path, root)
                st = e.stat(follow_symlinks=False)
                if stat.S_ISDIR(st.st_mode):
                    out[rel] = Entry("dir", 0, 0, "")
                    stack.append(e.path)
                elif stat.S_ISLNK(st.st_mode):
                    out[rel] = Entry("link", 0, st.st_mtime_ns, os.readlink(e.path))
                elif stat.S_ISREG(st.st_mode):
                    out[rel] = Entry("file", st.st_size, st.st_mtime_ns, _digest(e.path))
                else:
                    out[rel] = Entry("special", 0, st.st_mtime_ns, oct(stat.S_IFMT(st.st_mode)))
    return out


USER_CACHE = os.path.join("home", ".cache", "mcp-sentinel")  # the sandbox's per-user cache folder


def _allowed(rel: str, reports: set[str]) -> bool:
    parts = Path(rel).parts
    return CACHE_DIR in parts or rel in reports or rel == USER_CACHE or rel.startswith(USER_CACHE + os.sep) \
        or rel == os.path.dirname(USER_CACHE)


def changes(before: dict[str, Entry], after: dict[str, Entry], reports: Iterable[str] = ()) -> list[str]:
    """Paths created, removed or modified, other than the cache folder and the named reports."""
    allowed = {os.path.normpath(r) for r in reports}
    diff = []
    for rel in sorted(set(before) | set(after)):
        if before.get(rel) != after.get(rel) and not _allowed(rel, allowed):
            what = "created" if rel not in before else "removed" if rel not in after else "modified"
            diff.append(f"{what}: {rel}")
    return diff


class Sandbox:
    """A temporary tree with ``work/`` (the scan's cwd), ``home/`` and ``tmp/`` (HOME and TMPDIR of
    the scan), snapshotted as a whole so stray writes anywhere in it are seen."""

    def __init__(self, base: Path):
        self.base = base
        self.work = base / "work"
        self.home = base / "home"
        self.tmp = base / "tmp"
        for d in (self.work, self.home, self.tmp):
            d.mkdir(parents=True, exist_ok=True)
        self._before: Optional[dict[str, Entry]] = None

    def env(self, **extra: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("GIT_", "PYTEST_"))}
        env.update({"HOME": str(self.home), "TMPDIR": str(self.tmp), "NO_COLOR": "1",
                    "PYTHONDONTWRITEBYTECODE": "1", "GIT_CONFIG_NOSYSTEM": "1",
                    "XDG_CACHE_HOME": str(self.home / ".cache")})
        env.update(extra)
        return env

    def freeze(self) -> None:
        self._before = snapshot(self.base)

    def run(self, args: Sequence[str], *, timeout: float = 300, cwd: Optional[Path] = None,
            env: Optional[dict[str, str]] = None, freeze: bool = True) -> subprocess.CompletedProcess:
        """Run ``mcp-sentinel ARGS`` (snapshotting the tree first unless already frozen)."""
        if freeze or self._before is None:
            self.freeze()
        cmd = [str(EXE)] if EXE.exists() else [sys.executable, "-m", "sentinel_hooks"]
        return subprocess.run(cmd + list(args), cwd=cwd or self.work, capture_output=True, timeout=timeout,
                              env=env or self.env(), stdin=subprocess.DEVNULL)

    def unexpected_writes(self, reports: Iterable[str] = ()) -> list[str]:
        """Changes since the last freeze outside ``work/.mcp-sentinel-cache`` and the reports
        (report paths relative to ``work/``)."""
        assert self._before is not None, "freeze() first"
        named = [os.path.relpath(self.work / r, self.base) for r in reports]
        return changes(self._before, snapshot(self.base), named)

    def assert_clean(self, reports: Iterable[str] = ()) -> None:
        found = self.unexpected_writes(reports)
        assert not found, f"unexpected writes: {found[:20]}"


def text(stream: bytes) -> str:
    return stream.decode("utf-8", "replace")


def assert_no_traceback(proc: subprocess.CompletedProcess) -> None:
    err = text(proc.stderr)
    assert "Traceback" not in err and "Traceback" not in text(proc.stdout), err[-3000:]
    assert "Exception ignored" not in err and "BrokenPipeError" not in err, err[-3000:]
    assert "unexpected error" not in err, err[-3000:]


def error_lines(proc: subprocess.CompletedProcess) -> list[str]:
    return [line for line in text(proc.stderr).splitlines() if line.strip()]


def assert_one_line_error(proc: subprocess.CompletedProcess, *needles: str) -> str:
    """stderr is exactly one `mcp-sentinel: ...` line containing every needle; returns it."""
    assert_no_traceback(proc)
    lines = error_lines(proc)
    assert len(lines) == 1 and lines[0].startswith("mcp-sentinel:"), text(proc.stderr)[-3000:]
    for needle in needles:
        assert needle in lines[0], lines[0]
    return lines[0]


def assert_exit(proc: subprocess.CompletedProcess, code: int) -> None:
    assert proc.returncode == code, (
        f"exit {proc.returncode}, expected {code}\nstdout: {text(proc.stdout)[-2000:]}\n"
        f"stderr: {text(proc.stderr)[-2000:]}")


RULE_PACK_HEAD = "pack: hardening\nrules:\n"


def marker_rule(rule_id: str = "hardening-marker", keyword: str = "plantedmarker",
                regex: str = "PLANTEDMARKER_[0-9]+", severity: str = "high") -> str:
    """A one-rule pack finding ``PLANTEDMARKER_<digits>`` (a finding a test plants on purpose)."""
    return RULE_PACK_HEAD + f"""  - id: {rule_id}
    title: Planted marker
    severity: {severity}
    confidence: high
    cwe: CWE-200
    description: A marker planted by the hardening tests.
    remediation: Remove the marker.
    keywords: [{keyword}]
    regex: '{regex}'
"""


def marker(n: int) -> str:
    """Text that ``marker_rule`` finds: a finding a test plants on purpose."""
    return f"PLANTEDMARKER_{n}"


def init_repo(repo: Path) -> Path:
    """An empty git repository on ``main`` with a committer set."""
    from gitutil import git

    repo.mkdir(parents=True, exist_ok=True)
    git(repo, "init", "-q", "-b", "main")
    git(repo, "config", "user.email", "t@example.com")
    git(repo, "config", "user.name", "T")
    return repo


def commit_all(repo: Path, message: str = "c", force: bool = False) -> None:
    """Commit everything in the work tree (``force``: ignored files too)."""
    from gitutil import git

    git(repo, "add", "-A", *(["-f"] if force else []))
    git(repo, "commit", "-q", "--allow-empty", "-m", message)


def json_scan(sandbox: "Sandbox", args: Sequence[str], *, assert_clean: bool = True, cwd: Optional[Path] = None,
              timeout: float = 300, env: Optional[dict[str, str]] = None):
    """``mcp-sentinel scan ARGS`` with a JSON report beside the sandbox; asserts no traceback and (unless told
    otherwise) that nothing but the report was written; returns (proc, report document or None)."""
    report = sandbox.base / "report.json"
    proc = sandbox.run(["scan", "-o", "json", "--output-file", str(report), *args], cwd=cwd, timeout=timeout, env=env)
    assert_no_traceback(proc)
    if assert_clean:
        sandbox.assert_clean(reports=[os.path.relpath(report, sandbox.work)])
    doc = json.loads(report.read_text()) if report.exists() else None
    report.unlink(missing_ok=True)
    return proc, doc


def lines_found(doc: dict) -> dict[str, list[int]]:
    """Report path -> the lines of its findings, in report order."""
    out: dict[str, list[int]] = {}
    for f in doc["findings"]:
        out.setdefault(f["path"], []).append(f["line"])
    return out
