"""A tool server written with Python 3.12 type parameters and type aliases (PEP 695): the checks
analyse it on Python 3.10 and 3.11 too, at the same lines."""
import os
import subprocess

from mcp.server.fastmcp import FastMCP

mcp = FastMCP("generics")

type Command = str
type Pair[T] = tuple[T, T]


class Cache[K, V]:
    def __init__(self) -> None:
        self.items: dict[K, V] = {}

    def get[D](self, key: K, default: D) -> V | D:
        return self.items.get(key, default)


def first[
    T: (str, bytes),
](items: list[T]) -> T:
    return items[0]


@mcp.tool()
async def run[T](command: str, extra: T) -> str:
    """Run a maintenance command."""
    return subprocess.run(command, shell=True, capture_output=True, text=True).stdout  # expect: python-shell-injection-tool-input


@mcp.tool()
def show[T](path: str) -> str:
    """Show a file."""
    with open(path) as fh:  # expect: python-path-traversal
        return fh.read()


@mcp.tool()
def evaluate[**P](expression: str) -> str:
    """Evaluate an expression."""
    return str(eval(expression))  # expect: python-eval-tool-input


@mcp.tool()
def version[T]() -> str:
    """The tool's version."""
    return subprocess.run(["git", "describe"], capture_output=True, text=True).stdout  # ok: python-shell-injection-tool-input, python-shell-injection  # expect: tool-undisclosed-capability
