import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import { exec, execFile, execSync, spawn } from "node:child_process";
import vm from "node:vm";
import { promisify } from "node:util";
import { z } from "zod";

const execAsync = promisify(exec);
const execFileAsync = promisify(execFile);
const server = new McpServer({ name: "shell-tools", version: "1.2.0" });
const VERSION = /v(\d+)\.(\d+)/.exec(process.version); // ok: js-command-injection

server.tool("git_log", { ref: z.string() }, async (args) => {
  const { stdout } = await execAsync(`git log --oneline -n 20 ${args.ref}`); // expect: js-command-injection-tool-input
  return { content: [{ type: "text", text: stdout }] };
});

server.tool("npm_view", { pkg: z.string() }, async (args) => {
  const out = execSync("npm view " + args.pkg + " version").toString(); // expect: js-command-injection-tool-input
  return { content: [{ type: "text", text: out }] };
});

server.tool("git_show", { ref: z.string() }, async (args) => {
  const { stdout } = await execFileAsync("git", ["show", args.ref]); /* expect: js-argument-injection */ // ok: js-command-injection-tool-input
  return { content: [{ type: "text", text: stdout }] };
});

server.registerTool(
  "container_logs",
  { description: "Tail the logs of a container", inputSchema: { id: z.string() } },
  async ({ id }) => {
    const out = execSync(`docker logs --tail 200 ${id}`).toString(); /* expect: js-command-injection-tool-input */ // ok: js-command-injection
    return { content: [{ type: "text", text: out }] };
  },
);

function openInBrowser(target: string): void {
  exec("xdg-open " + target, () => undefined); // expect: js-command-injection
}

function listContainers(): string {
  return execSync("docker ps --format '{{.Names}}'").toString(); // ok: js-command-injection, js-command-injection-tool-input
}

server.tool("npx_run", { pkg: z.string() }, async ({ pkg }) => {
  const child = spawn("npx", [pkg, "--yes"], { shell: true }); /* expect: js-command-injection-tool-input */ // ok: js-spawn-shell-true
  return { content: [{ type: "text", text: String(child.pid) }] };
});

function runScript(command: string): void {
  spawn(command, { shell: true, stdio: "inherit" }); // expect: js-spawn-shell-true
}

function typecheck(): void {
  spawn("npx", ["tsc", "--noEmit"], { shell: true }); // ok: js-spawn-shell-true
  spawn("git", ["status", "--short"], { stdio: "inherit" }); // ok: js-spawn-shell-true
}

server.tool("calculate", { expression: z.string() }, async (args) => {
  const value = eval(args.expression); /* expect: js-code-injection-tool-input */ // ok: js-dynamic-code-execution
  return { content: [{ type: "text", text: String(value) }] };
});

server.tool("transform", { body: z.string(), input: z.string() }, async ({ body, input }) => {
  const fn = new Function("input", body); /* expect: js-code-injection-tool-input */ // ok: js-dynamic-code-execution
  const sandboxed = vm.runInNewContext(body, { input }); /* expect: js-code-injection-tool-input */ // ok: js-dynamic-code-execution
  return { content: [{ type: "text", text: String(fn(input) ?? sandboxed) }] };
});

const globalObject = new Function("return this")(); // ok: js-dynamic-code-execution
const two = eval("1 + 1"); // ok: js-dynamic-code-execution
// eval(userInput) would run arbitrary code, so the evaluator below parses instead
const script = new vm.Script("globalThis.ready = true"); // ok: js-dynamic-code-execution

await server.connect(new StdioServerTransport());
