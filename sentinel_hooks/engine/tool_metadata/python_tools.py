"""Tools declared in Python: ``@mcp.tool`` / ``@server.tool`` / ``@app.tool()`` decorated functions with
their ``description=`` or docstring (prompts and resources alike: ``@mcp.prompt``, ``@mcp.resource``),
functions registered by call (``mcp.add_tool(fn, description=...)``, ``mcp.tool()(fn)``),
``Tool(...)`` / ``types.Tool(...)`` / ``Prompt(...)`` / ``Resource(...)`` objects, and descriptions
assigned to a tool afterwards (``fn.__doc__ = ...``, ``tool.description = ...``; see
``python_reassigned``). Parameters take their descriptions from ``Field(description=...)``,
``Annotated[..., Field(...)]`` and the fields of a pydantic model used as an argument."""
from __future__ import annotations

import ast
import re
import string
import unicodedata
from typing import Optional, Union

from sentinel_hooks.engine import python_tree
from sentinel_hooks.engine.tool_metadata.imported import MAX_DEPTH, Imports
from sentinel_hooks.engine.tool_metadata.model import Origin, Span, ToolDecl, ToolParam
from sentinel_hooks.engine.tool_metadata.python_reassigned import reassigned_descriptions
from sentinel_hooks.text_lines import cleaned_docstring, holds_line


# -- Python ----------------------------------------------------------------------------------------

_PY_TOOL_CLASSES = {"Tool": "tool", "Prompt": "prompt", "Resource": "resource",
                    "ResourceTemplate": "resource"}
_PY_DECORATOR_KINDS = {"tool": "tool", "prompt": "prompt", "resource": "resource"}
MAX_BUILT_CHARS = 100_000  # a description built by % or format() longer than this is not evaluated
_PY_SELF_PARAMS = {"self", "cls"}


def _callee_name(node: ast.AST) -> str:
    if isinstance(node, ast.Call):
        node = node.func
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Name):
        return node.id
    return ""


