"""Constant evaluation of JS/TS expressions, string-literal spans, and the sinks judged with them."""
from __future__ import annotations

from pathlib import Path

import pytest

from sentinel_hooks.engine import js_constants
from sentinel_hooks.engine.js_constants import Scope, is_fixed
from sentinel_hooks.engine.matcher import Engine
from sentinel_hooks.engine.rules import build_ruleset
from sentinel_hooks.engine.units import TextUnit

RULES_DIR = Path(__file__).resolve().parents[2] / "sentinel_hooks" / "rules"
ENGINE = Engine(build_ruleset([RULES_DIR / "injection.yaml", RULES_DIR / "xss.yaml"], [], builtin=False))


@pytest.mark.parametrize("expr", [
    "'ls -la'", '"x" + "y"', "`pnpm ls${prod ? ' --prod' : ''}`", "42", "['a', 'b']",
    "process.platform === 'win32' ? 'where' : 'which'", "`${whichCmd} ${systemRg}`",
    "`taskkill /pid ${proc.pid} /T /F`", "path.join(os.tmpdir(), `fifo-${Date.now()}`)",
    "`rm -f ${fifo}`", "`${cmd} --version`", "String(process.pid)", "(COLLAPSE_ICON)",
])
def test_fixed_values(expr: str) -> None:
    scope = Scope(
        "const whichCmd = process.platform === 'win32' ? 'where' : 'which';\n"
        "const systemRg = process.platform === 'win32' ? 'rg.exe' : 'rg';\n"
        "const fifo = path.join(os.tmpdir(), `dc-fifo-${Date.now()}`);\n"
        "const COLLAPSE_ICON = '<svg></svg>';\n"
        "const pythonCommands = process.platform === 'win32' ? ['python', 'py'] : ['python3'];\n"
        "for (const cmd of pythonCommands) { run(cmd); }\n"
    )
    assert is_fixed(expr, scope)


@pytest.mark.parametrize("expr", [
    "userInput", "`git log ${args.ref}`", "'open ' + target", "`ls ${dir}`", "req.query.cmd",
    "JSON.parse(body).cmd", "`echo ${later}`", "`echo ${param}`", "foo()", "x => x",
])
def test_values_that_are_not_fixed(expr: str) -> None:
    scope = Scope(
        "let later = 'a';\nlater = readInput();\n"
        "function run(param) { return param; }\n"
        "const dir = process.argv[2];\n"
    )
    assert not is_fixed(expr, scope)


def test_a_name_defined_through_itself_is_not_fixed() -> None:
    assert not is_fixed("a", Scope("let a = b;\nlet b = a;\n"))


def test_string_spans_cover_strings_templates_comments_and_skip_regex_literals() -> None:
    text = "const a = 'x'; // c\nconst r = /'/g; const t = `y${z}`;\n"
    spans = js_constants.string_spans(text)
    assert [text[s:e] for s, e in spans] == ["'x'", "// c", "`y${z}`"]
    assert js_constants.inside(spans, text.index("x")) and not js_constants.inside(spans, text.index("const r"))


def rules_hit(path: str, text: str) -> list[str]:
    return [f.rule_id for f in ENGINE.scan(TextUnit(path=path, text=text))]


def test_a_command_built_from_constants_is_not_reported_and_one_from_a_parameter_is() -> None:
    fixed = ("const whichCmd = process.platform === 'win32' ? 'where' : 'which';\n"
             "export function find() { return execSync(`${whichCmd} rg`); }\n"
             "export function ls(prod) { return exec(`pnpm ls${prod ? ' --prod' : ''}`); }\n")
    assert "js-command-injection" not in rules_hit("src/a.ts", fixed)
    built = "export function logs(containerId) { return execSync(`docker logs ${containerId}`); }\n"
    assert rules_hit("src/a.ts", built) == ["js-command-injection"]


def test_code_kept_in_a_string_literal_is_not_judged() -> None:
    bundle = "export const BUNDLE = `(function(){ el.innerHTML = data.html; new Function(src)(); })()`;\n"
    assert rules_hit("src/bundle.ts", bundle) == []
    live = "el.innerHTML = data.html;\nconst f = new Function(src);\n"
    assert sorted(rules_hit("src/page.ts", live)) == ["js-dom-html-sink", "js-dynamic-code-execution"]


