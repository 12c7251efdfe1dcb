"""Tools in JSON files, read with the one JSON(C) parser (engine/tool_metadata/json_tools.py)."""
from __future__ import annotations

from sentinel_hooks.engine.tool_metadata.json_tools import json_tools

MANIFEST = """{
  // a saved tools/list answer, with a comment and a trailing comma
  "result": {"tools": [
    {"name": "add", "description": "Adds two numbers.",
     "inputSchema": {"type": "object", "properties": {
        "a": {"type": "integer", "description": "first operand"},
        "b": {"type": "integer"},
     }}},
    {"name": "broken"},
  ]}
}"""


def test_tools_in_any_tools_array_with_positions_parameters_and_canonical_schema():
    [tool] = json_tools(MANIFEST)
    assert (tool.name, tool.description) == ("add", "Adds two numbers.")
    assert (tool.description_span.line, tool.description_span.column) == (4, 36)
    assert [(p.name, p.description, p.span.line) for p in tool.params] == [("a", "first operand", 6), ("b", "", 7)]
    assert tool.schema.startswith('{"properties": {"a": {"description": "first operand"')


def test_text_that_is_not_json_has_no_tools():
    assert json_tools("tools: [not json") == []
    assert json_tools('{"tools": "none"}') == []