class _PySource:
    """A parsed file's module and class constants, for string values; with ``imports``, names imported
    from other modules of the repository are evaluated in those modules (``origins`` collects where
    such text came from, as ``path:line``)."""

    def __init__(self, text: str, tree: ast.Module, imports: Optional[Imports] = None, path: str = "",
                 depth: int = 0):
        self.imports = imports if depth < MAX_DEPTH else None
        self.path = path
        self.depth = depth
        self.origins: list[Origin] = []
        self.imported: dict[str, tuple[str, int, str]] = {}  # name -> (module, level, name there)
        self.imported_modules: dict[str, tuple[str, int]] = {}  # alias -> (module, level)
        if self.imports is not None:
            self._read_imports(tree)
        self.lines = text.splitlines()
        self.tree = tree
        self.constants = self._module_constants(tree)
        self.classes = {node.name: node for node in tree.body if isinstance(node, ast.ClassDef)}
        self.class_constants = {(cls, name): value for cls, node in self.classes.items()
                                for name, value in self._module_constants(node).items()}
        self.functions = {node.name: node for node in tree.body
                          if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))}
        self.imported_tool = any(
            isinstance(n, ast.ImportFrom) and any(a.name == "tool" and a.asname is None for a in n.names)
            for n in tree.body)

    def _read_imports(self, tree: ast.Module) -> None:
        for node in tree.body:
            if isinstance(node, ast.ImportFrom):
                for alias in node.names:
                    if alias.name != "*":
                        self.imported[alias.asname or alias.name] = (node.module or "", node.level, alias.name)
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.asname:
                        self.imported_modules[alias.asname] = (alias.name, 0)
                    else:
                        self.imported_modules.setdefault(alias.name.split(".")[0], (alias.name.split(".")[0], 0))

    def string_value_traced(self, node: Optional[ast.AST]) -> tuple[Optional[str], Optional[Origin]]:
        """``string_value`` and where its text came from when another module gave it (None if none)."""
        self.origins = []
        value = self.string_value(node)
        return value, (self.origins[0] if value is not None and self.origins else None)

    def _imported_constant(self, module: str, level: int, name: str) -> Optional[str]:
        """The value of constant ``name`` of the module an import names, evaluated there; its origin is
        recorded in ``origins``."""
        assert self.imports is not None
        found = self.imports.python_module(self.path, module, level)
        if found is None:
            return None
        rel, text = found
        key = ("python", rel)
        if key not in self.imports.memo:
            tree = python_tree.parse(text)
            self.imports.memo[key] = None if tree is None else _PySource(text, tree, self.imports, rel, self.depth + 1)
        other: Optional[_PySource] = self.imports.memo[key]
        if other is None:
            return None
        if name in other.constants:
            other.origins = []
            value = other.string_value(other.constants[name])
            defined = other.constants[name]
            self.origins.append(other.origins[0] if other.origins else
                                Origin(rel, defined.lineno, getattr(defined, "end_lineno", None) or defined.lineno))
            return value
        if name in other.imported and other.imports is not None:  # re-exported: one more module
            other.origins = []
            value = other.string_value(ast.Name(id=name, ctx=ast.Load()))
            if value is not None and other.origins:
                self.origins.append(other.origins[0])
            return value
        return None

    def _imported_name(self, node: ast.AST) -> Optional[str]:
        """A name or ``module.NAME`` attribute that an import binds to another module's constant."""
        if self.imports is None:
            return None
        if isinstance(node, ast.Name) and node.id in self.imported:
            module, level, name = self.imported[node.id]
            return self._imported_constant(module, level, name)
        if isinstance(node, ast.Attribute):
            chain: list[str] = []
            base: ast.AST = node.value
            while isinstance(base, ast.Attribute):
                chain.append(base.attr)
                base = base.value
            if not isinstance(base, ast.Name) or base.id in self.constants:
                return None
            chain.reverse()
            if base.id in self.imported_modules:
                module, level = self.imported_modules[base.id]
            elif base.id in self.imported:  # from pkg import texts; texts.DESC
                package, level, name = self.imported[base.id]
                module = f"{package}.{name}" if package else name
            else:
                return None
            return self._imported_constant(".".join([module, *chain]), level, node.attr)
        return None

    @staticmethod
    def _module_constants(tree: Union[ast.Module, ast.ClassDef]) -> dict[str, ast.AST]:
        out: dict[str, ast.AST] = {}
        for node in tree.body:
            if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
                out[node.targets[0].id] = node.value
            elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value:
                out[node.target.id] = node.value
        return out

    def column(self, line: int, byte_offset: int) -> int:
        """ast reports UTF-8 byte offsets; findings use characters."""
        if line < 1 or line > len(self.lines):
            return byte_offset + 1
        text = self.lines[line - 1]
        if text.isascii():  # one byte a character
            return min(byte_offset, len(text)) + 1
        raw = text.encode("utf-8")[:byte_offset]
        return len(raw.decode("utf-8", errors="replace")) + 1

    def span(self, node: ast.AST) -> Span:
        end_line = getattr(node, "end_lineno", None) or node.lineno
        end_col = getattr(node, "end_col_offset", None)
        return Span(node.lineno, self.column(node.lineno, node.col_offset), end_line,
                    self.column(end_line, end_col if end_col is not None else node.col_offset))

    def string_value(self, node: Optional[ast.AST], depth: int = 0) -> Optional[str]:
        """The value of a string expression built from literals, concatenation and constants."""
        if node is None or depth > 8:
            return None
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return node.value
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            left, right = self.string_value(node.left, depth + 1), self.string_value(node.right, depth + 1)
            return None if left is None or right is None else left + right
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mult):
            text = self.string_value(node.left, depth + 1)
            count = node.right.value if isinstance(node.right, ast.Constant) else None
            if text is not None and isinstance(count, int) and 0 <= count <= 10_000:
                return text * count
            return None
        if isinstance(node, ast.JoinedStr):
            parts = []
            for value in node.values:
                if isinstance(value, ast.Constant) and isinstance(value.value, str):
                    parts.append(value.value)
                else:
                    inner = value.value if isinstance(value, ast.FormattedValue) else value
                    plain = isinstance(value, ast.FormattedValue) and value.conversion == -1 \
                        and value.format_spec is None
                    known = self.string_value(inner, depth + 1) if plain else None
                    parts.append(known if known is not None else "{" + ast.unparse(inner) + "}")
            return "".join(parts)
        if isinstance(node, ast.Name) and node.id in self.constants:
            return self.string_value(self.constants[node.id], depth + 1)
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) \
                and (node.value.id, node.attr) in self.class_constants:
            return self.string_value(self.class_constants[(node.value.id, node.attr)], depth + 1)
        if self.imports is not None and isinstance(node, (ast.Name, ast.Attribute)):
            return self._imported_name(node)
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod):
            return self._percent(node, depth)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "format":
            return self._format(node, depth)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and not node.keywords:
            if node.func.attr in ("strip", "lstrip", "rstrip") and not node.args:
                inner = self.string_value(node.func.value, depth + 1)
                return inner.strip() if inner is not None else None
            if node.func.attr == "join" and len(node.args) == 1 and isinstance(node.args[0], (ast.List, ast.Tuple)):
                sep = self.string_value(node.func.value, depth + 1)
                items = [self.string_value(e, depth + 1) for e in node.args[0].elts]
                if sep is not None and all(i is not None for i in items):
                    return sep.join(items)  # type: ignore[arg-type]
            if node.func.attr == "dedent" and len(node.args) == 1:
                inner = self.string_value(node.args[0], depth + 1)
                return cleaned_docstring(inner) if inner is not None else None
        if isinstance(node, ast.Call) and _callee_name(node) == "dedent" and len(node.args) == 1:
            inner = self.string_value(node.args[0], depth + 1)
            return cleaned_docstring(inner) if inner is not None else None
        return None


    def _percent(self, node: ast.BinOp, depth: int) -> Optional[str]:
        """``"..." % (A, B)`` / ``"..." % A`` over constant strings and numbers."""
        template = self.string_value(node.left, depth + 1)
        items = node.right.elts if isinstance(node.right, ast.Tuple) else [node.right]
        values = [self._plain_value(item, depth + 1) for item in items]
        if template is None or any(v is None for v in values) or len(template) > MAX_BUILT_CHARS:
            return None
        try:
            built = template % tuple(values)
        except (TypeError, ValueError, KeyError):
            return None
        return built if len(built) <= MAX_BUILT_CHARS else None

    def _format(self, node: ast.Call, depth: int) -> Optional[str]:
        """``"...{}...{name}".format(A, name=B)`` over constant strings and numbers; fields that reach into
        an argument (``{0.attr}``, ``{0[key]}``) are not evaluated."""
        template = self.string_value(node.func.value, depth + 1)  # type: ignore[attr-defined]
        if template is None or len(template) > MAX_BUILT_CHARS or any(kw.arg is None for kw in node.keywords):
            return None
        args = [self._plain_value(a, depth + 1) for a in node.args]
        kwargs = {kw.arg: self._plain_value(kw.value, depth + 1) for kw in node.keywords}
        if any(v is None for v in args) or any(v is None for v in kwargs.values()):
            return None
        try:
            fields = [name for _, name, _, _ in string.Formatter().parse(template) if name]
        except ValueError:
            return None
        if any("." in f or "[" in f for f in fields):
            return None
        try:
            built = template.format(*args, **kwargs)
        except (IndexError, KeyError, ValueError, TypeError):
            return None
        return built if len(built) <= MAX_BUILT_CHARS else None

    def _plain_value(self, node: ast.AST, depth: int) -> Union[str, int, float, None]:
        if isinstance(node, ast.Name) and node.id in self.constants and depth <= 8:
            node = self.constants[node.id]
        if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) \
                and not isinstance(node.value, bool):
            return node.value
        return self.string_value(node, depth)