def test_html_from_constants_and_conditionals_of_constants_is_not_reported() -> None:
    text = ("const EXPAND_ICON = '<svg>+</svg>';\nconst COLLAPSE_ICON = '<svg>-</svg>';\n"
            "btn.innerHTML = expanded ? COLLAPSE_ICON : EXPAND_ICON;\n"
            "box.innerHTML = `<b>${EXPAND_ICON}</b>`;\n")
    assert rules_hit("src/ui.ts", text) == []


def test_comments_inside_an_expression_and_names_inside_strings() -> None:
    scope = Scope(
        "const cmds = process.platform === 'win32'\n"
        "    ? ['python', 'py']  // Windows: 'python' is common\n"
        "    : ['python3'];      // Unix\n"
        "for (const cmd of cmds) { execSync(`${cmd} --version`); }\n"
        "const fifo = path.join(os.tmpdir(), 'f');\n"
        "log(`fifo=${fifo}`);\n"
    )
    assert is_fixed("`${cmd} --version`", scope)
    assert is_fixed("`mkfifo ${fifo}`", scope)  # `fifo=` inside a template is not an assignment


def test_html_sinks_in_a_file_that_escapes_html_are_low() -> None:
    from sentinel_hooks.findings import Severity

    text = ("function escapeHtml(s) { return s.replace(/</g, '&lt;'); }\n"
            "function row(item) { return `<li>${escapeHtml(item.name)}</li>`; }\n"
            "list.innerHTML = items.map(row).join('');\n")
    [f] = ENGINE.scan(TextUnit(path="src/ui.ts", text=text))
    assert f.rule_id == "js-dom-html-sink" and f.severity == Severity.LOW
    [plain] = ENGINE.scan(TextUnit(path="src/ui.ts", text="list.innerHTML = items.map(row).join('');\n"))
    assert plain.severity == Severity.MEDIUM


def test_sql_from_constant_table_names_is_not_reported_and_from_a_parameter_is() -> None:
    fixed = ("const TABLE = 'issues';\nconst COLS = ['id', 'title'].join(', ');\n"
             "export const all = () => db.query(`SELECT ${COLS} FROM ${TABLE} WHERE open = true`);\n")
    assert rules_hit("src/db.ts", fixed) == []
    built = "export const find = (repo) => db.query(`SELECT * FROM issues WHERE repo = '${repo}'`);\n"
    assert rules_hit("src/db.ts", built) == ["js-sql-injection"]


def test_tool_input_sinks_kept_in_a_string_literal_are_not_judged() -> None:
    live = ("server.tool('run', schema, async (args) => {\n"
            "  const out = execSync(`git log ${args.ref}`);\n"
            "  const text = await fs.readFile(path.join(ROOT, args.path), 'utf8');\n"
            "  const res = await fetch(args.url);\n"
            "});\n")
    assert sorted(rules_hit("src/server.ts", live)) == ["js-command-injection-tool-input", "js-path-traversal",
                                                         "js-ssrf"]
    kept = "export const SNIPPET = " + repr(live.replace("`", "")).replace("\\n", " ") + ";\n"
    assert rules_hit("src/snippets.ts", kept) == []


@pytest.mark.parametrize("params", ["function run(cmd) {", "const run = (opts, cmd) => {", "const run = cmd => {",
                                    "const run = async ({ cmd }) => {", "  run(cmd: string): void {"])
def test_a_parameter_shadowing_a_constant_is_not_fixed(params: str) -> None:
    text = f"const cmd = 'ls';\n{params}\n  exec(`${{cmd}} -la`);\n}}\n"
    assert not is_fixed("`${cmd} -la`", Scope(text))
    assert is_fixed("`${cmd} -la`", Scope("const cmd = 'ls';\nexec(`${cmd} -la`);\n"))


