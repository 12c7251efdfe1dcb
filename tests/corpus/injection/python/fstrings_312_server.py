"""A tool server using Python 3.12 f-strings (PEP 701): quotes reused inside replacement fields,
backslashes and comments in them, fields over several lines; and a 3.11 except* block. The checks
analyse it on Python 3.10 and 3.11 too, at the same lines."""
import os
import sqlite3
import subprocess

from mcp.server.fastmcp import FastMCP

mcp = FastMCP("fstrings")
DB = sqlite3.connect("notes.db")


@mcp.tool()
def grep(options: dict[str, str]) -> str:
    """Search the notes."""
    return subprocess.run(f"grep {options["flags"]} {options["pattern"]} notes/", shell=True, capture_output=True, text=True).stdout  # expect: tool-undisclosed-capability, python-shell-injection-tool-input


@mcp.tool()
def list_tags(names: list[str]) -> str:
    """Tags of the given notes."""
    os.system(f"tags {"\n".join(names)}")  # expect: tool-undisclosed-capability, python-shell-injection-tool-input
    return "done"


@mcp.tool()
def find(title: str) -> list:
    """Find notes by title."""
    rows = DB.execute(f"SELECT * FROM notes WHERE title = '{title}' AND kind = '{"note"}'")  # expect: python-sql-injection
    return rows.fetchall()


@mcp.tool()
def archive(name: str) -> str:
    """Archive a note."""
    command = f"tar czf archive.tgz {
        name  # the note's folder
    }"
    try:
        os.system(command)  # expect: tool-undisclosed-capability, python-shell-injection-tool-input
    except* OSError:
        return "failed"
    return "archived"


@mcp.tool()
def greeting(name: str) -> str:
    """A greeting that runs nothing."""
    return f"hello {name.upper()!r:>{len("padding")}}"  # ok: python-shell-injection-tool-input
