"""Library helpers typed for values no tool call carries, told from tool handlers."""
from __future__ import annotations

import pytest

from sentinel_hooks.engine.js_parameter_types import developer_parameter, type_text

SINK = "readFile(input.path)"


def at_sink(text: str) -> bool:
    return developer_parameter(text, text.index(SINK), "input")


@pytest.mark.parametrize("declaration", [
    "type Media = { path: string } | { buffer: Buffer };",
    "type Media =\n  | { path: string }\n  | { url: string }\n  | { data: Uint8Array };",
    "interface Media {\n  path?: string;\n  stream?: ReadableStream;\n}",
])
def test_a_parameter_whose_type_takes_binary_data_is_a_developers(declaration: str) -> None:
    text = f"{declaration}\nexport const load = async (input: Media) => {{ return {SINK}; }};\n"
    assert at_sink(text)


@pytest.mark.parametrize("declaration", [
    "type Media = { path: string } | { url: string };",
    "type Media = { path: string };\nconst note = 'a Buffer is never sent';\n",
    "type Other = { data: Buffer };\ntype Media = { path: string };",
])
def test_a_parameter_whose_type_json_can_carry_may_be_tool_input(declaration: str) -> None:
    text = f"{declaration}\nexport const load = async (input: Media) => {{ return {SINK}; }};\n"
    assert not at_sink(text)


def test_inline_types_and_untyped_handlers() -> None:
    assert at_sink(f"function load(input: {{ path: string }} | Buffer) {{ return {SINK}; }}\n")
    assert not at_sink(f"server.tool('read', schema, async (input) => {SINK});\n")
    # the nearest declaration counts: a handler after a helper of the same parameter name
    text = (f"function load(input: Buffer) {{ return input; }}\n"
            f"server.tool('read', schema, async (input: ReadArgs) => {SINK});\n")
    assert not at_sink(text)


def test_type_text_reads_a_whole_union_alias_and_stops_at_its_end() -> None:
    text = "type Media =\n  | { path: string }\n  | { data: Buffer };\nconst x = 1;\n"
    assert type_text(text, "Media").strip().endswith("{ data: Buffer }")
    assert type_text(text, "Missing") == ""
