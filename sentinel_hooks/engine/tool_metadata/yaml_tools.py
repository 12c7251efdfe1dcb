"""Tools declared in YAML manifests with a ``tools`` array (yaml is imported only when one is read)."""
from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, Optional

from sentinel_hooks.engine.tool_metadata.model import Span, ToolDecl, ToolParam

if TYPE_CHECKING:
    import yaml


# -- YAML ------------------------------------------------------------------------------------------

def _yaml_span(node: yaml.Node) -> Span:
    return Span(node.start_mark.line + 1, node.start_mark.column + 1, node.end_mark.line + 1,
                node.end_mark.column + 1)


def _yaml_get(node: yaml.MappingNode, key: str) -> Optional[yaml.Node]:
    import yaml  # only YAML manifests need it: imported when one is scanned
    for k, v in node.value:
        if isinstance(k, yaml.ScalarNode) and k.value == key:
            return v
    return None


def _yaml_plain(node: yaml.Node) -> Any:
    import yaml  # only YAML manifests need it: imported when one is scanned
    if isinstance(node, yaml.MappingNode):
        return {str(getattr(k, "value", "")): _yaml_plain(v) for k, v in node.value}
    if isinstance(node, yaml.SequenceNode):
        return [_yaml_plain(v) for v in node.value]
    return getattr(node, "value", None)


def _yaml_tool(item: yaml.MappingNode) -> Optional[ToolDecl]:
    import yaml  # only YAML manifests need it: imported when one is scanned
    name = _yaml_get(item, "name")
    desc = _yaml_get(item, "description")
    if not isinstance(name, yaml.ScalarNode) or not isinstance(desc, yaml.ScalarNode):
        return None
    schema_node = next((n for n in (_yaml_get(item, k) for k in ("inputSchema", "input_schema", "parameters",
                                                                    "arguments")) if n is not None), None)
    params: list[ToolParam] = []
    if isinstance(schema_node, yaml.MappingNode):
        props = _yaml_get(schema_node, "properties")
        if isinstance(props, yaml.MappingNode):
            for pk, pv in props.value:
                pdesc = _yaml_get(pv, "description") if isinstance(pv, yaml.MappingNode) else None
                if isinstance(pdesc, yaml.ScalarNode):
                    params.append(ToolParam(str(pk.value), str(pdesc.value), _yaml_span(pdesc)))
                else:
                    params.append(ToolParam(str(pk.value), "", _yaml_span(pk)))
    schema = json.dumps(_yaml_plain(schema_node), sort_keys=True) if schema_node is not None else ""
    return ToolDecl(name=str(name.value), description=str(desc.value), description_span=_yaml_span(desc),
                    declaration_span=_yaml_span(name), schema=schema,
                    schema_span=_yaml_span(schema_node) if schema_node is not None else None, params=params)


def yaml_tools(text: str) -> list[ToolDecl]:
    import yaml  # only YAML manifests need it: imported when one is scanned
    try:
        documents = list(yaml.compose_all(text, Loader=yaml.SafeLoader))
    except (yaml.YAMLError, RecursionError, ValueError):
        return []
    out = []
    stack: list[yaml.Node] = [d for d in documents if d is not None]
    seen: set[int] = set()  # aliases share nodes: each is visited once (no alias-bomb blow-up)
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            tools = _yaml_get(node, "tools")
            if isinstance(tools, yaml.SequenceNode):
                for item in tools.value:
                    if isinstance(item, yaml.MappingNode):
                        decl = _yaml_tool(item)
                        if decl is not None:
                            out.append(decl)
            stack.extend(v for _, v in node.value)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
    return out
