import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import { promises as fs } from "node:fs";
import path from "node:path";
import pg from "pg";
import { z } from "zod";

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL });
const ROOT = path.resolve(process.env.DATA_ROOT ?? "./data");
const API_BASE = "https://api.example.com/v1";
const server = new McpServer({ name: "data-tools", version: "0.4.0" });

server.tool("find_issues", { repo: z.string() }, async (args) => {
  const { rows } = await pool.query(`SELECT id, title FROM issues WHERE repo = '${args.repo}'`); /* expect: js-sql-injection-tool-input */ // ok: js-sql-injection
  return { content: [{ type: "text", text: JSON.stringify(rows) }] };
});

server.tool("issues_by_label", { label: z.string() }, async ({ label }) => {
  const { rows } = await pool.query("SELECT id, title FROM issues WHERE label = '" + label + "'"); /* expect: js-sql-injection-tool-input */ // ok: js-sql-injection
  return { content: [{ type: "text", text: JSON.stringify(rows) }] };
});

server.tool("issue", { id: z.number() }, async (args) => {
  const { rows } = await pool.query("SELECT * FROM issues WHERE id = $1", [args.id]); // ok: js-sql-injection
  return { content: [{ type: "text", text: JSON.stringify(rows[0] ?? null) }] };
});

async function countIssues(): Promise<number> {
  const { rows } = await pool.query(`SELECT count(*) AS n FROM issues`); // ok: js-sql-injection
  return Number(rows[0].n);
}

server.tool("read_file", { path: z.string() }, async (args) => {
  const text = await fs.readFile(path.join(ROOT, args.path), "utf8"); // expect: js-path-traversal
  return { content: [{ type: "text", text }] };
});

server.tool("delete_file", { file: z.string() }, async (args) => {
  const target = path.join(ROOT, args.file);
  await fs.unlink(target); // expect: js-path-traversal
  return { content: [{ type: "text", text: `deleted ${target}` }] };
});

server.tool("read_file_checked", { path: z.string() }, async (args) => {
  const full = path.resolve(ROOT, args.path); // ok: js-path-traversal
  if (!full.startsWith(ROOT + path.sep)) {
    throw new Error("path escapes the data folder");
  }
  return { content: [{ type: "text", text: await fs.readFile(full, "utf8") }] };
});

async function readReadme(): Promise<string> {
  return fs.readFile(path.join(ROOT, "README.md"), "utf8"); // ok: js-path-traversal
}

server.tool("fetch_url", { url: z.string().url() }, async (args) => {
  const res = await fetch(args.url); // expect: js-ssrf
  return { content: [{ type: "text", text: await res.text() }] };
});

server.tool("fetch_page", { url: z.string() }, async ({ url }) => {
  const res = await fetch(url, { redirect: "follow" }); // expect: js-ssrf
  return { content: [{ type: "text", text: await res.text() }] };
});

server.tool("repo_info", { owner: z.string(), repo: z.string() }, async (args) => {
  const res = await fetch(`https://api.github.com/repos/${args.owner}/${args.repo}`); // ok: js-ssrf
  return { content: [{ type: "text", text: await res.text() }] };
});

server.tool("report", { text: z.string() }, async (args) => {
  const res = await fetch(`${API_BASE}/reports`, { method: "POST", body: JSON.stringify(args) }); // ok: js-ssrf
  return { content: [{ type: "text", text: String(res.status) }] };
});

await server.connect(new StdioServerTransport());