def _decorator_kind(dec: ast.AST, source: _PySource) -> Optional[str]:
    """tool, prompt or resource for a decorator that registers one (``@mcp.tool()``, ``@mcp.prompt``,
    ``@mcp.resource("uri")``, a bare ``@tool`` imported by that name), else None."""
    target = dec.func if isinstance(dec, ast.Call) else dec
    if isinstance(target, ast.Attribute):
        return _PY_DECORATOR_KINDS.get(target.attr)
    if isinstance(target, ast.Name) and target.id == "tool" and source.imported_tool:
        return "tool"
    return None


def _keyword(call: ast.Call, name: str) -> Optional[ast.AST]:
    for kw in call.keywords:
        if kw.arg == name:
            return kw.value
    return None


def _field_description(node: Optional[ast.AST], source: _PySource
                       ) -> Optional[tuple[str, ast.AST, Optional[Origin]]]:
    """``Field(description=...)`` / ``Annotated[..., Field(description=...)]`` / ``Annotated[T, "doc"]``:
    the text, its node and where another module gave it (None when none did)."""
    if node is None:
        return None
    for sub in ast.walk(node):
        if isinstance(sub, ast.Call) and _callee_name(sub) in ("Field", "Param", "Parameter", "Arg"):
            desc = _keyword(sub, "description")
            value, origin = source.string_value_traced(desc)
            if value is not None and desc is not None:
                return value, desc, origin
        if isinstance(sub, ast.Subscript) and _callee_name(sub.value) == "Annotated":
            items = sub.slice.elts if isinstance(sub.slice, ast.Tuple) else []
            for item in items[1:]:
                value, origin = source.string_value_traced(item)
                if value is not None:
                    return value, item, origin
    return None


