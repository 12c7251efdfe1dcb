"""Where outside data enters a Python file, for the taint analysis.

* **Entry points** (their parameters are input): functions decorated as an MCP tool, resource or
  prompt (``@mcp.tool()``, ``@server.tool``, ``@tool``, the low-level ``@server.call_tool()`` whose
  ``arguments`` are the tool's input), functions registered with ``mcp.add_tool(fn)`` or
  ``Tool.from_function(fn)``, and HTTP routes (``@app.get("/...")``, ``@app.route``,
  ``@router.post``).
* **Request input** read inside any function: Flask ``request.args/form/json/values/files``,
  FastAPI/Starlette ``request.query_params/path_params/json()/form()/body()``, Django
  ``request.GET/POST/FILES/COOKIES/META/body`` (also as ``self.request...``), aiohttp
  ``request.match_info/query``, and ``arguments["x"]`` / ``arguments.get("x")`` (except in a
  low-level ``@server.get_prompt()`` handler, whose arguments the user types in).
* **Secret data** (a label of its own, for exfiltration checks): environment variables
  (``os.environ``, ``os.environ.get``, ``os.getenv``, ``os.environb``, ``dotenv_values``), credential
  stores (``engine/credential_paths.py``: ``~/.ssh``, ``~/.aws/credentials``, ``.netrc``, ``.env`` ...) read
  with ``open``/``Path.read_text``/``read_bytes``, and keychains (``keyring.get_password``,
  ``keyring.get_credential``).
"""
from __future__ import annotations

import ast

from sentinel_hooks.engine.credential_paths import CREDENTIAL_PATH
from sentinel_hooks.engine.detectors.python_sinks import (REQUEST_FIELDS, ROUTE_DECORATORS, SAFE_ANNOTATIONS,
                                                          TOOL_DECORATORS, UNTAINTED_PARAMS)
from sentinel_hooks.engine.patterns import LazyPattern
from sentinel_hooks.engine.python_scopes import qualified_name

TOOL_REGISTRATIONS = {"add_tool", "from_function"}  # mcp.add_tool(fn), Tool.from_function(fn)
SECRET_CALLS = {"os.getenv", "os.environ.get", "os.environ.copy", "os.getenvb", "dotenv.dotenv_values",
                "dotenv_values", "keyring.get_password", "keyring.get_credential"}
SECRET_OBJECTS = {"os.environ", "os.environb"}
FILE_READS = {"open", "io.open", "codecs.open", "aiofiles.open"}
PATH_READ_METHODS = {"read_text", "read_bytes", "open"}


def entry_kind(fn: ast.FunctionDef | ast.AsyncFunctionDef, registered: set[str]) -> str:
    """"tool" for an MCP tool/resource/prompt, "request" for an HTTP route, "" otherwise."""
    if fn.name in registered:
        return "tool"
    for dec in fn.decorator_list:
        call = dec if isinstance(dec, ast.Call) else None
        target = dec.func if call is not None else dec
        last = target.attr if isinstance(target, ast.Attribute) else (
            target.id if isinstance(target, ast.Name) else "")
        if last in TOOL_DECORATORS:
            return "tool"
        if last in ROUTE_DECORATORS and call is not None and call.args and is_route_path(call.args[0]):
            return "request"
    return ""


def is_entry_point(fn: ast.FunctionDef | ast.AsyncFunctionDef, aliases: dict[str, str]) -> bool:
    """Decorated as an MCP tool/resource/prompt or an HTTP route: its parameters come from outside."""
    return bool(entry_kind(fn, set()))


def registered_tools(tree: ast.AST, source: str) -> set[str]:
    """Names of functions handed to ``X.add_tool(fn)`` or ``X.from_function(fn)`` anywhere in the file,
    and handlers named after a tool the file lists as a dict with an ``inputSchema``
    (``handle_read_file`` for ``{"name": "read_file", "inputSchema": ...}``)."""
    names = named_handlers(tree, source) if "inputSchema" in source and "handle_" in source else set()
    if "add_tool" not in source and "from_function" not in source:
        return names
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                and node.func.attr in TOOL_REGISTRATIONS:
            fn = node.args[0] if node.args else next((k.value for k in node.keywords if k.arg in ("fn", "func")), None)
            if isinstance(fn, ast.Name):
                names.add(fn.id)
    return names


