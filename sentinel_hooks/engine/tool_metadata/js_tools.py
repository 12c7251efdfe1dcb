"""Tools declared in JavaScript and TypeScript (``server.tool(name, description, ...)``,
``server.registerTool(name, {...})``, ``addTool({...})``, ``{name, description, inputSchema}`` objects and
``tools: [...]`` arrays) and in JSON manifests with a ``tools`` array."""
from __future__ import annotations

from typing import Iterator, Optional

from sentinel_hooks.engine.tool_metadata.imported import MAX_DEPTH, Imports
from sentinel_hooks.engine.tool_metadata.js_tokens import Token, tokenize
from sentinel_hooks.engine.tool_metadata.js_values import JsValue, ValueParser
from sentinel_hooks.engine.tool_metadata.model import LineIndex, Origin, Span, ToolDecl, ToolParam, unique_tools


class JsConstants(dict):
    """A file's string constants; names the file imports from a relative module (``import { DESC }
    from './descriptions'``, ``export { DESC } from ...``, ``const { DESC } = require(...)``) are read
    there the first time a string expression asks for them. ``origins`` holds, for constants whose
    text another module gave, that module's ``path:line``; ``lines`` the line of each local constant."""

    def __init__(self, imports: Optional[Imports] = None, path: str = "", depth: int = 0):
        super().__init__()
        self.imports = imports if depth < MAX_DEPTH else None
        self.path = path
        self.depth = depth
        self.imported: dict[str, tuple[str, str]] = {}  # local name -> (specifier, exported name)
        self.origins: dict[str, Origin] = {}
        self.lines: dict[str, tuple[int, int]] = {}
        self._tried: set[str] = set()

    def __bool__(self) -> bool:
        return dict.__len__(self) > 0 or bool(self.imported)

    def __contains__(self, name: object) -> bool:
        return dict.__contains__(self, name) or (isinstance(name, str) and self._resolve(name))

    def __missing__(self, name: str) -> str:
        if self._resolve(name):
            return dict.__getitem__(self, name)
        raise KeyError(name)

    def get(self, name: str, default=None):  # type: ignore[override]
        return self[name] if name in self else default

    def _resolve(self, name: str) -> bool:
        if name not in self.imported or name in self._tried or self.imports is None:
            return False
        self._tried.add(name)
        specifier, exported = self.imported[name]
        found = self.imports.js_module(self.path, specifier)
        if found is None:
            return False
        rel, text = found
        key = ("javascript", rel)
        if key not in self.imports.memo:
            self.imports.memo[key] = js_constants(tokenize(text), self.imports, rel, self.depth + 1, text)
        other: JsConstants = self.imports.memo[key]
        if exported not in other:
            return False
        self[name] = dict.__getitem__(other, exported)
        first, last = other.lines.get(exported, (1, 1))
        self.origins[name] = other.origins.get(exported) or Origin(rel, first, last)
        return True


def _imported_names(tokens: list[Token], parser: ValueParser) -> dict[str, tuple[str, str]]:
    """``import { A, B as C } from './m'``, ``export { A } from './m'``, ``const { A } = require('./m')``:
    local name -> (module specifier, name it has there); relative specifiers only."""
    out: dict[str, tuple[str, str]] = {}
    for i, t in enumerate(tokens):
        if t.kind != "ident" or t.text not in ("import", "export", "const", "let", "var"):
            continue
        j = i + 1
        if t.text in ("import", "export") and parser.tok(j) is not None and tokens[j].text == "type":
            continue
        if not parser.is_punct(j, "{"):
            continue
        close = parser.matching(j)
        spec = None
        if parser.tok(close) is not None and tokens[close].text == "from":
            spec = parser.tok(close + 1)
        elif t.text in ("const", "let", "var") and parser.is_punct(close, "=") and \
                parser.tok(close + 1) is not None and tokens[close + 1].text == "require" and \
                parser.is_punct(close + 2, "("):
            spec = parser.tok(close + 3)
        if spec is None or spec.kind != "string" or not spec.value.startswith(("./", "../")):
            continue
        renamer = ":" if t.text in ("const", "let", "var") else "as"
        entry: list[Token] = []
        for tok in tokens[j + 1:close]:
            if tok.kind == "punct" and tok.text in (",", "}"):
                _add_binding(out, entry, renamer, spec.value)
                entry = []
            else:
                entry.append(tok)
    return out