def _is_context_annotation(node: Optional[ast.AST]) -> bool:
    """The framework-injected request context (``ctx: Context``) is not an input the model fills."""
    return node is not None and _callee_name(node.value if isinstance(node, ast.Subscript) else node) \
        in ("Context", "RequestContext")


def _python_params(fn: Union[ast.FunctionDef, ast.AsyncFunctionDef], source: _PySource) -> list[ToolParam]:
    args = fn.args
    positional = args.posonlyargs + args.args
    defaults: list[Optional[ast.AST]] = [None] * (len(positional) - len(args.defaults)) + list(args.defaults)
    pairs = list(zip(positional, defaults)) + list(zip(args.kwonlyargs, args.kw_defaults))
    params = []
    for arg, default in pairs:
        if arg.arg in _PY_SELF_PARAMS or _is_context_annotation(arg.annotation):
            continue
        found = _field_description(arg.annotation, source) or _field_description(default, source)
        if found:
            params.append(ToolParam(arg.arg, found[0], source.span(found[1]), found[2]))
        else:
            params.append(ToolParam(arg.arg, "", source.span(arg)))
        params.extend(_model_fields(arg, source))
    return params


def _model_fields(arg: ast.arg, source: _PySource) -> list[ToolParam]:
    """The described fields of a class of this module used as the argument's type (a pydantic model
    the framework turns into a nested schema), as ``arg.field``."""
    annotation = arg.annotation
    if isinstance(annotation, ast.Subscript) and _callee_name(annotation.value) == "Annotated" \
            and isinstance(annotation.slice, ast.Tuple) and annotation.slice.elts:
        annotation = annotation.slice.elts[0]
    cls = source.classes.get(annotation.id) if isinstance(annotation, ast.Name) else None
    if cls is None:
        return []
    fields = []
    for stmt in cls.body:
        if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
            found = _field_description(stmt.annotation, source) or _field_description(stmt.value, source)
            if found:
                fields.append(ToolParam(f"{arg.arg}.{stmt.target.id}", found[0], source.span(found[1]), found[2]))
    return fields


