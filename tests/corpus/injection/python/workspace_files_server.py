"""A workspace file server: every tool must stay inside the workspace folder."""
import os
from pathlib import Path

from mcp.server.fastmcp import FastMCP

mcp = FastMCP("workspace")
WORKSPACE = "/srv/workspace"
WORKSPACE_ROOT = Path(WORKSPACE).resolve()


def validate_path(requested: str) -> str:
    """Refuse paths outside the workspace."""
    absolute = os.path.abspath(requested)
    if not absolute.startswith(WORKSPACE):  # expect: python-prefix-containment
        raise PermissionError("outside the workspace")
    return absolute


@mcp.tool()
def read_note(name: str) -> str:
    """Read a note from the workspace."""
    full = os.path.abspath(os.path.join(WORKSPACE, name))
    if not full.startswith(WORKSPACE):  # expect: python-prefix-containment
        raise PermissionError("outside the workspace")
    with open(full) as fh:
        return fh.read()


@mcp.tool()
def read_resolved(name: str) -> str:
    """Read a note, resolving links and comparing with a separator."""
    full = os.path.realpath(os.path.join(WORKSPACE, name))
    if not full.startswith(WORKSPACE + os.sep):  # ok: python-prefix-containment
        raise PermissionError("outside the workspace")
    with open(full) as fh:
        return fh.read()


@mcp.tool()
def read_pathlib(name: str) -> str:
    """Read with a component-wise check."""
    target = (WORKSPACE_ROOT / name).resolve()
    if not target.is_relative_to(WORKSPACE_ROOT) or not str(target).startswith(str(WORKSPACE_ROOT)):  # ok: python-prefix-containment
        raise PermissionError("outside the workspace")
    return target.read_text()


@mcp.tool()
def open_link(url: str) -> str:
    """Only https links are followed."""
    if not url.startswith("https://"):  # ok: python-prefix-containment
        raise ValueError("https only")
    return url
