"""A repository browser: every tool opens the repository the caller names."""
from pathlib import Path

import git
from mcp.server import Server
from mcp.types import TextContent

server = Server("repo-browser")
ALLOWED = Path("/srv/repos").resolve()


def repo_checkout(repo: git.Repo, branch: str) -> str:
    if branch.startswith("-"):
        raise ValueError("a branch name cannot start with '-'")
    repo.git.checkout(branch)
    return f"on {branch}"


def inside_allowed(path: Path) -> None:
    path.resolve().relative_to(ALLOWED)


@server.call_tool()
async def call_tool(name: str, arguments: dict) -> list[TextContent]:
    repo = git.Repo(Path(arguments["repo_path"]))  # expect: python-path-traversal
    if name == "checkout":
        return [TextContent(type="text", text=repo_checkout(repo, arguments["branch"]))]
    return [TextContent(type="text", text=repo.git.status())]


@server.call_tool()
async def call_tool_confined(name: str, arguments: dict) -> list[TextContent]:
    repo_path = Path(arguments["repo_path"])
    inside_allowed(repo_path)
    repo = git.Repo(repo_path)  # ok: python-path-traversal
    if name == "checkout":
        return [TextContent(type="text", text=repo_checkout(repo, arguments["branch"]))]
    return [TextContent(type="text", text=repo.git.status())]