def _python_function_tool(fn: Union[ast.FunctionDef, ast.AsyncFunctionDef], source: _PySource,
                          wanted: Optional[set[str]] = None) -> Optional[ToolDecl]:
    kind = None
    decorator: Optional[ast.AST] = None
    for dec in fn.decorator_list:
        kind = _decorator_kind(dec, source)
        if kind is not None:
            decorator = dec
            break
    if decorator is None or kind is None:
        return None
    return _registered_function(fn, decorator if isinstance(decorator, ast.Call) else None, kind, source, wanted)


def _registered_function(fn: Union[ast.FunctionDef, ast.AsyncFunctionDef], call: Optional[ast.Call], kind: str,
                         source: _PySource, wanted: Optional[set[str]] = None,
                         takes_function: bool = False) -> Optional[ToolDecl]:
    """The tool (prompt, resource) ``fn`` becomes through ``call``: a decorator call, or a registration
    call (``takes_function``: ``add_tool(fn, ...)``, whose first argument is the function)."""
    name = fn.name
    desc_node: Optional[ast.AST] = None
    if call is not None:
        positional = call.args[1:] if takes_function else call.args
        name_node = _keyword(call, "name") or (positional[0] if positional and kind != "resource" else None)
        name = source.string_value(name_node) or name
        desc_node = _keyword(call, "description")
    if wanted is not None and name not in wanted:
        return None
    description, origin = source.string_value_traced(desc_node)
    if description is None:
        desc_node = None
        body0 = fn.body[0] if fn.body else None
        if isinstance(body0, ast.Expr) and isinstance(body0.value, ast.Constant) and isinstance(body0.value.value, str):
            desc_node = body0.value
            description = cleaned_docstring(body0.value.value)
    params = _python_params(fn, source)
    sig_end = fn.body[0].lineno - 1 if fn.body and fn.body[0].lineno > fn.lineno else fn.lineno
    sig_span = Span(fn.lineno, source.column(fn.lineno, fn.col_offset), sig_end,
                    len(source.lines[sig_end - 1]) + 1 if sig_end <= len(source.lines) else 1)
    args_text = ast.unparse(fn.args)
    schema = args_text + "|" + ";".join(f"{p.name}={p.description}" for p in params)
    return ToolDecl(name=name, description=description,
                    description_span=source.span(desc_node) if desc_node is not None else None,
                    declaration_span=source.span(fn), schema=schema, schema_span=sig_span, params=params, kind=kind,
                    description_origin=origin if desc_node is not None else None)


def _registration_call(call: ast.Call, source: _PySource, wanted: Optional[set[str]] = None) -> Optional[ToolDecl]:
    """``mcp.add_tool(fn, description=...)`` / ``add_prompt`` / and ``mcp.tool(...)(fn)`` of a function of
    this module."""
    func = call.func
    if isinstance(func, ast.Attribute) and func.attr in ("add_tool", "add_prompt") and call.args:
        first = call.args[0]
        fn = source.functions.get(first.id) if isinstance(first, ast.Name) else None
        kind = "tool" if func.attr == "add_tool" else "prompt"
        return _registered_function(fn, call, kind, source, wanted, takes_function=True) if fn else None
    if isinstance(func, ast.Call) and len(call.args) == 1 and isinstance(call.args[0], ast.Name):
        kind = _decorator_kind(func, source)
        fn = source.functions.get(call.args[0].id)
        return _registered_function(fn, func, kind, source, wanted) if fn and kind else None
    return None


_SERVER_CLASSES = {"FastMCP", "Server", "MCPServer", "LowLevelServer"}


