"""A tool that runs a program named by its input, or returns secrets to the model."""
from __future__ import annotations

from pathlib import Path
from textwrap import dedent

import pytest

from sentinel_hooks.engine.matcher import Engine
from sentinel_hooks.engine.rules import build_ruleset
from sentinel_hooks.engine.units import TextUnit

RULES_DIR = Path(__file__).resolve().parents[3] / "sentinel_hooks" / "rules"
ENGINE = Engine(build_ruleset([RULES_DIR / "injection.yaml", RULES_DIR / "mcp-tools.yaml"], [], builtin=False))
PROGRAM, SECRETS = "python-program-from-tool-input", "mcp-tool-returns-secrets"
HEADER = "import os, subprocess, asyncio\nfrom pathlib import Path\nfrom mcp.server.fastmcp import FastMCP\nmcp = FastMCP('x')\n"


def lines(rule: str, body: str) -> list[int]:
    text = HEADER + dedent(body)
    return [f.line - HEADER.count("\n") for f in ENGINE.scan(TextUnit(path="server.py", text=text))
            if f.rule_id == rule]


@pytest.mark.parametrize("call", [
    "subprocess.run([command] + args)",
    "subprocess.Popen([command, *args])",
    "subprocess.check_output(command)",
    "os.execvp(command, [command, *args])",
    "os.spawnv(os.P_WAIT, command, [command])",
])
def test_the_program_of_a_process_from_tool_input_is_reported(call: str) -> None:
    body = f"""
    @mcp.tool()
    def run(command: str, args: list[str]) -> str:
        return str({call})
    """
    assert lines(PROGRAM, body) == [4]


def test_the_program_reached_through_a_local_name_is_reported() -> None:
    body = """
    @mcp.tool()
    def run(command: str) -> str:
        argv = [command, "--version"]
        return subprocess.run(argv).stdout
    """
    assert lines(PROGRAM, body) == [5]


@pytest.mark.parametrize("body", [
    # a fixed program, input only as an argument
    """
    @mcp.tool()
    def run(path: str) -> str:
        return subprocess.run(["ls", "--", path]).stdout
    """,
    # allow-listed program
    """
    ALLOWED = {"ls", "df"}
    @mcp.tool()
    def run(command: str) -> str:
        if command not in ALLOWED:
            raise ValueError(command)
        return subprocess.run([command]).stdout
    """,
    # a shell: the shell rules report it, not this one
    """
    @mcp.tool()
    def run(command: str) -> str:
        return subprocess.run(command, shell=True).stdout
    """,
    # no input at all
    """
    def run(command: str) -> str:
        return subprocess.run([command]).stdout
    """,
])
def test_fixed_allow_listed_shell_or_input_free_programs_are_not_reported(body: str) -> None:
    assert lines(PROGRAM, body) == []


@pytest.mark.parametrize("body, line", [
    ("""
    @mcp.tool()
    def env() -> dict:
        return dict(os.environ)
    """, 4),
    ("""
    @mcp.tool()
    def env() -> str:
        out = ""
        for key, value in os.environ.items():
            out += f"{key}={value}"
        return out
    """, 7),
    ("""
    @mcp.tool()
    def env() -> list:
        rows = []
        for key, value in os.environ.items():
            rows.append((key, value))
        return rows
    """, 7),
    ("""
    @mcp.tool()
    def settings() -> dict:
        return {"token": os.environ["GITHUB_TOKEN"]}
    """, 4),
    ("""
    @mcp.tool()
    def key() -> str:
        with open(os.path.expanduser("~/.aws/credentials")) as f:
            return f.read()
    """, 5),
    ("""
    @mcp.tool()
    def key() -> str:
        return Path("~/.ssh/id_rsa").expanduser().read_text()
    """, 4),
    # a path built with ``/``: its parts are read in source order (".aws/credentials", not "credentials/.aws")
    ("""
    @mcp.tool()
    def key() -> str:
        return (Path.home() / ".aws" / "credentials").read_text()
    """, 4),
])
def test_a_tool_returning_the_environment_a_credential_variable_or_file_is_reported(body: str, line: int) -> None:
    assert lines(SECRETS, body) == [line]


@pytest.mark.parametrize("body", [
    # only whether a key is set, and a harmless variable
    """
    @mcp.tool()
    def settings() -> dict:
        return {"level": os.getenv("LOG_LEVEL"), "has_key": "OPENAI_API_KEY" in os.environ}
    """,
    # the environment is used, not returned
    """
    @mcp.tool()
    def run(name: str) -> str:
        env = dict(os.environ)
        env["MODE"] = "x"
        subprocess.run(["tool", "--", name], env=env)
        return "done"
    """,
    # not a tool
    """
    def child_env() -> dict:
        return dict(os.environ)
    """,
    # the keys only
    """
    @mcp.tool()
    def names() -> list:
        return sorted(os.environ)
    """,
])
def test_using_the_environment_or_naming_harmless_variables_is_not_reported(body: str) -> None:
    assert lines(SECRETS, body) == []


@pytest.mark.parametrize("rule", [PROGRAM, SECRETS])
def test_a_file_without_a_tool_or_route_is_not_parsed(rule):
    from sentinel_hooks.engine.python_analysis import MEMO_KEY
    text = "import os, subprocess\ndef run(program):\n    subprocess.run([program])\n    return os.environ\n"
    unit = TextUnit(path="tools.py", text=text)
    assert [f for f in ENGINE.scan(unit) if f.rule_id == rule] == []
    assert MEMO_KEY not in unit.memo  # no tool input, no entry point: nothing to analyse
