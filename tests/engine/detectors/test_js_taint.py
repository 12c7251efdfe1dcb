"""The js_taint detector through the engine: one finding per problem, messages, diff windows, partial files."""
from __future__ import annotations

from pathlib import Path

from sentinel_hooks.engine.matcher import Engine
from sentinel_hooks.engine.rules import build_ruleset
from sentinel_hooks.engine.units import TextUnit

RULES_DIR = Path(__file__).resolve().parents[3] / "sentinel_hooks" / "rules"
ENGINE = Engine(build_ruleset([RULES_DIR / "injection.yaml"], [], builtin=False))

SERVER = '''import { execSync } from "node:child_process";

function run(command: string): string {
  return execSync(command).toString();
}

server.tool("log", { ref: z.string() }, async ({ ref }) => {
  return { content: [{ type: "text", text: run(`git log ${ref}`) }] };
});

function status(dir: string): string {
  return execSync(`git -C ${dir} status`).toString();
}
'''


def findings(text: str, path: str = "src/index.ts", **unit) -> list[tuple[int, str]]:
    return sorted((f.line, f.rule_id) for f in ENGINE.scan(TextUnit(path=path, text=text, **unit)))


def test_an_input_flow_is_one_finding_and_a_built_command_without_input_keeps_the_value_rule() -> None:
    assert findings(SERVER) == [(4, "js-command-injection-tool-input"), (12, "js-command-injection")]


def test_the_message_names_the_helper_that_carried_the_input() -> None:
    [finding] = [f for f in ENGINE.scan(TextUnit(path="src/index.ts", text=SERVER))
                 if f.rule_id == "js-command-injection-tool-input"]
    assert "through run()" in finding.message


def test_a_diff_window_takes_the_flows_that_fall_in_it() -> None:
    lines = SERVER.splitlines(keepends=True)
    window = "".join(lines[2:5])
    unit = TextUnit(path="src/index.ts", text=window, first_line=3, full_text_loader=lambda: SERVER)
    assert [(f.line, f.rule_id) for f in ENGINE.scan(unit)] == [(4, "js-command-injection-tool-input")]


def test_python_and_partial_chunks_are_not_parsed_as_javascript() -> None:
    assert findings(SERVER, path="server.py") == []
    assert [r for _, r in findings(SERVER, partial=True)] == ["js-command-injection"]


def test_a_tree_nested_deeper_than_the_stack_reports_nothing_instead_of_failing() -> None:
    deep = 'server.tool("t", {}, async ({ q }) => exec(' + "(" * 5000 + "q" + ")" * 5000 + "));\n"
    assert findings(deep) == []
