"""Taint across the functions of one file: helpers, builders, wrappers, methods, lambdas."""
from __future__ import annotations

import textwrap

from sentinel_hooks.engine import detectors
from sentinel_hooks.engine.python_analysis import analyse
from sentinel_hooks.engine.rule import Rule
from sentinel_hooks.engine.units import TextUnit
from sentinel_hooks.findings import Confidence, Severity

HEADER = """
import subprocess, requests, sqlite3
from mcp.server.fastmcp import FastMCP
mcp = FastMCP("demo")
"""


def scope_named(source: str, name: str):
    analysis = analyse(textwrap.dedent(HEADER + source))
    assert analysis is not None
    return next(s for s in analysis.scopes if s.name == name)


def hits(check: str, source: str, **options):
    rule = Rule(id=f"t-{check}", title=check, severity=Severity.HIGH, confidence=Confidence.MEDIUM, cwe="CWE-1",
                description="d", remediation="r", languages=("python",), detector=check, options=options)
    unit = TextUnit(path="server.py", text=textwrap.dedent(HEADER + source))
    return list(detectors.REGISTRY[check](unit, rule))


def test_a_helper_parameter_is_tainted_when_a_tool_passes_its_input():
    src = """
def _get(address):
    return requests.get(address).text

def unused(address):
    return requests.get(address).text

@mcp.tool()
def fetch_page(url: str) -> str:
    return _get(url)
"""
    assert "address" in scope_named(src, "_get").tainted
    assert "address" not in scope_named(src, "unused").tainted
    found = hits("python-ssrf", src)
    assert [h.line for h in found] == [7]
    assert found[0].confidence == Confidence.HIGH
    assert "tool parameter `url` of `fetch_page` reaches requests.get in helper `_get` (called at line 14)" \
        in found[0].message


def test_taint_follows_a_chain_of_helpers_and_keeps_the_first_origin():
    src = """
def _inner(target):
    subprocess.run(target, shell=True)

def _outer(value):
    _inner("echo " + value)

@mcp.tool()
def run(command: str) -> None:
    _outer(command)
"""
    found = hits("python-shell", src, input="tool")
    assert [h.line for h in found] == [7]
    assert "tool parameter `command` of `run`" in found[0].message and "(called at line 14)" in found[0].message


def test_a_builder_returns_its_argument_to_the_caller_and_a_guard_does_not():
    src = """
def query_for(name):
    return f"SELECT * FROM users WHERE name = '{name}'"

def constant_query(name):
    return "SELECT 1"

def safe_name(name):
    return name

@mcp.tool()
def lookup(name: str):
    q = query_for(name)
    fixed = constant_query(name)
    checked = safe_name(name)
    return q, fixed, checked
"""
    tainted = scope_named(src, "lookup").tainted
    assert "q" in tainted and "fixed" not in tainted and "checked" not in tainted


def test_sql_built_by_a_helper_is_reported_at_the_execute_call():
    src = """
def query_for(name):
    return f"SELECT * FROM users WHERE name = '{name}'"

@mcp.tool()
def find(name: str):
    return sqlite3.connect("x").execute(query_for(name)).fetchall()
"""
    found = hits("python-sql", src, input="tool")
    assert [h.line for h in found] == [11]


def test_self_methods_instance_methods_and_lambdas_resolve():
    src = """
class Client:
    def get(self, url):
        return self._send(url)

    def _send(self, target):
        return requests.get(target)

CLIENT = Client()
wrap = lambda v: "x" + v

@mcp.tool()
def fetch(url: str):
    wrapped = wrap(url)
    return CLIENT.get(url), wrapped
"""
    assert "target" in scope_named(src, "_send").tainted
    assert "wrapped" in scope_named(src, "fetch").tainted


def test_tools_registered_with_add_tool_are_entry_points():
    src = """
def shell(command: str) -> str:
    return subprocess.run(command, shell=True).stdout

mcp.add_tool(shell)
"""
    assert [h.line for h in hits("python-shell", src, input="tool")] == [7]


def test_a_containment_check_in_every_caller_covers_the_helper():
    src = """
from pathlib import Path
ROOT = Path("/srv").resolve()

def _read(location):
    return open(location).read()

@mcp.tool()
def checked(name: str):
    target = (ROOT / name).resolve()
    if not target.is_relative_to(ROOT):
        raise ValueError(name)
    return _read(target)

@mcp.tool()
def unchecked(name: str):
    return _read(name)
"""
    assert hits("python-path-traversal", src[:src.index("@mcp.tool()\ndef unchecked")]) == []
    assert [h.line for h in hits("python-path-traversal", src)] == [10]


def test_user_typed_prompt_arguments_of_a_low_level_handler_do_not_seed_helpers():
    src = """
from mcp.server import Server
server = Server("x")

def fetch_url(url):
    return requests.get(url)

@server.get_prompt()
async def get_prompt(name, arguments):
    return fetch_url(arguments["url"])

@server.call_tool()
async def call_tool(name, arguments):
    return fetch_url(arguments["url"])
"""
    assert [h.line for h in hits("python-ssrf", src[:src.index("@server.call_tool")])] == []
    assert [h.line for h in hits("python-ssrf", src)] == [10]


def test_recursion_and_mutual_calls_terminate():
    src = """
def a(x):
    return b(x) + a(x)

def b(y):
    return a(y)

@mcp.tool()
def t(v: str):
    w = a(v)
    return subprocess.run(w, shell=True)
"""
    assert "x" in scope_named(src, "a").tainted and "y" in scope_named(src, "b").tainted
