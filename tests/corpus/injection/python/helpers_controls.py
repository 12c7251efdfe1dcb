"""The same helpers as helpers_server.py, made safe: allow-lists, quoting, containment checks in the
caller or the helper, bound parameters, and code that can never run."""
from __future__ import annotations

import configparser
import shlex
import sqlite3
import subprocess
from pathlib import Path

import requests
from mcp.server.fastmcp import FastMCP

mcp = FastMCP("repo-helpers-safe")
DB = sqlite3.connect("repo.db")
ROOT = Path("/srv/reports").resolve()
BRANCHES = ("main", "release", "develop")
DEBUG = False
SETTINGS = configparser.ConfigParser()
SETTINGS.read("repo.ini")


def _run(command: str) -> str:
    return subprocess.run(command, shell=True, capture_output=True, text=True).stdout  # expect: python-shell-injection


def _commits_query(author: str) -> tuple[str, tuple]:
    return "SELECT sha FROM commits WHERE author = ?", (author,)


def _read(location: Path) -> str:
    return location.read_text()  # ok: python-path-traversal


def safe_report(name: str) -> Path:
    target = (ROOT / name).resolve()
    if not target.is_relative_to(ROOT):
        raise ValueError("outside the report folder")
    return target


def _fetch_status() -> int:
    return requests.get("https://status.example.com/api", timeout=5).status_code  # ok: python-ssrf


@mcp.tool()
def checkout(branch: str) -> str:
    """Check out one of the known branches."""
    if branch not in BRANCHES:
        raise ValueError("unknown branch")
    return _run(f"git checkout {branch}")  # expect: tool-undisclosed-capability


@mcp.tool()
def log_of(path: str) -> str:
    """Show the history of a file."""
    return _run(f"git log -- {shlex.quote(path)}")  # expect: tool-undisclosed-capability


@mcp.tool()
def commits_by(author: str) -> list:
    """List the commits of an author."""
    query, params = _commits_query(author)
    return DB.execute(query, params).fetchall()  # ok: python-sql-injection


@mcp.tool()
def show_report(name: str) -> str:
    """Show a build report."""
    target = (ROOT / name).resolve()
    if not target.is_relative_to(ROOT):
        raise ValueError("outside the report folder")
    return _read(target)


@mcp.tool()
def show_checked_report(name: str) -> str:
    """Show a build report through the checking helper."""
    return safe_report(name).read_text()  # ok: python-path-traversal


@mcp.tool()
def status(verbose: str) -> str:
    """Report the service status."""
    if DEBUG:
        subprocess.run(f"echo {verbose}", shell=True)  # ok: python-shell-injection-tool-input
    if False:
        eval(verbose)  # ok: python-eval-tool-input
    options = {"format": "short", "extra": verbose}
    flags = options["format"]
    return _run(f"git status --{flags}") + str(_fetch_status())  # expect: tool-undisclosed-capability


@mcp.tool()
def configured_remote(remote: str) -> str:
    """Fetch from the configured remote."""
    SETTINGS["remote"] = {"requested": remote, "url": "https://git.example.com/repo.git"}
    url = SETTINGS.get("remote", "url")
    return _run(f"git fetch {url}")  # expect: tool-undisclosed-capability
