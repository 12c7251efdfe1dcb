"""Tools declared in a JSON file (a server manifest, a saved ``tools/list`` answer): every object with a
string ``name`` and ``description`` in any ``tools`` array, read with the one JSON(C) parser
(``engine/jsonc.py``)."""
from __future__ import annotations

import json
from typing import Any, Optional

from sentinel_hooks.engine import jsonc
from sentinel_hooks.engine.tool_metadata.model import Span, ToolDecl, ToolParam

SCHEMA_KEYS = ("inputSchema", "input_schema", "parameters", "arguments")


def json_tools(text: str) -> list[ToolDecl]:
    """The tools of a JSON document; [] when it is not JSON."""
    root = jsonc.try_parse(text)
    if root is None:
        return []
    out: list[ToolDecl] = []
    for node in root.walk():
        tools = node.get("tools") if node.kind == "object" else None
        if tools is None or tools.kind != "array":
            continue
        for item in tools.items():
            decl = _tool(item) if item.kind == "object" else None
            if decl is not None:
                out.append(decl)
    return out


def _tool(obj: jsonc.Node) -> Optional[ToolDecl]:
    name, desc = obj.get("name"), obj.get("description")
    if name is None or desc is None or name.kind != "string" or desc.kind != "string":
        return None
    schema = next((obj.get(k) for k in SCHEMA_KEYS if obj.get(k) is not None), None)
    return ToolDecl(name=name.value, description=desc.value, description_span=span(desc),
                    declaration_span=span(name),
                    schema=json.dumps(plain(schema), sort_keys=True) if schema is not None else "",
                    schema_span=span(schema) if schema is not None else None, params=_params(schema))


def _params(schema: Optional[jsonc.Node]) -> list[ToolParam]:
    props = schema.get("properties") if schema is not None else None
    if props is None or props.kind != "object":
        return []
    out = []
    for member in props.members():
        desc = member.value.get("description") if member.value.kind == "object" else None
        if desc is not None and desc.kind == "string":
            out.append(ToolParam(member.name, desc.value, span(desc)))
        else:
            out.append(ToolParam(member.name, "", span(member.key)))
    return out


def span(node: jsonc.Node) -> Span:
    return Span(node.line, node.column, node.end_line, node.end_column)


def plain(node: jsonc.Node) -> Any:
    """The Python value of a node (numbers as JSON reads them, else their text)."""
    if node.kind == "object":
        return {m.name: plain(m.value) for m in node.members()}
    if node.kind == "array":
        return [plain(item) for item in node.items()]
    if node.kind == "number":
        try:
            return json.loads(node.value)
        except ValueError:
            return node.value
    return node.value
