"""Python constant evaluation and allow-list checks, alone and in the path and shell checks."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

from sentinel_hooks.engine import constant_eval
from sentinel_hooks.engine.matcher import Engine
from sentinel_hooks.engine.rules import build_ruleset
from sentinel_hooks.engine.units import TextUnit

RULES_DIR = Path(__file__).resolve().parents[2] / "sentinel_hooks" / "rules"
ENGINE = Engine(build_ruleset([RULES_DIR / "injection.yaml"], [], builtin=False))
MODULE = {"TOOL": [ast.parse("'git'", mode="eval").body], "user": [ast.parse("input()", mode="eval").body]}


def constant(expr: str) -> bool:
    return constant_eval.is_constant(ast.parse(expr, mode="eval").body, lambda name: MODULE.get(name, []))


@pytest.mark.parametrize("expr", [
    "'ls'", "f'{TOOL} status'", "'a' + TOOL", "'--prod' if prod else ''", "['a', 'b']",
    "' '.join(['git', 'log'])", "'{} log'.format(TOOL)", "str(3)",
])
def test_constants(expr: str) -> None:
    assert constant(expr)


@pytest.mark.parametrize("expr", ["user", "f'{user} status'", "'a' + user", "user if x else 'b'", "os.getenv('X')"])
def test_not_constants(expr: str) -> None:
    assert not constant(expr)


def rule_ids(text: str) -> list[str]:
    return sorted(f.rule_id for f in ENGINE.scan(TextUnit(path="src/server.py", text=text)))


TOOL_HEAD = "from mcp.server.fastmcp import FastMCP\nimport subprocess\nfrom pathlib import Path\nmcp = FastMCP('x')\n"


def test_a_value_checked_against_an_allow_list_is_not_path_traversal() -> None:
    text = TOOL_HEAD + (
        "ALLOWED = ('python', 'node')\n\n"
        "@mcp.tool()\ndef template(language: str) -> str:\n"
        "    if language not in ALLOWED:\n        raise ValueError(language)\n"
        "    return open(f'templates/{language}.txt').read()\n"
    )
    assert rule_ids(text) == []
    unchecked = text.replace("    if language not in ALLOWED:\n        raise ValueError(language)\n", "")
    assert "python-path-traversal" in rule_ids(unchecked)


def test_a_resolved_parent_comparison_is_a_containment_check() -> None:
    text = TOOL_HEAD + (
        "BASE = Path('/srv/files')\n\n"
        "@mcp.tool()\ndef delete_file(path: str) -> bool:\n"
        "    if Path(path).resolve().parent != BASE:\n        raise ValueError(path)\n"
        "    Path(path).unlink()\n    return True\n"
    )
    assert rule_ids(text) == []
    assert "python-path-traversal" in rule_ids(text.replace(
        "    if Path(path).resolve().parent != BASE:\n        raise ValueError(path)\n", ""))


def test_a_shell_command_from_an_fstring_of_constants_is_not_built() -> None:
    text = TOOL_HEAD + "GIT = 'git'\n\ndef status(short):\n" \
        "    return subprocess.run(f\"{GIT} status{' -s' if short else ''}\", shell=True)\n"
    assert rule_ids(text) == []
    built = TOOL_HEAD + "def status(ref):\n    return subprocess.run(f'git log {ref}', shell=True)\n"
    assert rule_ids(built) == ["python-shell-injection"]


def test_cache_and_database_clients_are_not_http_clients_for_ssrf() -> None:
    text = TOOL_HEAD + (
        "import httpx\nmemcache_client = make()\nhttp_client = httpx.Client()\n\n"
        "@mcp.tool()\ndef cached(key: str) -> str:\n    return memcache_client.get(key)\n\n"
        "@mcp.tool()\ndef fetch(url: str) -> str:\n    return http_client.get(url).text\n"
    )
    assert rule_ids(text) == ["python-ssrf"]
    found = [f.line for f in ENGINE.scan(TextUnit(path="src/server.py", text=text))]
    assert found == [text.splitlines().index("    return http_client.get(url).text") + 1]


def test_a_parameter_shadowing_a_module_constant_is_not_constant() -> None:
    text = TOOL_HEAD + "git = 'git'\n\ndef status(git):\n    return subprocess.run(f'{git} status', shell=True)\n"
    assert rule_ids(text) == ["python-shell-injection"]
    module_constant = text.replace("def status(git):", "def status():")
    assert rule_ids(module_constant) == []
