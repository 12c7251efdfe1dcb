"""A batch-processing server: counts, patterns and URLs all come from the caller."""
import re
import urllib.request

from mcp.server.fastmcp import FastMCP
from pydantic import Field

mcp = FastMCP("batch")
MAX_ITEMS = 1000


@mcp.tool()
def make_rows(count) -> list[int]:
    """Make a list of row numbers."""
    rows = []
    for i in range(int(count)):  # expect: python-resource-exhaustion
        rows.append(i)
    return rows


@mcp.tool()
def make_rows_clamped(count: str) -> list[int]:
    """Make at most MAX_ITEMS row numbers."""
    n = min(int(count), MAX_ITEMS)
    return [i for i in range(n)]  # ok: python-resource-exhaustion


@mcp.tool()
def make_rows_checked(count) -> list[int]:
    """Refuse large batches."""
    if int(count) > MAX_ITEMS:
        raise ValueError("too many rows")
    return list(range(count))  # ok: python-resource-exhaustion


@mcp.tool()
def make_rows_declared(count: int = Field(10, le=1000)) -> list[int]:
    """The schema bounds the count."""
    return list(range(count))  # ok: python-resource-exhaustion


@mcp.tool()
def find_all(pattern: str, text: str) -> list[str]:
    """Find every match of a pattern."""
    return re.findall(pattern, text)  # expect: python-resource-exhaustion


@mcp.tool()
def find_literal(needle: str, text: str) -> list[str]:
    """Find a literal needle."""
    return re.findall(re.escape(needle), text)  # ok: python-resource-exhaustion


@mcp.tool()
def fetch_size(url: str) -> int:
    """Size of a document."""
    return len(urllib.request.urlopen(url).read())  # expect: python-resource-exhaustion, python-ssrf


@mcp.tool()
def pad(text: str, width) -> str:
    """Pad text."""
    return text + " " * int(width)  # expect: python-resource-exhaustion


@mcp.tool()
def wait_until(deadline) -> str:
    """Poll until the deadline."""
    n = 0
    while n < deadline:  # expect: python-resource-exhaustion
        n += 1
    return "done"


@mcp.tool()
def warm_cache(key: str) -> str:
    """Warm the cache for a key."""
    ballast = bytearray(8 * 1024 ** 3)  # expect: python-resource-exhaustion
    while True:  # expect: python-resource-exhaustion
        ballast.extend(key.encode())


@mcp.tool()
def wait_for_key(key: str) -> str:
    """Wait until a key is ready."""
    attempts = 0
    while True:  # ok: python-resource-exhaustion
        attempts += 1
        if attempts > 3 or key:
            return key
