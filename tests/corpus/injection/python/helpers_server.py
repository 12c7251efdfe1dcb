"""Repository tools whose work happens in helper functions: the input crosses a call before it
reaches the dangerous operation."""
from __future__ import annotations

import base64
import sqlite3
import subprocess
from pathlib import Path
from urllib.parse import unquote_plus

import requests
from mcp.server.fastmcp import FastMCP

mcp = FastMCP("repo-helpers")
DB = sqlite3.connect("repo.db")


def _download(address: str) -> bytes:
    return requests.get(address, timeout=10).content  # expect: python-ssrf


def _open_report(location: str) -> str:
    with open(location, encoding="utf-8") as fh:  # expect: python-path-traversal
        return fh.read()


def _commits_query(author: str) -> str:
    return f"SELECT sha, message FROM commits WHERE author = '{author}'"


def _decode(blob: str) -> str:
    return base64.b64decode(unquote_plus(blob)).decode("utf-8")


class Archive:
    def unpack(self, name: str) -> str:
        return self._read(name)

    def _read(self, member: str) -> str:
        return Path("/srv/archive", member).read_text()  # expect: python-path-traversal


ARCHIVE = Archive()


@mcp.tool()
def mirror_page(url: str) -> int:
    """Mirror a web page into the repository cache."""
    return len(_download(url))


@mcp.tool()
def show_report(path: str) -> str:
    """Show a build report."""
    return _open_report(path)


@mcp.tool()
def commits_by(author: str) -> list:
    """List the commits of an author."""
    return DB.execute(_commits_query(author)).fetchall()  # expect: python-sql-injection


@mcp.tool()
def run_encoded(script: str) -> str:
    """Run a maintenance script sent URL- and base64-encoded."""
    command = _decode(script)
    return subprocess.run(command, shell=True, capture_output=True, text=True).stdout  # expect: python-shell-injection-tool-input


@mcp.tool()
def grep_log(pattern: str) -> str:
    """Search the build log."""
    argv = ["sh", "-c"]
    argv.append(f"grep -n {pattern} build.log")
    return subprocess.run(argv, capture_output=True, text=True).stdout  # expect: python-shell-injection-tool-input


@mcp.tool()
def count_lines(path: str) -> str:
    """Count the lines of a file."""
    return subprocess.run(["bash", "-c", f"wc -l {path}"], capture_output=True, text=True).stdout  # expect: tool-undisclosed-capability, python-shell-injection-tool-input


def archived_file(name: str) -> str:
    """Read a file of the release archive."""
    return ARCHIVE.unpack(name)


mcp.add_tool(archived_file)