def test_lowering_for_an_escaper_applies_to_html_sinks_only() -> None:
    from sentinel_hooks.findings import Severity

    text = ("function escapeHtml(s) { return s.replace(/</g, '&lt;'); }\n"
            "export function show(el, name, ref) {\n"
            "  el.innerHTML = `<b>${escapeHtml(name)}</b>` + ref;\n"
            "  execSync(`git log ${ref}`);\n}\n")
    severities = {f.rule_id: f.severity for f in ENGINE.scan(TextUnit(path="src/ui.ts", text=text))}
    assert severities == {"js-dom-html-sink": Severity.LOW, "js-command-injection": Severity.HIGH}


def test_a_value_checked_against_a_fixed_allow_list_is_fixed() -> None:
    text = ("const ALLOWED = new Set(['python', 'node']);\n"
            "export function version(lang) {\n"
            "  if (!ALLOWED.has(lang)) throw new Error('unsupported');\n"
            "  return execSync(`${lang} --version`);\n}\n")
    assert rules_hit("src/run.ts", text) == []
    unchecked = text.replace("  if (!ALLOWED.has(lang)) throw new Error('unsupported');\n", "")
    assert rules_hit("src/run.ts", unchecked) == ["js-command-injection"]
    user_list = text.replace("new Set(['python', 'node'])", "new Set(loadLanguages())")
    assert rules_hit("src/run.ts", user_list) == ["js-command-injection"]


PACK_HELPER = (
    "function pack(tempDir: string, name: string, cwd = __dirname): string {\n"
    "  const staging = path.join(tempDir, `staging-${name}`);\n"
    "  return execSync(`npm pack --pack-destination \"${tempDir}\" ${staging}`, { cwd }).toString();\n"
    "}\n"
    "it('packs', () => {\n"
    "  const tempDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pack-'));\n"
    "  pack(tempDir, 'server');\n"
    "  pack(tempDir, 'core');\n"
    "});\n"
)


def test_a_parameter_of_a_local_function_whose_every_caller_passes_fixed_values_is_fixed() -> None:
    assert rules_hit("test/pack.test.ts", PACK_HELPER) == []
    scope = Scope(PACK_HELPER)
    assert is_fixed("tempDir", scope) and is_fixed("name", scope) and is_fixed("cwd", scope)


@pytest.mark.parametrize("change", [
    ("  pack(tempDir, 'core');\n", "  pack(tempDir, process.argv[2]);\n"),  # one caller passes outside input
    ("function pack(", "export function pack("),  # callers outside the file
    ("  pack(tempDir, 'core');\n", "  ['core'].forEach(pack);\n"),  # used as a value
    ("  pack(tempDir, 'server');\n  pack(tempDir, 'core');\n", ""),  # never called here
])
def test_a_parameter_is_not_fixed_when_a_caller_may_pass_anything(change: tuple[str, str]) -> None:
    text = PACK_HELPER.replace(*change)
    assert text != PACK_HELPER
    assert rules_hit("test/pack.test.ts", text) == ["js-command-injection"]


MEDIA_HELPER = (
    "type MediaInput = { buffer: Buffer } | { path: string } | { url: string };\n"
    "export const imageContent = async (input: MediaInput): Promise<Image> => {\n"
    "  if ('url' in input) { const res = await fetch(input.url); return toImage(await res.arrayBuffer()); }\n"
    "  if ('path' in input) { return toImage(await readFile(input.path)); }\n"
    "  return toImage(input.buffer);\n"
    "};\n"
)


def test_a_helper_typed_for_values_no_tool_call_carries_is_not_a_tool_handler() -> None:
    assert rules_hit("src/media.ts", MEDIA_HELPER) == []
    inline = MEDIA_HELPER.replace("input: MediaInput", "input: { path: string } | { data: Uint8Array }")
    assert rules_hit("src/media.ts", inline) == []


