// A repository tools server whose handlers pass their arguments to helper functions: the sinks sit in
// the helpers, the input arrives in the handlers.
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { execSync, execFileSync, spawn } from "node:child_process";
import { promises as fs } from "node:fs";
import path from "node:path";
import vm from "node:vm";
import axios from "axios";
import Database from "better-sqlite3";
import { z } from "zod";

const server = new McpServer({ name: "repo-tools", version: "2.1.0" });
const WORKSPACE = path.resolve(process.env.WORKSPACE ?? "/srv/workspace");
const db = new Database(path.join(WORKSPACE, "index.db"));
const OPERATIONS = ["status", "diff", "log"];

// ------------------------------------------------------------ shell commands
function gitCommand(subcommand: string, target: string): string {
  return `git ${subcommand} ${target}`;
}

function runInRepo(command: string): string {
  return execSync(command, { cwd: WORKSPACE }).toString(); // expect: js-command-injection-tool-input
}

function runFixed(program: string, args: string[]): string {
  return execFileSync(program, ["--no-pager", ...args], { cwd: WORKSPACE }).toString(); // ok: js-command-injection-tool-input
}

server.tool("show_ref", { ref: z.string() }, async ({ ref }) => {
  const out = runInRepo(gitCommand("show", ref));
  return { content: [{ type: "text", text: out }] };
});

server.tool("run_operation", { operation: z.string() }, async ({ operation }) => {
  if (!OPERATIONS.includes(operation)) {
    throw new Error(`unknown operation ${operation}`);
  }
  const out = execSync(`git ${operation}`, { cwd: WORKSPACE }).toString(); // ok: js-command-injection-tool-input, js-command-injection
  return { content: [{ type: "text", text: out }] };
});

server.tool("guide", { topic: z.enum(["setup", "usage"]) }, async ({ topic }) => {
  const text = await fs.readFile(path.join(WORKSPACE, "docs", `${topic}.md`), "utf8"); // ok: js-path-traversal
  return { content: [{ type: "text", text }] };
});

server.tool("count_lines", { file: z.string() }, async ({ file }) => {
  const child = spawn("wc", ["-l", file], { shell: true }); /* expect: js-command-injection-tool-input */ // ok: js-spawn-shell-true
  return { content: [{ type: "text", text: String(child.pid) }] };
});

server.tool("archive", { name: z.string() }, async ({ name }) => {
  spawn("sh", ["-c", `tar czf /tmp/${name}.tgz .`], { cwd: WORKSPACE }); // expect: js-command-injection-tool-input
  return { content: [{ type: "text", text: "started" }] };
});

// ------------------------------------------------------------ argument lists
function cloneInto(url: string, folder: string): void {
  execFileSync("git", ["clone", url, folder]); // expect: js-argument-injection
}

server.tool("clone", { url: z.string() }, async ({ url }) => {
  cloneInto(url, path.join(WORKSPACE, "clones"));
  return { content: [{ type: "text", text: "cloned" }] };
});

server.tool("blame", { file: z.string() }, async ({ file }) => {
  const out = runFixed("git", ["blame", "--", file]); // ok: js-argument-injection
  execFileSync("git", ["log", "--follow", "--", file]); // ok: js-argument-injection
  return { content: [{ type: "text", text: out }] };
});

server.tool("checkout", { branch: z.string() }, async ({ branch }) => {
  if (branch.startsWith("-")) {
    throw new Error("a branch name cannot start with a dash");
  }
  execFileSync("git", ["checkout", branch], { cwd: WORKSPACE }); // ok: js-argument-injection
  execFileSync("git", ["fetch", `--depth=${branch.length}`], { cwd: WORKSPACE }); // ok: js-argument-injection
  return { content: [{ type: "text", text: `on ${branch}` }] };
});

// ------------------------------------------------------------ dynamic code
function compileFormula(formula: string): () => number {
  return new Function(`return (${formula});`) as () => number; /* expect: js-code-injection-tool-input */ // ok: js-dynamic-code-execution
}

function runTemplate(source: string, data: object): unknown {
  return vm.runInNewContext(source, { data }); /* expect: js-code-injection-tool-input */ // ok: js-dynamic-code-execution
}

server.tool("compute", { formula: z.string() }, async (args) => {
  const value = compileFormula(args.formula)();
  return { content: [{ type: "text", text: String(value) }] };
});