def _server_instructions(call: ast.Call, source: _PySource, wanted: Optional[set[str]] = None) -> Optional[ToolDecl]:
    """``FastMCP("name", instructions=...)`` / ``Server(..., instructions=...)``: the server's instructions,
    which clients hand the model beside every tool description."""
    if _callee_name(call) not in _SERVER_CLASSES:
        return None
    node = _keyword(call, "instructions")
    text = source.string_value(node) if node is not None else None
    if not text:
        return None
    name = source.string_value(call.args[0]) if call.args else source.string_value(_keyword(call, "name"))
    name = name or "server"
    if wanted is not None and name not in wanted:
        return None
    return ToolDecl(name=name, description=text, description_span=source.span(node),
                    declaration_span=source.span(call), kind="server")


def sampling_prompts(tree: ast.Module, source: _PySource, wanted: Optional[set[str]] = None) -> list[ToolDecl]:
    """The text a server asks the client's model to answer (``session.create_message(messages=[...
    TextContent(text=PROMPT)], system_prompt=...)``), one entry of kind 'sampling' per call, named after
    the function that makes it; a local name is followed to its one assignment."""
    found = []
    for fn in ast.walk(tree):
        if not isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)) or (wanted is not None and fn.name not in wanted):
            continue
        local: dict[str, list[ast.AST]] = {}
        for node in ast.walk(fn):
            if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
                local.setdefault(node.targets[0].id, []).append(node.value)
        for call in ast.walk(fn):
            if not (isinstance(call, ast.Call) and _callee_name(call) == "create_message"):
                continue
            texts: list[tuple[str, ast.AST]] = []
            for kw in (k for n in ast.walk(call) for k in getattr(n, "keywords", []) if k.arg in ("text", "system_prompt")):
                value = kw.value
                if isinstance(value, ast.Name) and len(local.get(value.id, [])) == 1:
                    value = local[value.id][0]
                text = source.string_value(value)
                if text:
                    texts.append((text, value))
            if texts:
                texts.sort(key=lambda tv: (tv[1].lineno, tv[1].col_offset))  # type: ignore[attr-defined]
                found.append(ToolDecl(name=fn.name, description="\n".join(t for t, _ in texts),
                                      description_span=source.span(texts[0][1]), declaration_span=source.span(call),
                                      kind="sampling"))
    return found


def _python_tool_object(call: ast.Call, source: _PySource, wanted: Optional[set[str]] = None) -> Optional[ToolDecl]:
    kind = _PY_TOOL_CLASSES.get(_callee_name(call))
    if kind is None:
        return None
    desc_node = _keyword(call, "description")
    name = source.string_value(_keyword(call, "name"))
    if wanted is not None and name not in wanted:
        return None
    description, origin = source.string_value_traced(desc_node)
    if name is None or description is None or desc_node is None:
        return None
    schema_node = _keyword(call, "inputSchema") or _keyword(call, "input_schema") or _keyword(call, "parameters")
    params: list[ToolParam] = []
    if isinstance(schema_node, ast.Dict):
        params = _python_schema_params(schema_node, source)
    schema = ast.unparse(schema_node) if schema_node is not None else ""
    return ToolDecl(name=name, description=description, description_span=source.span(desc_node),
                    declaration_span=source.span(call), schema=schema,
                    schema_span=source.span(schema_node) if schema_node is not None else None, params=params,
                    kind=kind, description_origin=origin)


_SCHEMA_KEYS = ("inputSchema", "input_schema", "parameters")


def _dict_entries(node: ast.Dict, source: _PySource) -> dict[str, ast.AST]:
    return {key: value for key, value in ((source.string_value(k), v) for k, v in zip(node.keys, node.values))
            if key is not None}


def tool_list_dicts(tree: ast.Module, source: _PySource) -> set[int]:
    """The dicts that are items of a tool list: the value of a ``"tools"`` key, or a list assigned to a
    name ending in ``tools`` (``TOOLS = [...]``, ``self.tools = [...]``)."""
    lists: list[ast.AST] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Dict):
            lists.extend(v for k, v in zip(node.keys, node.values) if source.string_value(k) == "tools")
        elif isinstance(node, (ast.Assign, ast.AnnAssign)) and node.value is not None:
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if any(_target_name(t).lower().endswith("tools") for t in targets):
                lists.append(node.value)
    return {id(item) for seq in lists if isinstance(seq, (ast.List, ast.Tuple)) for item in seq.elts
            if isinstance(item, ast.Dict)}


