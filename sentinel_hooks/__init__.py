"""MCP Sentinel: a git-aware, incremental security scanner for MCP servers and clients."""
import sys

if sys.version_info < (3, 10):  # this file stays readable by older Pythons so they get this message
    raise SystemExit(f"mcp-sentinel requires Python 3.10 or newer; this is Python {sys.version.split()[0]}")

__version__ = "0.1.0"
TOOL_NAME = "mcp-sentinel"
INFORMATION_URI = "https://github.com/mcp-sentinel/mcp-sentinel"