def _add_binding(out: dict[str, tuple[str, str]], entry: list[Token], renamer: str, specifier: str) -> None:
    """One ``A`` / ``A as B`` / ``A: B`` of a named import list (``type A`` left out)."""
    words = [tok.text for tok in entry]
    if len(words) == 1 and entry[0].kind == "ident":
        out[words[0]] = (specifier, words[0])
    elif len(words) == 3 and words[1] == renamer and entry[0].kind in ("ident", "string") and entry[2].kind == "ident":
        out[words[2]] = (specifier, entry[0].value if entry[0].kind == "string" else words[0])


def js_constants(tokens: list[Token], imports: Optional[Imports] = None, path: str = "", depth: int = 0,
                 text: str = "") -> JsConstants:
    """`const NAME = "…"` (string literals, templates and their concatenation, over the constants
    defined before) anywhere in the file; with ``imports``, names imported from relative modules are
    read there when a string expression needs them."""
    out = JsConstants(imports, path, depth)
    parser = ValueParser(tokens, out)
    if out.imports is not None:
        out.imported = _imported_names(tokens, parser)
    index = LineIndex(text) if text else None
    for i, t in enumerate(tokens):
        if t.kind == "ident" and t.text in ("const", "let", "var"):
            name = parser.tok(i + 1)
            if name is not None and name.kind == "ident" and parser.is_punct(i + 2, "="):
                node = parser.string_expression(i + 3)
                if node is not None:
                    out[name.text] = node.value
                    if index is not None:
                        out.lines[name.text] = (index.position(name.start)[0],
                                                index.position(tokens[max(node.end - 1, node.start)].end)[0])
                    origin = _origin_in(tokens, node, out)
                    if origin:
                        out.origins[name.text] = origin
    return out


def _origin_in(tokens: list[Token], node: JsValue, constants: JsConstants) -> Optional[Origin]:
    """The origin of the first constant from another module that the string expression ``node`` uses."""
    if not constants.origins:
        return None
    for tok in tokens[node.start:node.end]:
        if tok.kind == "ident" and tok.text in constants.origins:
            return constants.origins[tok.text]
        if tok.kind == "template" and "${" in tok.text:
            for name, origin in constants.origins.items():
                if "${" + name in tok.text.replace(" ", "").replace("\t", ""):
                    return origin
    return None


class JsExtractor:
    def __init__(self, text: str, tokens: list[Token], imports: Optional[Imports] = None):
        self.index = LineIndex(text)
        self.constants = js_constants(tokens, imports, imports.path if imports is not None else "")
        self.parser = ValueParser(tokens, self.constants)
        self.tokens = tokens

    def origin(self, node: Optional[JsValue]) -> Optional[Origin]:
        return None if node is None else _origin_in(self.tokens, node, self.constants)

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
                    out.append(ToolParam(name, desc.value, self.span(desc), self.origin(desc)))
                else:
                    out.append(ToolParam(name, "", self.token_span(key_tok)))
            return out
        out = []
        for name, key_tok, value in schema.entries:
            described = self._describe_call(value)
            if described is not None:
                out.append(ToolParam(name, described.value, self.span(described), self.origin(described)))
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
                        params=self.params(schema), description_origin=self.origin(desc))

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


def js_tools(text: str, imports: Optional[Imports] = None) -> list[ToolDecl]:
    """The tools ``text`` declares; with ``imports``, constants imported from relative modules of the
    repository are read there."""
    tokens = tokenize(text)
    extractor = JsExtractor(text, tokens, imports)
    found = list(extractor.from_calls()) + list(extractor.from_objects())
    return unique_tools(found)
