// An HTTP front end of an MCP deployment: express routes and a bare node:http handler.
const express = require("express");
const http = require("node:http");
const fs = require("node:fs");
const path = require("node:path");
const { exec, execFile } = require("node:child_process");
const vm = require("node:vm");
const { Pool } = require("pg");

const app = express();
const pool = new Pool();
const PUBLIC = path.resolve(__dirname, "public");
const REPORTS = ["daily", "weekly"];

app.get("/ping", (req, res) => {
  exec("ping -c 1 " + req.query.host, (err, out) => res.send(out)); // expect: js-command-injection-tool-input
});

app.get("/report", (req, res) => {
  const name = req.query.name;
  if (!REPORTS.includes(name)) {
    return res.status(400).end();
  }
  exec(`make-report ${name}`, (err, out) => res.send(out)); // ok: js-command-injection-tool-input, js-command-injection
});

app.get("/lookup", (req, res) => {
  execFile("dig", ["+short", req.query.domain], (err, out) => res.send(out)); // expect: js-argument-injection
});

app.get("/files/:name", (req, res) => {
  res.sendFile(path.join(PUBLIC, req.params.name)); // expect: js-path-traversal
});

app.get("/static/:name", (req, res) => {
  res.sendFile(path.join(PUBLIC, path.basename(req.params.name))); // ok: js-path-traversal
});

function userQuery(filter) {
  return `SELECT id, email FROM users WHERE ${filter}`;
}

app.post("/users", async (req, res) => {
  const { rows } = await pool.query(userQuery(req.body.filter)); /* expect: js-sql-injection-tool-input */ // ok: js-sql-injection
  res.json(rows);
});

app.post("/users/by-email", async (req, res) => {
  const { rows } = await pool.query("SELECT id FROM users WHERE email = $1", [req.body.email]); // ok: js-sql-injection-tool-input
  res.json(rows);
});

app.get("/proxy", async (req, res) => {
  const upstream = await fetch(req.query.target); // expect: js-ssrf
  res.send(await upstream.text());
});

app.get("/calc", (req, res) => {
  res.send(String(eval(req.query.expr))); /* expect: js-code-injection-tool-input */ // ok: js-dynamic-code-execution
});

app.get("/double", (req, res) => {
  res.send(String(vm.runInNewContext("n * 2", { n: Number(req.query.n) }))); // ok: js-code-injection-tool-input, js-dynamic-code-execution
});

http.createServer((req, res) => {
  const url = new URL(req.url, "http://localhost");
  const file = url.searchParams.get("file");
  fs.createReadStream(path.join(PUBLIC, file)).pipe(res); // expect: js-path-traversal
}).listen(8080, "127.0.0.1");
