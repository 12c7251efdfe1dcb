"""Developer utilities exposed to an assistant over MCP."""
from __future__ import annotations

import ast
import os
import re
import shlex
import subprocess

from mcp.server.fastmcp import FastMCP

mcp = FastMCP("devtools")
VERSION_RE = re.compile(r"\d+\.\d+")  # ok: python-eval-dynamic
WORKSPACE = os.environ.get("WORKSPACE", "/srv/workspace")


@mcp.tool()
def calculate(expression: str) -> str:
    """Evaluate an arithmetic expression."""
    return str(eval(expression))  # expect: python-eval-tool-input


@mcp.tool()
def calculate_safely(expression: str) -> str:
    """Evaluate a Python literal (numbers, lists, dicts)."""
    return repr(ast.literal_eval(expression))  # ok: python-eval-tool-input, python-eval-dynamic


@mcp.tool()
def run_snippet(code: str, timeout: int = 5) -> str:
    """Run a Python snippet and return its namespace."""
    namespace: dict = {}
    exec(f"result = {code}", namespace)  # expect: python-eval-tool-input
    return repr(namespace.get("result"))


@mcp.tool()
def git_log(ref: str, limit: int = 20) -> str:
    """Show the history of a branch."""
    cmd = f"git -C {WORKSPACE} log --oneline -n {limit} {ref}"
    return subprocess.check_output(cmd, shell=True, text=True)  # expect: python-shell-injection-tool-input


@mcp.tool()
def disk_usage(folder: str) -> str:
    """Report the size of a folder."""
    return os.popen("du -sh " + folder).read()  # expect: tool-undisclosed-capability, python-shell-injection-tool-input


@mcp.tool()
def git_show(ref: str) -> str:
    """Show one commit."""
    return subprocess.run(["git", "-C", WORKSPACE, "show", ref],  # ok: python-shell-injection-tool-input  # expect: python-argument-injection
                          capture_output=True, text=True, check=True).stdout


@mcp.tool()
def grep_workspace(pattern: str) -> str:
    """Search the workspace with ripgrep."""
    safe = shlex.quote(pattern)
    return subprocess.check_output(f"rg -n {safe} {WORKSPACE}", shell=True,  # ok: python-shell-injection-tool-input  # expect: tool-undisclosed-capability
                                   text=True)


@mcp.tool()
def tokenize(source: str) -> list[str]:
    """Split Python source into tokens."""
    tree = compile(source, "<tool>", "exec", flags=0x400, dont_inherit=True)  # expect: python-eval-tool-input
    pattern = re.compile(source)  # ok: python-eval-tool-input  # expect: python-resource-exhaustion
    return [type(node).__name__ for node in tree.body] + [pattern.pattern]


def model_eval_mode(model) -> None:
    model.eval()  # ok: python-eval-dynamic


def build_accessor(field_name: str):
    """Compile a getter for a configured field name."""
    return eval(f"lambda record: record.{field_name}")  # expect: python-eval-dynamic


def load_plugin_hooks(source_text: str, filename: str):
    code = compile("# plugin\n" + source_text, filename, "exec")  # expect: python-eval-dynamic
    namespace: dict = {}
    exec(code, namespace)  # ok: python-eval-dynamic
    return namespace


def explain() -> str:
    # eval(user_input) would be dangerous here
    doc = "never call eval(expression) on input"  # ok: python-eval-dynamic
    return doc


def archive_workspace(name: str) -> None:
    os.system("tar czf /tmp/%s.tgz %s" % (name, WORKSPACE))  # expect: python-shell-injection


def open_in_editor(path: str) -> None:
    editor = os.environ.get("EDITOR", "vi")
    subprocess.call("{} {}".format(editor, path), shell=True)  # expect: python-shell-injection


def clean_build() -> None:
    command = "make clean"
    subprocess.run(command, shell=True, check=True)  # ok: python-shell-injection
    os.system("rm -rf build/")  # ok: python-shell-injection


def list_branches() -> list[str]:
    out = subprocess.run(["git", "branch", "--list"], capture_output=True, text=True)  # ok: python-shell-injection
    return out.stdout.splitlines()


if __name__ == "__main__":
    mcp.run()
