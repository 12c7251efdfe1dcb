"""A realistic MCP commit: a Python FastMCP server with tools, a TypeScript MCP server and two client
configurations, with the kind of problems the scanner exists to catch (a shell command built from a
tool argument, a file path taken from a tool argument, a plaintext token in a client config, an
unpinned ``npx -y`` package, a remote server over plain HTTP).

The token is generated from a fixed seed, in the shape of a GitHub classic token with a valid
checksum, so that it looks like a real secret to every tool and never is one.
"""
from __future__ import annotations

import json
import random
import string
import zlib
from pathlib import Path

PYTHON_SERVER = "mcp_servers/inventory/server.py"
TS_SERVER = "mcp_servers/tickets/src/index.ts"
CLIENT_CONFIG = "config/claude_desktop_config.json"
PROJECT_CONFIG = ".mcp.json"
FILES = (PYTHON_SERVER, TS_SERVER, CLIENT_CONFIG, PROJECT_CONFIG)

_BASE62 = string.digits + string.ascii_uppercase + string.ascii_lowercase


def _github_token(rng: random.Random) -> str:
    body = "".join(rng.choice(string.ascii_letters + string.digits) for _ in range(30))
    crc = zlib.crc32(body.encode())
    digits = ""
    for _ in range(6):
        crc, rem = divmod(crc, 62)
        digits = _BASE62[rem] + digits
    return "ghp_" + body + digits


def python_server(tools: int = 12) -> str:
    lines = ['"""Inventory MCP server: stock levels, reports and maintenance tasks for the warehouse team."""',
             "from __future__ import annotations", "", "import json", "import subprocess", "from pathlib import Path",
             "", "from mcp.server.fastmcp import FastMCP", "", 'mcp = FastMCP("inventory")',
             'DATA = Path(__file__).parent / "data"', ""]
    for i in range(tools):
        lines += ["", "@mcp.tool()",
                  f"def stock_level_{i}(sku: str, warehouse: str = \"main\") -> dict:",
                  f'    """Return the stock level of one SKU in a warehouse (report {i})."""',
                  f'    rows = json.loads((DATA / f"stock_{i}.json").read_text())',
                  "    matching = [r for r in rows if r.get(\"sku\") == sku and r.get(\"warehouse\") == warehouse]",
                  "    return {\"sku\": sku, \"warehouse\": warehouse, \"count\": sum(r[\"count\"] for r in matching)}"]
    lines += ["", "", "@mcp.tool()", "def archive_report(name: str) -> str:",
              '    """Compress a stock report into the archive folder."""',
              '    subprocess.run(f"tar czf /var/archive/{name}.tgz reports/{name}", shell=True, check=True)',
              '    return f"archived {name}"',
              "", "", "@mcp.tool()", "def read_report(filename: str) -> str:",
              '    """Return the text of a stock report."""',
              '    return open(f"/srv/reports/{filename}").read()',
              "", "", 'if __name__ == "__main__":', "    mcp.run()", ""]
    return "\n".join(lines)


def typescript_server(tools: int = 10) -> str:
    lines = ['import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";',
             'import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";',
             'import { exec } from "node:child_process";', 'import { z } from "zod";', "",
             'const server = new McpServer({ name: "tickets", version: "1.4.0" });', ""]
    for i in range(tools):
        lines += [f'server.tool("list_tickets_{i}", "List the open tickets of queue {i}", '
                  "{ queue: z.string(), limit: z.number().optional() },",
                  "  async ({ queue, limit }) => {",
                  f'    const res = await fetch(`https://tickets.internal.example/api/queues/${{queue}}?limit=${{limit ?? 50}}&q={i}`);',
                  '    return { content: [{ type: "text", text: JSON.stringify(await res.json()) }] };',
                  "  });", ""]
    lines += ['server.tool("export_queue", "Export a queue to a CSV file", { queue: z.string() },',
              "  async ({ queue }) => {",
              "    exec(`ticket-export --queue ${queue} --out /tmp/${queue}.csv`);",
              '    return { content: [{ type: "text", text: "export started" }] };', "  });", "",
              "await server.connect(new StdioServerTransport());", ""]
    return "\n".join(lines)


def client_config(rng: random.Random) -> str:
    doc = {"mcpServers": {
        "github": {"command": "npx", "args": ["-y", "@modelcontextprotocol/server-github"],
                   "env": {"GITHUB_PERSONAL_ACCESS_TOKEN": _github_token(rng)}},
        "inventory": {"command": "uv", "args": ["run", "mcp_servers/inventory/server.py"]},
        "tickets": {"command": "node", "args": ["mcp_servers/tickets/build/index.js"]},
    }}
    return json.dumps(doc, indent=2) + "\n"


def project_config() -> str:
    doc = {"mcpServers": {
        "docs": {"type": "http", "url": "http://docs.mcp.example.com/mcp"},
        "filesystem": {"command": "npx", "args": ["-y", "@modelcontextprotocol/server-filesystem@2025.8.21", "."]},
    }}
    return json.dumps(doc, indent=2) + "\n"


def write_mcp_commit(root: Path, seed: int = 11) -> list[str]:
    """Write the four files under ``root``; returns their repository paths."""
    rng = random.Random(seed)
    texts = {PYTHON_SERVER: python_server(), TS_SERVER: typescript_server(), CLIENT_CONFIG: client_config(rng),
             PROJECT_CONFIG: project_config()}
    for rel, text in texts.items():
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    return list(FILES)


def tool_module(index: int, tools: int = 150) -> str:
    """A Python MCP server module of ``tools`` FastMCP tools that read files and query a database."""
    lines = [f'"""Reporting tools, part {index}."""', "import sqlite3", "from pathlib import Path", "",
             "from mcp.server.fastmcp import FastMCP", "", f'mcp = FastMCP("reports-{index}")',
             'ROOT = Path("/srv/reports")', ""]
    for i in range(tools):
        lines += ["", "@mcp.tool()",
                  f"def report_{index}_{i}(name: str, limit: int = 10) -> list:",
                  f'    """Rows of report {i} whose name matches, newest first."""',
                  '    with sqlite3.connect(ROOT / "reports.db") as db:',
                  f'        rows = db.execute("SELECT * FROM report_{i} WHERE name = ? LIMIT ?", (name, limit))',
                  "        return [dict(row) for row in rows]"]
    return "\n".join(lines) + "\n"


def edit_every(text: str, step: int) -> str:
    """Every ``step``-th line gets a trailing comment (an edit git sees as a changed line)."""
    lines = text.split("\n")
    for i in range(step - 1, len(lines) - 1, step):
        lines[i] += "  # reviewed" if lines[i].strip() and '"""' not in lines[i] else ""
    return "\n".join(lines)
