"""Tools declared in JavaScript and TypeScript (``server.tool(name, description, ...)``,
``server.registerTool(name, {...})``, ``addTool({...})``, ``{name, description, inputSchema}`` objects and
``tools: [...]`` arrays) and in JSON manifests with a ``tools`` array."""
from __future__ import annotations

from typing import Iterator, Optional

from sentinel_hooks.engine.tool_metadata.js_tokens import Token, tokenize
from sentinel_hooks.engine.tool_metadata.js_values import JsValue, ValueParser
from sentinel_hooks.engine.tool_metadata.model import LineIndex, Span, ToolDecl, ToolParam, unique_tools


def _js_constants(tokens: list[Token]) -> dict[str, str]:
    """`const NAME = "…"` (string literals, templates and their concatenation, over the constants
    defined before) anywhere in the file."""
    out: dict[str, str] = {}
    parser = ValueParser(tokens, out)
    for i, t in enumerate(tokens):
        if t.kind == "ident" and t.text in ("const", "let", "var"):
            name = parser.tok(i + 1)
            if name is not None and name.kind == "ident" and parser.is_punct(i + 2, "="):
                node = parser.string_expression(i + 3)
                if node is not None:
                    out[name.text] = node.value
    return out


class JsExtractor:
    def __init__(self, text: str, tokens: list[Token]):
        self.index = LineIndex(text)
        self.parser = ValueParser(tokens, _js_constants(tokens))
        self.tokens = tokens

    def span(self, node: JsValue) -> Span:
        start = self.tokens[node.start].start
        end = self.tokens[max(node.end - 1, node.start)].end
        return self.index.span(start, end)

    def token_span(self, tok: Token) -> Span:
        return self.index.span(tok.start, tok.end)

    def schema_text(self, node: Optional[JsValue]) -> str:
        if node is None:
            return ""
        return " ".join(t.text for t in self.tokens[node.start:node.end])

    def params(self, schema: Optional[JsValue]) -> list[ToolParam]:
        """Parameters of a JSON schema object, a zod shape `{a: z.string().describe(…)}`, or z.object({…})."""
        if schema is None:
            return []
        if schema.kind == "other":
            for k in range(schema.start, schema.end):
                if self.parser.is_punct(k, "{"):
                    inner = self.parser.object(k)
                    if inner is not None:
                        schema = inner
                        break
            else:
                return []
        if schema.kind != "object":
            return []
        props = schema.get("properties")
        if props is not None and props.kind == "object":
            out = []
            for name, key_tok, value in props.entries:
                desc = value.get("description") if value.kind == "object" else None
                if desc is not None and desc.kind == "string":
                    out.append(ToolParam(name, desc.value, self.span(desc)))
                else:
                    out.append(ToolParam(name, "", self.token_span(key_tok)))
            return out
        out = []
        for name, key_tok, value in schema.entries:
            described = self._describe_call(value)
            if described is not None:
                out.append(ToolParam(name, described.value, self.span(described)))
            else:
                out.append(ToolParam(name, "", self.token_span(key_tok)))
        return out

    def _describe_call(self, value: JsValue) -> Optional[JsValue]:
        for k in range(value.start, value.end):
            t = self.tokens[k]
            if t.kind == "ident" and t.text == "describe" and self.parser.is_punct(k - 1, ".") and \
                    self.parser.is_punct(k + 1, "("):
                node = self.parser.string_expression(k + 2)
                if node is not None:
                    return node
        return None

    def decl(self, name: str, desc: Optional[JsValue], declared: Span, schema: Optional[JsValue]) -> ToolDecl:
        return ToolDecl(name=name, description=desc.value if desc is not None else None,
                        description_span=self.span(desc) if desc is not None else None,
                        declaration_span=declared, schema=self.schema_text(schema),
                        schema_span=self.span(schema) if schema is not None else None,
                        params=self.params(schema))

    def from_calls(self) -> Iterator[ToolDecl]:
        p = self.parser
        for i, t in enumerate(self.tokens):
            if t.kind != "ident" or t.text not in ("tool", "registerTool", "addTool") or \
                    not p.is_punct(i - 1, ".") or not p.is_punct(i + 1, "("):
                continue
            args = p.arguments(i + 1)
            declared = self.token_span(t)
            if t.text == "addTool":
                if args and args[0].kind == "object":
                    decl = self.from_object(args[0], declared)
                    if decl is not None:
                        yield decl
                continue
            if not args or args[0].kind != "string":
                continue
            name = args[0].value
            if t.text == "registerTool":
                config = args[1] if len(args) > 1 and args[1].kind == "object" else None
                if config is None:
                    continue
                desc = config.get("description")
                schema = config.get("inputSchema")
                yield self.decl(name, desc if desc is not None and desc.kind == "string" else None,
                                self.span(args[0]), schema)
                continue
            rest = args[1:]
            desc = rest[0] if rest and rest[0].kind == "string" else None
            if desc is not None:
                rest = rest[1:]
            schema = rest[0] if len(rest) > 1 and rest[0].kind in ("object", "other") and \
                not self._looks_like_function(rest[0]) else None
            yield self.decl(name, desc, self.span(args[0]), schema)

    def _looks_like_function(self, node: JsValue) -> bool:
        texts = [t.text for t in self.tokens[node.start:node.end]]
        return "=>" in texts or (bool(texts) and texts[0] in ("function", "async"))

    def from_object(self, obj: JsValue, declared: Optional[Span] = None,
                    in_tools_array: bool = False) -> Optional[ToolDecl]:
        name = obj.get("name")
        desc = obj.get("description")
        if name is None or desc is None or name.kind != "string" or desc.kind != "string":
            return None
        schema = obj.get("inputSchema") or obj.get("input_schema") or obj.get("parameters")
        has_schema_key = obj.get("inputSchema") is not None or obj.get("input_schema") is not None
        is_fastmcp = obj.get("execute") is not None and obj.get("parameters") is not None
        if not (in_tools_array or has_schema_key or is_fastmcp):
            return None
        return self.decl(name.value, desc, declared or self.span(name), schema)

    def from_objects(self) -> Iterator[ToolDecl]:
        p = self.parser
        seen: set[int] = set()
        for i, t in enumerate(self.tokens):
            if t.kind != "punct" or t.text != "{":
                continue
            obj = p.object(i)
            if obj is None:
                continue
            tools = obj.get("tools")
            if tools is not None and tools.kind == "array":
                for item in tools.items:
                    if item.kind == "object" and item.start not in seen:
                        decl = self.from_object(item, in_tools_array=True)
                        if decl is not None:
                            seen.add(item.start)
                            yield decl
            if i not in seen:
                decl = self.from_object(obj)
                if decl is not None:
                    seen.add(i)
                    yield decl


def js_tools(text: str) -> list[ToolDecl]:
    tokens = tokenize(text)
    extractor = JsExtractor(text, tokens)
    found = list(extractor.from_calls()) + list(extractor.from_objects())
    return unique_tools(found)