def _target_name(target: ast.AST) -> str:
    if isinstance(target, ast.Name):
        return target.id
    if isinstance(target, ast.Attribute):
        return target.attr
    return ""


def _python_tool_dict(node: ast.Dict, source: _PySource, in_tool_list: bool,
                      wanted: Optional[set[str]] = None) -> Optional[ToolDecl]:
    """A tool written as a dict literal: ``{"name": ..., "description": ..., "inputSchema": {...}}``, or
    ``name`` and ``description`` alone when the dict is an item of a tool list."""
    entries = _dict_entries(node, source)
    schema_node = next((entries[k] for k in _SCHEMA_KEYS if k in entries), None)
    if "name" not in entries or "description" not in entries or (schema_node is None and not in_tool_list):
        return None
    name, desc_node = source.string_value(entries["name"]), entries["description"]
    description, origin = source.string_value_traced(desc_node)
    if name is None or description is None or (wanted is not None and name not in wanted):
        return None
    params = _python_schema_params(schema_node, source) if isinstance(schema_node, ast.Dict) else []
    return ToolDecl(name=name, description=description, description_span=source.span(desc_node),
                    declaration_span=source.span(node), schema=ast.unparse(schema_node) if schema_node else "",
                    schema_span=source.span(schema_node) if schema_node is not None else None, params=params,
                    kind="tool", description_origin=origin)


def _python_schema_params(schema: ast.Dict, source: _PySource) -> list[ToolParam]:
    for key, value in zip(schema.keys, schema.values):
        if source.string_value(key) == "properties" and isinstance(value, ast.Dict):
            params = []
            for pkey, pvalue in zip(value.keys, value.values):
                pname = source.string_value(pkey)
                if pname is None:
                    continue
                desc, span, origin = "", source.span(pkey), None  # type: ignore[arg-type]
                if isinstance(pvalue, ast.Dict):
                    for dkey, dvalue in zip(pvalue.keys, pvalue.values):
                        if source.string_value(dkey) == "description":
                            value, origin = source.string_value_traced(dvalue)
                            desc = value or ""
                            span = source.span(dvalue)
                params.append(ToolParam(pname, desc, span, origin))
            return params
    return []


# Every tool the walk in ``python_tools`` finds, but for dict literals, names one of these identifiers
# within the top-level statement that holds it: the decorator or registration (``tool``, ``prompt``,
# ``resource``, ``add_tool``, ``add_prompt``), the ``description=`` of a ``Tool(...)`` object or a server's
# ``instructions=``. Top-level statements naming none are not walked.
_FORM_NAMES = ("tool", "prompt", "resource", "add_tool", "add_prompt", "description", "instructions")
_FORM_NAME = re.compile(r"(?<![0-9A-Za-z_])(?:%s)(?![0-9A-Za-z_])" % "|".join(_FORM_NAMES))
# a run of identifier characters holding one outside ASCII (with any other such characters around it);
# the last class is [0-9A-Za-z_\x80-\U0010ffff] written as a complement, which compiles 15x faster
_NON_ASCII_WORD = re.compile(r"[0-9A-Za-z_]*[^\x00-\x7f][^\x00-\x2f\x3a-\x40\x5b-\x5e\x60\x7b-\x7f]*")