@pytest.mark.parametrize("change", [
    ("type MediaInput = { buffer: Buffer } | ", "type MediaInput = "),  # only JSON-shaped input
    ("async (input: MediaInput)", "async (input)"),  # untyped: a handler's arguments
])
def test_a_helper_whose_input_json_can_carry_is_reported_where_a_tool_hands_it_tool_input(
        change: tuple[str, str]) -> None:
    text = MEDIA_HELPER.replace(*change)
    assert text != MEDIA_HELPER
    assert rules_hit("src/media.ts", text) == []  # a parameter is not input until a handler passes input
    called = text + 'server.tool("image", { path: z.string() }, async (args) => imageContent(args));\n'
    assert sorted(rules_hit("src/media.ts", called)) == ["js-path-traversal", "js-ssrf"]
    handler = ("type MediaInput = { buffer: Buffer };\n"
               "server.tool('read', schema, async (input) => readFile(input.path));\n")
    assert rules_hit("src/server.ts", handler) == ["js-path-traversal"]


def test_spawn_with_a_shell_is_judged_on_its_program_arguments_and_options() -> None:
    runner = ("function runCommand(command, args, cwd = __dirname) {\n"
              "  return spawn(command, args, {\n    cwd,\n    stdio: 'inherit',\n    shell: true\n  });\n}\n"
              "await runCommand('npm', ['run', 'build']);\n")
    assert rules_hit("test/run-all-tests.js", runner) == []
    from_argv = runner.replace("['run', 'build']", "process.argv.slice(2)")
    assert rules_hit("test/run-all-tests.js", from_argv) == ["js-spawn-shell-true"]
    with_env = runner.replace("stdio: 'inherit',", "env: { ...process.env, CI: '1' },")
    assert rules_hit("test/run-all-tests.js", with_env) == ["js-spawn-shell-true"]


@pytest.mark.parametrize("expr", ["{ cwd: __dirname, shell: true }", "{ 'a': 1, ...BASE }", "{ CMD }"])
def test_object_literals_of_fixed_values_are_fixed(expr: str) -> None:
    assert is_fixed(expr, Scope("const BASE = { x: 1 };\nconst CMD = 'ls';\n"))
    assert not is_fixed(expr.replace("1", "input.n").replace("CMD", "cmd").replace("__dirname", "dir"),
                        Scope("const BASE = { x: input.n };\n"))


PLATFORM_LOOP = (
    "const PLATFORMS = [{ name: 'x86_64-linux', ext: 'tar.gz' }, { name: 'arm64-darwin', ext: 'zip' }];\n"
    "const TEMP_DIR = path.join(__dirname, '.downloads');\n"
    "async function fetchPlatform(platform) {\n"
    "  const { name, ext: suffix } = platform;\n"
    "  execSync(`tar -xzf \"${path.join(TEMP_DIR, `rg-${name}.${suffix}`)}\" -C ${TEMP_DIR}`);\n"
    "}\n"
    "for (const platform of PLATFORMS) { await fetchPlatform(platform); }\n"
)


def test_fields_of_fixed_objects_and_destructured_names_are_fixed() -> None:
    assert rules_hit("scripts/fetch.cjs", PLATFORM_LOOP) == []
    assert is_fixed("PLATFORMS[0].name", Scope(PLATFORM_LOOP))


@pytest.mark.parametrize("change", [
    ("for (const platform", "module.exports = { fetchPlatform };\nfor (const platform"),  # callers elsewhere
    ("for (const platform", "PLATFORMS[0].name = process.argv[2];\nfor (const platform"),  # a field assigned
    ("{ name: 'x86_64-linux', ext: 'tar.gz' }", "{ name: process.env.RG_NAME, ext: 'tar.gz' }"),
])
def test_fields_of_objects_that_may_change_are_not_fixed(change: tuple[str, str]) -> None:
    text = PLATFORM_LOOP.replace(*change)
    assert text != PLATFORM_LOOP
    assert rules_hit("scripts/fetch.cjs", text) == ["js-command-injection"]


OWN_MANIFEST = (
    "const ROOT = path.resolve(__dirname, '..');\n"
    "const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));\n"
    "let manifest;\n"
    "try {\n  manifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'manifest.json'), 'utf8'));\n"
    "} catch (error) {\n  process.exit(1);\n}\n"
    "const out = path.join(ROOT, `${manifest.name}-${pkg.version}.mcpb`);\n"
    "execSync(`npx mcpb pack \"${ROOT}\" \"${out}\"`, { stdio: 'inherit' });\n"
)