server.tool("render", { template: z.string() }, async ({ template }) => {
  return { content: [{ type: "text", text: String(runTemplate(template, {})) }] };
});

server.tool("calc", { op: z.enum(["sum", "max"]), values: z.array(z.number()) }, async ({ op, values }) => {
  const result = eval(`Math.${op === "sum" ? "fround" : "max"}(${values.length})`); // ok: js-code-injection-tool-input
  return { content: [{ type: "text", text: String(result) }] };
});

// ------------------------------------------------------------ SQL
function filesByAuthor(author: string): string {
  return "SELECT path FROM files WHERE author = '" + author + "'";
}

server.tool("files_by", { author: z.string() }, async ({ author }) => {
  const rows = db.prepare(filesByAuthor(author)).all(); /* expect: js-sql-injection-tool-input */ // ok: js-sql-injection
  return { content: [{ type: "text", text: JSON.stringify(rows) }] };
});

server.tool("file_info", { file: z.string() }, async ({ file }) => {
  const row = db.prepare("SELECT * FROM files WHERE path = ?").get(file); // ok: js-sql-injection-tool-input
  return { content: [{ type: "text", text: JSON.stringify(row) }] };
});

server.tool("sorted_files", { order: z.string() }, async ({ order }) => {
  let column = "path";
  switch (order) {
    case "size":
      column = "size";
      break;
    case "age":
      column = "mtime";
      break;
  }
  const rows = db.prepare(`SELECT path FROM files ORDER BY ${column}`).all(); // ok: js-sql-injection-tool-input
  return { content: [{ type: "text", text: JSON.stringify(rows) }] };
});

// ------------------------------------------------------------ file paths
function inWorkspace(relative: string): string {
  return path.join(WORKSPACE, relative);
}

async function containedPath(requested: string): Promise<string> {
  const resolved = await fs.realpath(path.resolve(WORKSPACE, requested));
  const rel = path.relative(WORKSPACE, resolved);
  if (rel.startsWith("..") || path.isAbsolute(rel)) {
    throw new Error("outside the workspace");
  }
  return resolved;
}

server.tool("read", { file: z.string() }, async ({ file }) => {
  const text = await fs.readFile(inWorkspace(file), "utf8"); // expect: js-path-traversal
  return { content: [{ type: "text", text }] };
});

server.tool("write", { file: z.string(), text: z.string() }, async ({ file, text }) => {
  const target = path.join(WORKSPACE, file);
  if (!target.startsWith(WORKSPACE)) {
    throw new Error("outside the workspace");
  }
  await fs.writeFile(target, text); // expect: js-path-traversal
  return { content: [{ type: "text", text: "written" }] };
});

server.tool("read_checked", { file: z.string() }, async ({ file }) => {
  const text = await fs.readFile(await containedPath(file), "utf8"); // ok: js-path-traversal
  return { content: [{ type: "text", text }] };
});

server.tool("remove", { file: z.string() }, async ({ file }) => {
  const target = await fs.realpath(path.resolve(WORKSPACE, file));
  if (!target.startsWith(WORKSPACE + path.sep)) {
    throw new Error("outside the workspace");
  }
  await fs.rm(target); // ok: js-path-traversal
  await fs.rm(path.join(WORKSPACE, "trash", path.basename(file))); // ok: js-path-traversal
  return { content: [{ type: "text", text: "removed" }] };
});

// ------------------------------------------------------------ outbound requests
async function download(address: string): Promise<string> {
  const res = await fetch(address); // expect: js-ssrf
  return res.text();
}

server.tool("download", { url: z.string().url() }, async ({ url }) => {
  return { content: [{ type: "text", text: await download(url) }] };
});

server.tool("ping", { endpoint: z.string() }, async (args) => {
  const res = await axios.get(args.endpoint); // expect: js-ssrf
  return { content: [{ type: "text", text: String(res.status) }] };
});

server.tool("package_info", { name: z.string() }, async ({ name }) => {
  const res = await fetch(`https://registry.npmjs.org/${encodeURIComponent(name)}`); // ok: js-ssrf
  const mirror = await axios.get("https://mirror.example.org/pkg/" + name); // ok: js-ssrf
  return { content: [{ type: "text", text: (await res.text()) + mirror.status }] };
});
