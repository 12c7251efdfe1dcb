"""A scan opens no socket and runs none of the scanned code: the CLI runs with a sitecustomize that
makes every socket fail and records the attempt, in a repository full of files that would leave a
marker if anything executed or imported them."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from hardening.hardening_kit import Sandbox, assert_no_traceback
from gitutil import git

pytestmark = pytest.mark.needs_git

NO_NETWORK = '''
import os
import socket

_LOG = os.environ["HARDENING_SOCKET_LOG"]


def _refuse(what):
    def refuse(*args, **kwargs):
        with open(_LOG, "a", encoding="utf-8") as fh:
            fh.write(f"{what} {args!r}\\n")
        raise OSError("network access is not allowed in this test")
    return refuse


class _NoSocket(socket.socket):
    def __init__(self, *args, **kwargs):
        _refuse("socket.socket")(*args)


socket.socket = _NoSocket
socket.create_connection = _refuse("socket.create_connection")
socket.socketpair = _refuse("socket.socketpair")
socket.getaddrinfo = _refuse("socket.getaddrinfo")
'''


def marker_python(marker: Path) -> str:
    return f"open({str(marker)!r}, 'w').write('executed')\n"


def plant(repo: Path, markers: Path) -> list[str]:
    """Files that write ``markers/<name>`` if executed or imported; returns the names."""
    names = []

    def python(rel: str) -> None:
        name = rel.replace("/", "_")
        names.append(name)
        (repo / rel).parent.mkdir(parents=True, exist_ok=True)
        (repo / rel).write_text(marker_python(markers / name))

    for rel in ("setup.py", "conftest.py", "pkg/__init__.py", "sitecustomize.py", "usercustomize.py",
                "__main__.py", "noxfile.py", "manage.py",
                # modules named like the scanner's own imports, in the scanned folder
                "yaml.py", "pydantic.py", "rich.py", "pathspec.py", "ahocorasick.py", "ahocorasick_rs.py", "git.py",
                "json.py", "sentinel_hooks.py", "re.py", "typing_extensions.py"):
        python(rel)
    names.append("evil.pth")
    (repo / "evil.pth").write_text(f"import os; {marker_python(markers / 'evil.pth').strip()}\n")
    shell = lambda name: f"touch {markers / name}"  # noqa: E731
    names.append("package.json")
    (repo / "package.json").write_text(json.dumps({"name": "x", "scripts": {
        s: shell("package.json") for s in ("preinstall", "install", "postinstall", "prepare", "test", "start")}}))
    names.append("Makefile")
    (repo / "Makefile").write_text(f"all:\n\t{shell('Makefile')}\n")
    names.append("envrc")
    (repo / ".envrc").write_text(shell("envrc") + "\n")
    return names


def plant_git(repo: Path, markers: Path) -> list[str]:
    """Git hooks and a repository config that names commands git would run."""
    names = []
    hooks = repo / ".git" / "hooks"
    for hook in ("pre-commit", "post-checkout", "post-index-change", "reference-transaction", "fsmonitor-watchman",
                 "pre-auto-gc", "post-rewrite"):
        names.append(f"hook-{hook}")
        (hooks / hook).write_text(f"#!/bin/sh\ntouch {markers / ('hook-' + hook)}\n")
        (hooks / hook).chmod(0o755)
    names.append("fsmonitor")
    git(repo, "config", "core.fsmonitor", f"touch {markers / 'fsmonitor'}; echo")
    names.append("pager")
    git(repo, "config", "core.pager", f"touch {markers / 'pager'}; cat")
    names.append("external-diff")
    git(repo, "config", "diff.external", str(repo / "extdiff.sh"))
    (repo / "extdiff.sh").write_text(f"#!/bin/sh\ntouch {markers / 'external-diff'}\n")
    (repo / "extdiff.sh").chmod(0o755)
    names.append("textconv")
    git(repo, "config", "diff.evil.textconv", f"touch {markers / 'textconv'}; cat")
    (repo / ".gitattributes").write_text("*.py diff=evil\n")
    return names


@pytest.fixture
def guarded(sandbox: Sandbox):
    """(sandbox, env) where every socket fails and is recorded in sandbox.base/sockets.log."""
    site = sandbox.base / "guard"
    site.mkdir()
    (site / "sitecustomize.py").write_text(NO_NETWORK)
    log = sandbox.base / "sockets.log"
    env = sandbox.env(PYTHONPATH=str(site), HARDENING_SOCKET_LOG=str(log))
    return sandbox, env, log


def test_the_guard_records_socket_use(guarded):
    """The guard is live in a child process: a connection attempt is refused and recorded."""
    sandbox, env, log = guarded
    proc = subprocess.run([sys.executable, "-c", "import socket\ntry:\n socket.create_connection(('127.0.0.1', 9))\n"
                           "except OSError as e:\n print(e)"], env=env, capture_output=True, text=True, timeout=60)
    assert "network access is not allowed" in proc.stdout
    assert "socket.create_connection" in log.read_text()


def setup_repo(sandbox: Sandbox) -> tuple[Path, Path, list[str]]:
    repo = sandbox.work
    markers = sandbox.base / "markers"
    markers.mkdir()
    git(repo, "init", "-q", "-b", "main")
    names = plant(repo, markers)
    (repo / "app.py").write_text('API = "sk-live-0123"\n')
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "base")
    (repo / "app.py").write_text('API = "sk-live-0123"\nimport os\nos.system(input())\n')
    (repo / "new.py").write_text(marker_python(markers / "new.py"))
    names.append("new.py")
    git(repo, "add", "app.py", "new.py")
    (repo / "setup.py").write_text(marker_python(markers / "setup.py") + "# changed in the work tree\n")
    names += plant_git(repo, markers)  # last: the test's own git commands must not trip them
    assert list(markers.iterdir()) == []
    return repo, markers, names


@pytest.mark.parametrize("mode", [[], ["--staged"], ["--baseline", "HEAD"], ["--baseline", "main"],
                                  ["setup.py", "conftest.py", "--staged"]])
def test_scan_opens_no_socket_and_runs_no_scanned_code(guarded, mode):
    sandbox, env, log = guarded
    repo, markers, names = setup_repo(sandbox)
    proc = sandbox.run(["scan", *mode, "-o", "json", "--output-file", "report.json"], env=env)
    assert_no_traceback(proc)
    assert proc.returncode in (0, 3, 4, 5, 6), proc.stderr
    assert json.loads((repo / "report.json").read_text())["summary"]["files_scanned"] >= 1
    assert sorted(p.name for p in markers.iterdir()) == []
    assert not log.exists(), log.read_text()
    sandbox.assert_clean(reports=["report.json"])


def test_ignore_and_rules_commands_open_no_socket_and_run_nothing(guarded):
    sandbox, env, log = guarded
    repo, markers, names = setup_repo(sandbox)
    for args in (["rules"], ["ignore", "list"], ["ignore", "prune", "--dry-run"]):
        proc = sandbox.run(args, env=env)
        assert_no_traceback(proc)
        assert proc.returncode == 0, (args, proc.stderr)
    assert sorted(p.name for p in markers.iterdir()) == []
    assert not log.exists(), log.read_text()


def test_clean_filter_in_repository_config_is_not_run(guarded):
    sandbox, env, log = guarded
    repo, markers, names = setup_repo(sandbox)
    git(repo, "config", "filter.evil.clean", f"touch {markers / 'clean-filter'}; cat")
    git(repo, "config", "filter.evil.process", f"touch {markers / 'process-filter'}")
    # a filter hidden in a file the repository config includes
    (repo / ".git" / "extra.cfg").write_text(f'[filter "sneaky"]\n\tclean = touch {markers / "included-filter"}; cat\n')
    git(repo, "config", "include.path", "extra.cfg")
    (repo / ".gitattributes").write_text("* filter=evil\n*.py filter=sneaky\n")
    proc = sandbox.run(["scan", "--baseline", "HEAD", "-o", "json", "--output-file", "report.json"], env=env)
    assert_no_traceback(proc)
    assert sorted(p.name for p in markers.iterdir()) == []