def test_values_read_from_the_programs_own_files_are_fixed() -> None:
    assert rules_hit("scripts/build.cjs", OWN_MANIFEST) == []
    assert is_fixed("require('../package.json').version", Scope(""))


@pytest.mark.parametrize("change", [
    ("path.resolve(__dirname, '..')", "process.cwd()"),  # the user's project, not the program's
    ("path.resolve(__dirname, '..')", "os.homedir()"),
    ("path.join(ROOT, 'manifest.json')", "process.argv[2]"),
])
def test_values_read_from_other_files_are_not_fixed(change: tuple[str, str]) -> None:
    text = OWN_MANIFEST.replace(*change, 1) if change[0].startswith("path.resolve") else OWN_MANIFEST.replace(*change)
    assert text != OWN_MANIFEST
    assert rules_hit("scripts/build.cjs", text) == ["js-command-injection"]
    assert not is_fixed("require(process.argv[2]).version", Scope(""))


def test_html_from_the_files_own_functions_is_judged_by_what_they_return() -> None:
    text = ("function dialogMarkup(): string {\n  return `<div class=\"modal\"><h3>Changed on disk</h3></div>`;\n}\n"
            "const row = (item) => `<li>${escapeHtml(item.name)}</li>`;\n"
            "host.innerHTML = dialogMarkup();\n"
            "list.innerHTML = `<ul>${row(result)}</ul>`;\n")
    assert rules_hit("src/ui.ts", text) == []
    raw = text.replace("${escapeHtml(item.name)}", "${item.name}")
    [f] = ENGINE.scan(TextUnit(path="src/ui.ts", text=raw))
    assert f.line == 6 and f.rule_id == "js-dom-html-sink"


def test_a_command_from_a_function_of_the_file_returning_constants_is_not_reported() -> None:
    fixed = ("function finder(): string { return process.platform === 'win32' ? 'where' : 'which'; }\n"
             "export const find = () => execSync(`${finder()} rg`);\n")
    assert rules_hit("src/a.ts", fixed) == []
    passed_on = ("function quoted(v) { return `'${v}'`; }\n"
                 "export const logs = (id) => execSync(`docker logs ${quoted(id)}`);\n")
    assert rules_hit("src/a.ts", passed_on) == ["js-command-injection"]


def test_html_from_imported_helpers_of_the_program_given_constants_is_low() -> None:
    from sentinel_hooks.findings import Severity

    text = ("import { renderRow, renderDialog } from './render.js';\nimport { marked } from 'marked';\n"
            "box.innerHTML = `<main>${renderRow({ label: 'Loading…', busy: true })}</main>`;\n"
            "host.innerHTML = renderDialog();\n"
            "out.innerHTML = renderRow({ label: result.text });\n"
            "doc.innerHTML = marked('# Title');\n")
    severities = [(f.line, f.severity) for f in ENGINE.scan(TextUnit(path="src/ui.ts", text=text))]
    assert severities == [(3, Severity.LOW), (4, Severity.LOW), (5, Severity.MEDIUM), (6, Severity.MEDIUM)]


def test_a_function_name_also_used_as_a_parameter_or_reassigned_is_not_followed() -> None:
    text = ("function render() { return '<p>ready</p>'; }\n"
            "let label = () => '<b>ok</b>';\n"
            "export function show(el, render) { el.innerHTML = render(); }\n")
    assert not is_fixed("render()", Scope(text))
    assert is_fixed("label()", Scope(text))
    assert not is_fixed("label()", Scope(text + "label = readLabel;\n"))


def test_a_brace_in_a_comment_or_string_does_not_end_a_function_body() -> None:
    text = ("function markup(item) {\n  // closes } early?\n  const open = '}';\n  if (!item) return '<p></p>';\n"
            "  return `<li>${item.name}</li>`;\n}\nexport function show(el, r) { el.innerHTML = markup(r); }\n")
    assert not is_fixed("markup(r)", Scope(text))
