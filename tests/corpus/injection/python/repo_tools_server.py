"""Git helpers for an assistant: clone, log and diff repositories."""
import asyncio
import re
import subprocess

import git
from mcp.server.fastmcp import FastMCP

mcp = FastMCP("repo-tools")
WORKDIR = "/srv/repos"


@mcp.tool()
def clone_repo(url: str) -> str:
    """Clone a repository into the work folder."""
    result = subprocess.run(["git", "clone", "--depth", "1", url], cwd=WORKDIR,  # expect: python-argument-injection
                            capture_output=True, text=True)
    return result.stdout


@mcp.tool()
def clone_safely(url: str) -> str:
    """Clone with operands separated from options."""
    result = subprocess.run(["git", "clone", "--", url], cwd=WORKDIR,  # ok: python-argument-injection
                            capture_output=True, text=True)
    return result.stdout


@mcp.tool()
def show_diff(repo_path: str, target: str) -> str:
    """Diff the working tree against a branch or commit."""
    repo = git.Repo(repo_path)  # expect: python-path-traversal
    return repo.git.diff(target)  # expect: python-argument-injection


@mcp.tool()
def show_diff_checked(repo_path: str, target: str) -> str:
    """Diff against a ref that cannot be an option."""
    if target.startswith("-"):
        raise ValueError("refs cannot start with '-'")
    repo = git.Repo(repo_path)  # expect: python-path-traversal
    return repo.git.diff(target)  # ok: python-argument-injection


@mcp.tool()
def mirror(url: str) -> str:
    """Mirror a remote repository."""
    git.Repo.clone_from(url, WORKDIR + "/mirror")  # expect: python-argument-injection
    return "mirrored"


@mcp.tool()
async def log_branch(branch: str) -> str:
    """Show the log of a branch."""
    if not re.fullmatch(r"[A-Za-z0-9._/]+", branch):
        raise ValueError("bad branch name")
    proc = await asyncio.create_subprocess_exec("git", "log", branch,  # ok: python-argument-injection
                                                stdout=asyncio.subprocess.PIPE)
    out, _ = await proc.communicate()
    return out.decode()


@mcp.tool()
def checkout(branch: str) -> str:
    """Check out a branch by its full ref."""
    return subprocess.check_output(["git", "checkout", f"refs/heads/{branch}"], text=True)  # ok: python-argument-injection
