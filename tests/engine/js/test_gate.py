"""The text gate: only files naming both a source and a sink are parsed."""
from __future__ import annotations

from sentinel_hooks.engine.js.gate import may_flow


def test_a_tool_server_with_a_sink_passes() -> None:
    assert may_flow('server.tool("t", {}, async ({ q }) => exec(q));')


def test_a_file_without_a_source_or_without_a_sink_is_not_parsed() -> None:
    assert not may_flow("export const add = (a: number, b: number) => a + b;")
    assert not may_flow('server.tool("t", {}, async ({ q }) => ({ content: [{ type: "text", text: q }] }));')
    assert not may_flow("const out = execSync('git status');")
