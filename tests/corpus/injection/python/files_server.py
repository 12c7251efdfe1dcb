"""File and web access tools for an assistant."""
from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import requests
from mcp.server.fastmcp import FastMCP

mcp = FastMCP("files")
ROOT = Path(os.environ.get("FILES_ROOT", "/srv/files")).resolve()
ALLOWED_HOSTS = {"docs.python.org", "developer.mozilla.org"}


@mcp.tool()
def read_file(path: str) -> str:
    """Read a text file below the root folder."""
    with open(os.path.join(ROOT, path), encoding="utf-8") as fh:  # expect: python-path-traversal
        return fh.read()


@mcp.tool()
def write_note(name: str, content: str) -> str:
    """Store a note."""
    target = ROOT / "notes" / name
    target.write_text(content, encoding="utf-8")  # expect: python-path-traversal
    return str(target)


@mcp.tool()
def read_file_checked(path: str) -> str:
    """Read a text file, refusing anything outside the root."""
    target = (ROOT / path).resolve()
    if not target.is_relative_to(ROOT):
        raise ValueError("path escapes the root folder")
    return target.read_text(encoding="utf-8")  # ok: python-path-traversal


@mcp.tool()
def read_upload(filename: str) -> bytes:
    """Read an uploaded file by name."""
    name = os.path.basename(filename)
    with open(ROOT / "uploads" / name, "rb") as fh:  # ok: python-path-traversal
        return fh.read()


def read_config() -> str:
    with open(ROOT / "config.toml", encoding="utf-8") as fh:  # ok: python-path-traversal
        return fh.read()


@mcp.tool()
def fetch_url(url: str) -> str:
    """Fetch a web page and return its text."""
    response = requests.get(url, timeout=10)  # expect: python-ssrf
    return response.text


@mcp.tool()
async def fetch_json(endpoint: str, token: str = "") -> dict:
    """Call a JSON API."""
    async with httpx.AsyncClient(timeout=10) as client:
        response = await client.get(f"{endpoint}?format=json")  # expect: python-ssrf
        return response.json()


@mcp.tool()
async def github_repo(owner: str, repo: str) -> dict:
    """Metadata of a GitHub repository."""
    async with httpx.AsyncClient(timeout=10) as client:
        response = await client.get(f"https://api.github.com/repos/{owner}/{repo}")  # ok: python-ssrf
        return response.json()


@mcp.tool()
def fetch_docs(url: str) -> str:
    """Fetch a page from an allowed documentation site."""
    if urlsplit(url).hostname not in ALLOWED_HOSTS:
        raise ValueError("host not allowed")
    return requests.get(url, timeout=10).text  # ok: python-ssrf
