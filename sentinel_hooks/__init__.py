"""MCP Sentinel: a git-aware, incremental security scanner for MCP servers and clients."""

__version__ = "0.1.0"
TOOL_NAME = "mcp-sentinel"
INFORMATION_URI = "https://github.com/mcp-sentinel/mcp-sentinel"
