"""What a pre-commit hook run loads: on a realistic MCP commit, with the rule-set cache warm, neither
pydantic nor yaml (nor gitpython, rich, pathspec, dataclasses, nor the process pool) is imported; the rule set comes from the cache as
plain objects and each detector module is imported only when a staged file needs it."""
from __future__ import annotations

import json
import os
import subprocess
import sys

from gitutil import git

PYTHON_SERVER = '''from mcp.server.fastmcp import FastMCP
import subprocess

mcp = FastMCP("inventory")


@mcp.tool()
def archive_report(name: str) -> str:
    """Compress a stock report into the archive folder."""
    subprocess.run(f"tar czf /var/archive/{name}.tgz reports/{name}", shell=True)
    return name
'''
TS_SERVER = '''import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { exec } from "node:child_process";
import { z } from "zod";

const server = new McpServer({ name: "tickets", version: "1.0.0" });
server.tool("export_queue", "Export a queue to a CSV file", { queue: z.string() }, async ({ queue }) => {
  exec(`ticket-export --queue ${queue}`);
  return { content: [] };
});
'''
CLIENT_CONFIG = {"mcpServers": {"github": {"command": "npx", "args": ["-y", "@modelcontextprotocol/server-github"]},
                                "docs": {"type": "http", "url": "http://docs.mcp.example.com/mcp"}}}
HEAVY = ("pydantic", "yaml", "git", "rich", "pathspec", "multiprocessing", "dataclasses")  # see records.py


def test_a_hook_run_on_an_mcp_commit_loads_no_pydantic_or_yaml_once_the_rule_cache_is_warm(make_repo):
    repo = make_repo()
    (repo / "server.py").write_text(PYTHON_SERVER)
    (repo / "src").mkdir()
    (repo / "src" / "index.ts").write_text(TS_SERVER)
    (repo / "claude_desktop_config.json").write_text(json.dumps(CLIENT_CONFIG, indent=2))
    staged = ["server.py", "src/index.ts", "claude_desktop_config.json"]
    git(repo, "add", *staged)
    code = ("import sys\nfrom sentinel_hooks.cli import main\n"
            f"rc = main(['scan', '--staged', '--output', 'json', *{staged!r}])\n"
            f"print(rc, sorted(m for m in {HEAVY!r} if m in sys.modules))")
    env = {**os.environ, "XDG_CACHE_HOME": str(repo.parent / "user-cache")}  # a per-user cache of its own
    runs = [subprocess.run([sys.executable, "-c", code], cwd=repo, capture_output=True, text=True, timeout=60,
                           env=env)
            for _ in range(2)]  # the first run validates the packs and writes the rule-set cache
    first, warm = (r.stdout.strip().splitlines()[-1] for r in runs)
    assert first.startswith("3 ") and "pydantic" in first  # findings (CRITICAL), packs validated
    assert warm == "3 []", runs[1].stdout[-2000:] + runs[1].stderr
    report = json.loads(runs[1].stdout[:runs[1].stdout.rindex("}") + 1])
    assert {f["rule_id"] for f in report["findings"]} >= {"python-shell-injection-tool-input",
                                                          "js-command-injection-tool-input",
                                                          "mcp-config-plain-http-remote"}


def _hook_modules(repo, staged: list[str], modules: tuple[str, ...]) -> str:
    git(repo, "add", *staged)
    code = ("import sys\nfrom sentinel_hooks.cli import main\n"
            f"rc = main(['scan', '--staged', '--output', 'json', *{staged!r}])\n"
            f"print(rc, sorted(m for m in {modules!r} if m in sys.modules))")
    env = {**os.environ, "XDG_CACHE_HOME": str(repo.parent / "user-cache")}
    run = subprocess.run([sys.executable, "-c", code], cwd=repo, capture_output=True, text=True, timeout=60, env=env)
    return run.stdout.strip().splitlines()[-1]


PARSERS = ("tree_sitter", "tree_sitter_typescript", "tree_sitter_javascript")


def test_a_hook_run_on_a_commit_without_javascript_does_not_import_tree_sitter(make_repo):
    repo = make_repo()
    (repo / "server.py").write_text(PYTHON_SERVER)
    (repo / "claude_desktop_config.json").write_text(json.dumps(CLIENT_CONFIG, indent=2))
    assert _hook_modules(repo, ["server.py", "claude_desktop_config.json"], PARSERS).endswith(" []")


def test_a_typescript_file_without_a_source_or_sink_is_not_parsed(make_repo):
    repo = make_repo()
    (repo / "util.ts").write_text("export function add(a: number, b: number): number { return a + b; }\n")
    assert _hook_modules(repo, ["util.ts"], PARSERS) == "0 []"


def test_a_typescript_tool_server_loads_only_the_typescript_grammar(make_repo):
    repo = make_repo()
    (repo / "src").mkdir()
    (repo / "src" / "index.ts").write_text(TS_SERVER)
    assert _hook_modules(repo, ["src/index.ts"], PARSERS) == "3 ['tree_sitter', 'tree_sitter_typescript']"
