"""A desk assistant whose file tools call checks that check nothing about the path."""
import csv
import sqlite3
from pathlib import Path

from mcp.server.fastmcp import FastMCP

mcp = FastMCP("desk-files")
ROOT = Path("/srv/desk").resolve()
DB = sqlite3.connect("desk.db")


def _verify_license() -> None:
    """Checks the installation's license file; takes no path."""
    Path("/etc/desk/license").exists()


def _is_inside(path: Path) -> bool:
    return path.resolve().is_relative_to(ROOT)


@mcp.tool()
def open_note(filepath: str) -> str:
    """Read a note file and return its text."""
    _verify_license()
    with open(filepath, encoding="utf-8") as fh:  # expect: python-path-traversal
        return fh.read()


@mcp.tool()
def export_rows(sql_query: str, export_path: str) -> str:
    """Run a SELECT and save the rows to a CSV file."""
    if not sql_query.strip().upper().startswith(("SELECT", "WITH")):
        return "only SELECT statements"
    rows = DB.execute(sql_query).fetchall()
    with open(export_path, "w", newline="") as fh:  # expect: python-path-traversal
        csv.writer(fh).writerows(rows)
    return f"{len(rows)} rows saved"


@mcp.tool()
def open_desk_note(name: str) -> str:
    """Read a note file of the desk folder and return its text."""
    target = ROOT / name
    if not _is_inside(target):
        raise ValueError("outside the desk folder")
    return target.read_text(encoding="utf-8")  # ok: python-path-traversal


@mcp.tool()
def open_shared_note(name: str) -> str:
    """Read a note file of the shared folder and return its text."""
    target = (ROOT / "shared" / name).resolve()
    if not str(target).startswith(str(ROOT) + "/"):
        raise ValueError("outside the shared folder")
    return target.read_text(encoding="utf-8")  # ok: python-path-traversal
