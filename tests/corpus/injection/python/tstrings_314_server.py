"""A tool server using Python 3.14 template strings (PEP 750): a t-string built from tool input and
handed to a shell is analysed like an f-string, on any Python the scanner runs on."""
import os

from mcp.server.fastmcp import FastMCP

mcp = FastMCP("templates")


@mcp.tool()
def backup(folder: str) -> str:
    """Back up a folder."""
    command = t"rsync -a {folder} /backup/"
    os.system(command)  # expect: tool-undisclosed-capability, python-shell-injection-tool-input
    return "ok"
