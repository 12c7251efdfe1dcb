"""What carries tool input and secret data inside a function: wrappers, containers, keys, sanitisers."""
from __future__ import annotations

import ast
import textwrap

from sentinel_hooks.engine.python_analysis import analyse
from sentinel_hooks.engine.python_taint import is_secret_data, is_tainted

HEADER = """
import base64, os, zlib, configparser
from pathlib import Path
from urllib.parse import unquote_plus, quote
from mcp.server.fastmcp import FastMCP
mcp = FastMCP("demo")
ALLOWED = ("a", "b")
"""


def tool_scope(body: str, name: str = "t"):
    analysis = analyse(HEADER + textwrap.dedent(body))
    assert analysis is not None
    return analysis, next(s for s in analysis.scopes if s.name == name)


def tainted_names(body: str) -> set[str]:
    return set(tool_scope(body)[1].tainted)


def test_wrappers_and_round_trips_carry_taint():
    names = tainted_names("""
@mcp.tool()
def t(x: str):
    a = unquote_plus(x)
    b = base64.b64decode(base64.b64encode(a.encode())).decode()
    c = zlib.decompress(zlib.compress(b.encode()))
    d = quote(x)
    e = "{} {}".format("ls", x)
    f = "%s" % x
    g = " ".join([x])
    h = len(x)
""")
    assert {"a", "b", "c", "d", "e", "f", "g"} <= names and "h" not in names


def test_values_put_into_containers_and_attributes_taint_them():
    names = tainted_names("""
@mcp.tool()
def t(x: str):
    cmd = ["sh", "-c"]
    cmd.append(f"echo {x}")
    extra = []
    extra.extend([x])
    more = []
    more += [x]
    clean = ["ls"]
    clean.append("-l")
""")
    assert {"cmd", "extra", "more"} <= names and "clean" not in names


def test_values_stored_under_constant_keys_are_followed_per_key():
    analysis, scope = tool_scope("""
@mcp.tool()
def t(x: str):
    conf = configparser.ConfigParser()
    conf["s"] = {"a": "fixed", "b": x}
    safe = conf["s"]["a"]
    also_safe = conf.get("s", "a")
    bad = conf["s"]["b"]
    d = {"cmd": x, "mode": "r"}
    mode = d["mode"]
    cmd = d["cmd"]
    class_like = object()
    class_like.url = x
    url = class_like.url
""")
    names = scope.tainted
    assert {"bad", "cmd", "url"} <= names
    assert not {"safe", "also_safe", "mode"} & names
    whole = ast.parse("conf").body[0].value
    assert is_tainted(whole, names, analysis.aliases)  # the container itself holds the input


def test_an_allow_list_check_and_a_quote_clear_taint():
    names = tainted_names("""
import shlex
@mcp.tool()
def t(x: str, y: str, z: str):
    if x not in ALLOWED:
        raise ValueError(x)
    q = shlex.quote(y)
""")
    assert "x" not in names and "q" not in names and "z" in names


def test_secret_data_from_environment_credential_files_and_helpers():
    analysis, scope = tool_scope("""
def _token():
    return os.environ["API_TOKEN"]

def _send(payload):
    return payload

@mcp.tool()
def t(city: str):
    env = dict(os.environ)
    key = open(os.path.expanduser("~/.ssh/id_rsa")).read()
    aws = (Path.home() / ".aws" / "credentials").read_text()
    token = _token()
    home = os.getenv("HOME")
    note = f"weather in {city}"
    _send({"k": key})
""")
    def secret(expr: str) -> bool:
        return is_secret_data(ast.parse(expr).body[0].value, scope)
    assert all(secret(n) for n in ("env", "key", "aws", "token", "home", "os.environ.get('X')"))
    assert not secret("note") and not secret("city")
    send = next(s for s in analysis.scopes if s.name == "_send")
    assert is_secret_data(ast.parse("payload").body[0].value, send)  # passed in by the tool
    assert not any(is_secret_data(ast.parse("payload").body[0].value, s) for s in analysis.scopes
                   if s.name == "t")
