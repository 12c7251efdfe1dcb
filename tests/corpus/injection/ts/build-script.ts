// A release script: no tool or request input, but commands and code built from values at run time.
import { exec, execSync, spawn } from "node:child_process";
import vm from "node:vm";
import Database from "better-sqlite3";

const outDir = process.argv[2] ?? "dist";
const db = new Database("releases.db");

export function clean(): void {
  execSync(`rm -rf ${outDir}`); // expect: js-command-injection
}

export function publish(tag: string): void {
  spawn(`npm publish --tag ${tag}`, { shell: true }); // expect: js-spawn-shell-true
  spawn("npm", ["publish", "--tag", tag], { shell: true }); // expect: js-spawn-shell-true
  exec("npm whoami", () => undefined); // ok: js-command-injection
}

export function loadConfig(source: string): unknown {
  const config = vm.runInNewContext(source, {}); // expect: js-dynamic-code-execution
  return eval(`(${source})`) ?? config; // expect: js-dynamic-code-execution
}

export function releasesOf(channel: string): unknown[] {
  const rows = db.prepare(`SELECT version FROM releases WHERE channel = '${channel}'`).all(); // expect: js-sql-injection
  const more = db.prepare("SELECT version FROM releases WHERE channel = '" + channel + "'").all(); // expect: js-sql-injection
  return rows.concat(more);
}