def form_name_lines(text: str) -> list[int]:
    """The lines (numbered as ``ast`` numbers them) of the identifiers of ``text`` that may be one of
    ``_FORM_NAMES``, ascending: the names as whole words, and the words written with characters outside
    ASCII whose normal form (NFKC, as Python reads identifiers) holds one of them."""
    if "\r" in text:  # the parser ends lines at \r\n, \r and \n
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    offsets = [m.start() for m in _FORM_NAME.finditer(text)]
    if not text.isascii():
        offsets.extend(m.start() for m in _NON_ASCII_WORD.finditer(text)
                       if any(name in unicodedata.normalize("NFKC", m.group()) for name in _FORM_NAMES))
        offsets.sort()
    lines, line, counted = [], 1, 0
    for offset in offsets:
        line += text.count("\n", counted, offset)
        counted = offset
        lines.append(line)
    return lines


def _statements_at(tree: ast.Module, lines: list[int]) -> list[ast.stmt]:
    """The top-level statements of ``tree`` that span one of ``lines`` (decorators included)."""
    return [stmt for stmt in tree.body
            if holds_line(lines, python_tree.first_line(stmt), stmt.end_lineno or stmt.lineno)]


def _may_hold_dicts(text: str) -> bool:
    return "description" in text and ("tools" in text.lower() or any(k in text for k in _SCHEMA_KEYS))


def may_declare_at(text: str) -> tuple[bool, Optional[list[int]]]:
    """Whether ``python_tools(text)`` may find a tool (False: empty whatever the tree, so the file need
    not be parsed: nothing names a tool form, and no description can be reassigned nor a sampling
    prompt sent), and ``form_name_lines(text)`` when the test had to find them (else None)."""
    if "__doc__" in text or "description" in text or "create_message" in text:
        return True, None
    lines = form_name_lines(text)
    return bool(lines), lines


def python_tools(text: str, tree: Optional[ast.Module] = None, wanted: Optional[set[str]] = None,
                 imports: Optional[Imports] = None, form_lines: Optional[list[int]] = None) -> list[ToolDecl]:
    """Decorated tool functions and ``Tool(...)`` objects; ``tree`` is the parsed ``text`` if at hand;
    with ``wanted``, only the tools of those names; with ``imports``, constants imported from other
    modules of the repository are read there; ``form_lines`` is ``form_name_lines(text)`` when known."""
    if tree is None:
        tree = python_tree.parse(text)
        if tree is None:
            return []
    source = _PySource(text, tree, imports, imports.path if imports is not None else "")
    tools = []
    # a Tool(...) call can be anywhere in an expression; decorated functions are statements, and
    # only statements need visiting when the file cannot name Tool (a non-ASCII identifier can
    # normalise to it)
    # tools may also be dict literals: items of a tool list, or dicts with an input schema
    may_hold_dicts = _may_hold_dicts(text)
    may_call_tool = (any(word in text for word in ("Tool", "Prompt", "Resource", "instructions="))
                     or not text.isascii() or may_hold_dicts)
    listed = tool_list_dicts(tree, source) if may_hold_dicts else set()
    # a dict literal can take its keys from constants, so with dicts about every statement is walked
    roots = [tree] if may_hold_dicts else \
        _statements_at(tree, form_lines if form_lines is not None else form_name_lines(text))
    for node in (node for root in roots for node in (ast.walk(root) if may_call_tool
                                                       else python_tree.walk_statements(root))):
        decl = None
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.decorator_list:
            decl = _python_function_tool(node, source, wanted)
        elif isinstance(node, ast.Dict) and may_hold_dicts:
            decl = _python_tool_dict(node, source, id(node) in listed, wanted)
        elif isinstance(node, ast.Call):
            decl = _python_tool_object(node, source, wanted) or _registration_call(node, source, wanted) or (
                _server_instructions(node, source, wanted) if "instructions" in text else None)
        elif isinstance(node, ast.Expr) and not may_call_tool and isinstance(node.value, ast.Call):
            decl = _registration_call(node.value, source, wanted)
        if decl is not None:
            tools.append(decl)
    if "__doc__" in text or "description" in text:
        tools.extend(reassigned_descriptions(source, tools, wanted))
    if "create_message" in text:
        tools.extend(sampling_prompts(tree, source, wanted))
    return tools