TOOL_NAME_ENTRY = LazyPattern(r"[\"']name[\"']\s*:\s*[\"']([A-Za-z_][\w-]*)[\"']")
HANDLER_PREFIXES = ("handle_", "_handle_")


def named_handlers(tree: ast.AST, source: str) -> set[str]:
    """Functions named ``handle_<tool>`` or ``_handle_<tool>`` where ``<tool>`` is a ``"name"`` the file
    lists: a low-level server that dispatches a call to the handler of the tool's name."""
    listed = {m.group(1).replace("-", "_") for m in TOOL_NAME_ENTRY.finditer(source)}
    if not listed:
        return set()
    return {node.name for node in ast.walk(tree) if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
            and any(node.name.startswith(p) and node.name[len(p):] in listed for p in HANDLER_PREFIXES)}


def is_user_prompt(fn: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """A low-level ``@server.get_prompt()`` handler: the user picks the prompt and types its
    arguments, the model does not choose them."""
    return any(isinstance(d, ast.Call) and isinstance(d.func, ast.Attribute) and d.func.attr == "get_prompt"
               for d in fn.decorator_list)


def is_route_path(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value.startswith("/")


def entry_parameters(fn: ast.FunctionDef | ast.AsyncFunctionDef) -> set[str]:
    args = fn.args
    names = set()
    for a in [*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg]:
        if a is None or a.arg in UNTAINTED_PARAMS:
            continue
        if isinstance(a.annotation, ast.Name) and a.annotation.id in SAFE_ANNOTATIONS:
            continue
        names.add(a.arg)
    return names


def is_request_source(node: ast.expr, low_level_arguments: bool = True) -> bool:
    """``request.args[...]``, ``request.json.get(...)``, ``self.request.GET``, ``arguments["x"]``,
    ``arguments.get("x")``."""
    chain: list[str] = []
    cur = node
    while True:
        if isinstance(cur, ast.Attribute):
            chain.append(cur.attr)
            cur = cur.value
        elif isinstance(cur, ast.Subscript):
            cur = cur.value
        elif isinstance(cur, ast.Call):
            cur = cur.func
        else:
            break
    if not isinstance(cur, ast.Name):
        return False
    if cur.id in ("request", "req"):
        return any(part in REQUEST_FIELDS for part in chain)
    if cur.id == "self" and len(chain) >= 2 and chain[-1] == "request":
        return any(part in REQUEST_FIELDS for part in chain[:-1])
    if cur.id == "arguments" and low_level_arguments:
        return isinstance(node, ast.Subscript) or (isinstance(node, ast.Call) and chain[-1:] == ["get"])
    return False


def is_secret_source(node: ast.expr, aliases: dict[str, str]) -> bool:
    """An expression that reads an environment variable, a credential file or a keychain."""
    kind = type(node)
    if kind is ast.Attribute or kind is ast.Subscript:
        base = node.value if kind is ast.Subscript else node  # os.environ["X"]
        return qualified_name(base, aliases) in SECRET_OBJECTS  # type: ignore[arg-type]
    if kind is not ast.Call:
        return False
    name = qualified_name(node.func, aliases)  # type: ignore[attr-defined]
    if name in SECRET_CALLS:
        return True
    if name in ("dict", "str", "json.dumps") and node.args and is_secret_source(node.args[0], aliases):  # type: ignore[attr-defined]
        return True
    if name in FILE_READS and node.args:  # type: ignore[attr-defined]
        return credential_path(node.args[0])  # type: ignore[attr-defined]
    func = node.func  # type: ignore[attr-defined]
    if isinstance(func, ast.Attribute) and func.attr in PATH_READ_METHODS:
        return credential_path(func.value)
    return False


def credential_path(node: ast.AST, pattern: LazyPattern = CREDENTIAL_PATH) -> bool:
    """A path expression whose constant parts, joined with ``/`` in source order, name a credential store by
    ``pattern`` (``~/.ssh/id_rsa``, ``Path.home() / ".aws" / "credentials"``, ``os.path.expanduser("~/.netrc")``)."""
    parts = [n for n in ast.walk(node) if isinstance(n, ast.Constant) and isinstance(n.value, str)]
    text = "/".join(n.value for n in sorted(parts, key=lambda n: (n.lineno, n.col_offset)))
    return bool(text) and bool(pattern.search(text))
