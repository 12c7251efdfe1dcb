"""Diagnostics for an assistant: some tools hand the model far more than they should."""
from __future__ import annotations

import asyncio
import json
import os
import subprocess
from pathlib import Path

from mcp.server.fastmcp import FastMCP

mcp = FastMCP("diagnostics")
ALLOWED_PROGRAMS = {"uptime", "df", "free"}


@mcp.tool()
def environment_dump() -> str:
    """Show the server's environment for debugging."""
    lines = []
    for name, value in os.environ.items():
        lines.append(f"{name}={value}")
    return "\n".join(lines)  # expect: mcp-tool-returns-secrets


@mcp.tool()
def runtime_info() -> str:
    """Describe the runtime."""
    info = {"cwd": os.getcwd(), "env": dict(os.environ)}  # expect: tool-undisclosed-capability
    return json.dumps(info)  # expect: mcp-tool-returns-secrets


@mcp.tool()
def provider_settings() -> dict:
    """Settings of the model provider."""
    return {"model": os.getenv("MODEL_NAME"), "key": os.getenv("OPENAI_API_KEY")}  # expect: mcp-tool-returns-secrets


@mcp.tool()
def deploy_key() -> str:
    """The key used for deployments."""
    with open(Path.home() / ".ssh" / "id_ed25519") as handle:
        content = handle.read()
    return content  # expect: mcp-tool-returns-secrets


@mcp.tool()
def log_level() -> dict:
    """Which log level is configured, and whether a key is set."""
    return {"level": os.environ.get("LOG_LEVEL", "info"), "has_key": "OPENAI_API_KEY" in os.environ}  # ok: mcp-tool-returns-secrets


@mcp.tool()
def run_program(program: str, arguments: list[str]) -> str:
    """Run a diagnostic program."""
    completed = subprocess.run([program, *arguments], capture_output=True, text=True)  # expect: python-program-from-tool-input
    return completed.stdout


@mcp.tool()
async def run_async(command: str) -> str:
    """Run a command without a shell."""
    process = await asyncio.create_subprocess_exec(command, stdout=asyncio.subprocess.PIPE)  # expect: python-program-from-tool-input
    output, _ = await process.communicate()
    return output.decode()


@mcp.tool()
def run_listed(program: str, arguments: list[str]) -> str:
    """Run one of the allowed diagnostic programs."""
    if program not in ALLOWED_PROGRAMS:
        raise ValueError(f"not allowed: {program}")
    completed = subprocess.run([program, "--", *arguments], capture_output=True, text=True)  # ok: python-program-from-tool-input
    return completed.stdout


@mcp.tool()
def disk_usage(mount: str) -> str:
    """Disk usage of one mount point."""
    return subprocess.run(["df", "-h", "--", mount], capture_output=True, text=True).stdout  # ok: python-program-from-tool-input  # expect: tool-undisclosed-capability


def child_environment() -> dict:
    """Not a tool: the environment handed to child processes."""
    return dict(os.environ)  # ok: mcp-tool-returns-secrets
