"""Argument injection: tool input that can start with '-' as its own element of an argument list."""
from __future__ import annotations

from python_detector_kit import TOOL_HEADER, hits, lines

CHECK = "python-argument-injection"


def test_subprocess_list_exec_varargs_gitpython_and_clone_from():
    source = TOOL_HEADER + """
import asyncio, subprocess, git

@mcp.tool()
async def tool(url: str, ref: str, path: str) -> str:
    subprocess.run(["git", "clone", url])
    await asyncio.create_subprocess_exec("git", "log", ref)
    git.Repo(path).git.checkout(ref)
    git.Repo.clone_from(url, "/srv/x")
    cmd = ["rsync", "-a", path, "/backup"]
    subprocess.check_call(cmd)
    return ""
"""
    found = hits(CHECK, source)
    assert [h.line for h in found] == [9, 10, 11, 12, 14]
    assert "'git'" in found[0].message and "git checkout" in found[2].message


def test_double_dash_prefixes_dash_checks_and_patterns_make_it_safe():
    source = TOOL_HEADER + """
import re, subprocess

@mcp.tool()
def tool(url: str, ref: str, name: str, branch: str) -> None:
    subprocess.run(["git", "clone", "--", url])
    subprocess.run(["git", "fetch", f"--depth={ref}"])
    subprocess.run(["git", "show", "origin/" + name])
    if branch.startswith("-"):
        raise ValueError(branch)
    subprocess.run(["git", "checkout", branch])
    if not re.fullmatch(r"[a-z]+", name):
        raise ValueError(name)
    subprocess.run(["git", "tag", name])
    subprocess.run(f"git clone {url}", shell=True)
"""
    assert lines(CHECK, source) == []


def test_values_outside_tools_are_not_reported():
    source = """
import subprocess
def clone(url):
    subprocess.run(["git", "clone", url])
"""
    assert lines(CHECK, source) == []
