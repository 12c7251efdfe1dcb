"""Intra-file, inter-procedural taint analysis of JS/TS on a tree-sitter tree.

A value's taint is a frozenset of labels: ``input`` (an MCP tool argument or an HTTP request field),
``secret`` (the whole ``process.env`` or a credential file's content), ``p0``, ``p1``... (the
parameters of the function being summarised) and flags starting with ``#`` that describe the value
(``#sql``: contains SQL text; ``#fixedhost``/``#localhost``: a URL whose host is fixed by a literal;
``#resolved``: an absolute path from path.resolve or realpath; ``#weakprefix``: checked with a
bare ``startsWith`` prefix).

Every function of the file gets a summary on first use: which parameters reach its return value and
which reach a sink inside it (directly or through the functions it calls). A call of a local
function substitutes the caller's argument taint into the summary, so helpers, builders and wrappers
carry taint; a sink reached with a source label is reported where it lies. Summaries are memoised
and recursion is cut (a function already being summarised contributes nothing), so the work is
linear in the file's size times a small depth bound.
"""
from __future__ import annotations

import re
from typing import Any, Iterable, Optional

from sentinel_hooks.engine.js import vocabulary as V
from sentinel_hooks.records import record

Labels = frozenset
EMPTY: frozenset[str] = frozenset()
INPUT = "input"
SECRET = "secret"
SOURCES = frozenset({INPUT, SECRET})
MAX_DEPTH = 8

_VALIDATOR = re.compile(r"within|inside|allowed|contain|(?:is|ensure|assert|check|make)_?safe|safe_?path|valid|"
                        r"sanitiz|permitted|authori|whitelist|allowlist", re.IGNORECASE)
_CP_RECEIVER = re.compile(r"^(?:child_process|childProcess|cp|proc|shell|shelljs|\$)$")
_SEP_TEXT = re.compile(r"\bsep\b|[/\\\\]['\"`]\s*\)?$|\+\s*['\"][/\\\\]['\"]")
_FUNCTIONS = ("function_declaration", "generator_function_declaration", "function_expression",
              "arrow_function", "method_definition", "function", "generator_function")
_WRAPPERS = ("await_expression", "parenthesized_expression", "as_expression", "non_null_expression",
             "satisfies_expression", "type_assertion", "spread_element")
_SANITISED_BY = {"shell": frozenset({"#quoted"}), "path": frozenset({"#basename"}),
                 "ssrf": frozenset({"#fixedhost", "#localhost"})}
_WHAT = {"shell": "a shell command", "argument": "a program's argument list before any \"--\"",
         "code": "dynamic code evaluation", "sql": "SQL text", "path": "a file system path",
         "ssrf": "the URL of an outbound request", "exfiltration": "an outbound request to a fixed external host"}


@record
class Flow:
    kind: str
    start: tuple[int, int]  # (row, byte column), 0-based
    end: tuple[int, int]
    message: str


def _text(node: Any) -> str:
    return node.text.decode("utf-8", "replace")


def _taints(labels: Iterable[str]) -> bool:
    return any(not label.startswith("#") for label in labels)


def _clean(labels: frozenset[str]) -> frozenset[str]:
    return frozenset(label for label in labels if label.startswith("#"))


class _Summary:
    __slots__ = ("returns", "sinks")

    def __init__(self) -> None:
        self.returns: set[str] = set()
        self.sinks: list[tuple[str, Any, frozenset[str], str]] = []


class _Frame:
    __slots__ = ("env", "parent", "summary", "rel_of", "origin", "checks")

    def __init__(self, parent: Optional[_Frame], summary: _Summary) -> None:
        self.env: dict[str, frozenset[str]] = {}
        self.parent = parent
        self.summary = summary
        self.rel_of: dict[str, str] = {}
        self.origin: dict[str, str] = {}  # variable -> the variable its value was derived from by one call
        self.checks: dict[str, Any] = {}  # boolean variable -> the expression that computed it

    def lookup(self, name: str) -> Optional[frozenset[str]]:
        frame: Optional[_Frame] = self
        while frame is not None:
            found = frame.env.get(name)
            if found is not None:
                return found
            frame = frame.parent
        return None


class Analysis:
    """The flows of one file; ``run`` returns them."""

    def __init__(self, root: Any, functions: Iterable[tuple[str, Any]]) -> None:
        self.root = root
        self.functions: dict[str, Any] = {}  # a call by name resolves to the first function of that name
        self.all_functions: list[Any] = []
        tops = [c for n in root.named_children
                for c in ([n.child_by_field_name("declaration")] if n.type == "export_statement" else [n])
                if c is not None]
        self.classes = {_text(n.child_by_field_name("name")) for n in tops
                        if n.type == "class_declaration" and n.child_by_field_name("name") is not None}
        for name, node in functions:
            self.functions.setdefault(name, node)
            self.all_functions.append(node)
        self.summaries: dict[int, _Summary] = {}
        self.in_progress: list[int] = []
        self.flows: dict[tuple[str, int, int], Flow] = {}
        self.module = _Frame(None, _Summary())

    # ------------------------------------------------------------------ driver
    def run(self) -> list[Flow]:
        self.walk(self.root, self.module)
        for node in self.all_functions:  # functions no handler reached: sources inside them still count
            self.summary(node)
        return list(self.flows.values())

    # ------------------------------------------------------------------ summaries
    def summary(self, fn: Any) -> _Summary:
        found = self.summaries.get(fn.id)
        if found is not None:
            return found
        if fn.id in self.in_progress or len(self.in_progress) >= MAX_DEPTH:
            return _Summary()
        self.in_progress.append(fn.id)
        try:
            summary = _Summary()
            frame = _Frame(self.module, summary)
            if self._is_request_handler(fn) or self._is_tool_method(fn):
                self._bind_params(fn, frame, [frozenset({INPUT})], set())
            else:
                self._bind_params(fn, frame, None, set())
            self._body(fn, frame)
        finally:
            self.in_progress.pop()
        self.summaries[fn.id] = summary
        return summary

    def _instantiate(self, summary: _Summary, args: list[frozenset[str]], frame: _Frame, via: str) -> frozenset[str]:
        def sub(labels: Iterable[str]) -> frozenset[str]:
            out = set()
            for label in labels:
                if label[0] == "p" and label[1:].isdigit():
                    i = int(label[1:])
                    if i < len(args):
                        out |= args[i]
                else:
                    out.add(label)
            return frozenset(out)

        for kind, node, labels, detail in summary.sinks:
            self.sink(kind, node, sub(labels), frame, detail or f" through {via}()")
        return sub(summary.returns)

    def _bind_params(self, fn: Any, frame: _Frame, labels: Optional[list[frozenset[str]]], safe: set[str]) -> None:
        params = fn.child_by_field_name("parameters")
        if params is None:  # arrow function with one bare parameter
            single = fn.child_by_field_name("parameter")
            plist = [single] if single is not None else []
        else:
            plist = [p for p in params.named_children if p.type != "comment"]
        index = 0
        for param in plist:
            pattern = param.child_by_field_name("pattern") if param.type.endswith("_parameter") else param
            if pattern is None or pattern.type == "this":
                continue
            if labels is None:
                given = frozenset({f"p{index}"})
            else:
                given = labels[index] if index < len(labels) else EMPTY
            self.bind(pattern, given, frame, safe)
            if safe and pattern.type == "identifier":
                for name in safe:
                    frame.env[f"{_text(pattern)}.{name}"] = EMPTY
            index += 1

    def _body(self, fn: Any, frame: _Frame) -> None:
        body = fn.child_by_field_name("body")
        if body is None:
            return
        if body.type == "statement_block":
            self.walk(body, frame)
        else:
            frame.summary.returns |= self.expr(body, frame)

    def inline(self, fn: Any, frame: _Frame, labels: list[frozenset[str]], safe: set[str] = frozenset()) -> frozenset[str]:
        """Analyse a function written in place (a callback or handler) as part of its enclosing one."""
        returns = _Summary()
        returns.sinks = frame.summary.sinks  # symbolic sinks belong to the enclosing function
        inner = _Frame(frame, returns)
        self._bind_params(fn, inner, labels, set(safe))
        self._body(fn, inner)
        return frozenset(returns.returns)

    # ------------------------------------------------------------------ statements
    def bind(self, pattern: Any, labels: frozenset[str], frame: _Frame, safe: set[str] = frozenset()) -> None:
        stack = [pattern]
        while stack:
            n = stack.pop()
            if n.type in ("identifier", "shorthand_property_identifier_pattern"):
                name = _text(n)
                frame.env[name] = EMPTY if name in safe else labels
            elif n.type in ("assignment_pattern", "object_assignment_pattern"):
                left = n.child_by_field_name("left")
                if left is not None:
                    stack.append(left)
            elif n.type == "pair_pattern":
                value = n.child_by_field_name("value")
                key = n.child_by_field_name("key")
                if value is not None:
                    if key is not None and _text(key) in safe and value.type == "identifier":
                        frame.env[_text(value)] = EMPTY
                    else:
                        stack.append(value)
            else:
                stack.extend(n.named_children)

    def walk(self, node: Any, frame: _Frame) -> None:
        kind = node.type
        if kind in ("lexical_declaration", "variable_declaration"):
            for decl in node.named_children:
                if decl.type != "variable_declarator":
                    continue
                name, value = decl.child_by_field_name("name"), decl.child_by_field_name("value")
                if value is None or name is None:
                    continue
                if value.type in _FUNCTIONS:
                    continue  # a local function: summarised when called
                labels = self.expr(value, frame)
                self.bind(name, labels, frame)
                self._note_relative(name, value, frame)
        elif kind == "return_statement":
            for child in node.named_children:
                frame.summary.returns |= self.expr(child, frame)
        elif kind == "if_statement":
            cond = node.child_by_field_name("condition")
            if cond is not None:
                self.expr(cond, frame)
                self.guard(cond, frame)
            for field in ("consequence", "alternative"):
                child = node.child_by_field_name(field)
                if child is not None:
                    self.walk(child, frame)
        elif kind == "switch_statement":
            self._switch(node, frame)
        elif kind in ("for_in_statement",):
            right = node.child_by_field_name("right")
            left = node.child_by_field_name("left")
            labels = self.expr(right, frame) if right is not None else EMPTY
            if left is not None:
                self.bind(left, labels, frame)
            body = node.child_by_field_name("body")
            if body is not None:
                self.walk(body, frame)
        elif kind in ("function_declaration", "generator_function_declaration", "class_declaration",
                      "class", "abstract_class_declaration", "interface_declaration", "type_alias_declaration",
                      "import_statement", "enum_declaration", "comment"):
            return
        elif kind == "catch_clause":
            body = node.child_by_field_name("body")
            if body is not None:
                self.walk(body, frame)
        elif kind.endswith(("statement", "_block", "clause", "_body", "_case", "_default")) or kind in (
                "program", "switch_default", "else_clause"):
            for child in node.named_children:
                self.walk(child, frame)
        else:
            self.expr(node, frame)

    def _switch(self, node: Any, frame: _Frame) -> None:
        value = node.child_by_field_name("value")
        body = node.child_by_field_name("body")
        if value is None or body is None:
            return
        self.expr(value, frame)
        subject = value.named_children[0] if value.type == "parenthesized_expression" and value.named_children else value
        cases = [c for c in body.named_children if c.type == "switch_case"]
        literal = cases and all((c.child_by_field_name("value") is not None
                                 and c.child_by_field_name("value").type in ("string", "number", "template_string"))
                                for c in cases)
        key = _text(subject)
        before = frame.env.get(key)
        if literal and subject.type in ("identifier", "member_expression"):
            frame.env[key] = _clean(self.expr(subject, frame))
        self.walk(body, frame)
        if literal and subject.type in ("identifier", "member_expression"):
            if before is None:
                frame.env.pop(key, None)
            else:
                frame.env[key] = before

    def _note_relative(self, name: Any, value: Any, frame: _Frame) -> None:
        """Remember what a variable was derived from: path.relative's target, the one variable a call
        normalised (``normalizePath(p)``, ``path.resolve(p)``, ``p.toLowerCase()``), or a check."""
        while value.type in _WRAPPERS and value.named_children:
            value = value.named_children[0]
        if name.type != "identifier":
            return
        key = _text(name)
        frame.checks[key] = value
        if value.type != "call_expression":
            return
        fn = value.child_by_field_name("function")
        args = value.child_by_field_name("arguments")
        argv = args.named_children if args is not None else []
        if fn is not None and _text(fn).endswith("relative") and len(argv) >= 2:
            frame.rel_of[key] = _text(argv[1])
        derived = [a for a in argv if a.type in ("identifier", "member_expression")]
        if fn is not None and fn.type == "member_expression" and not derived:
            obj = fn.child_by_field_name("object")
            if obj is not None and obj.type in ("identifier", "member_expression"):
                derived = [obj]
        if len(derived) == 1 and _text(derived[0]) != key:
            frame.origin[key] = _text(derived[0])

    # ------------------------------------------------------------------ guards (sanitisers)
    def _sanitise(self, key: str, frame: _Frame) -> None:
        """Clean ``key`` and what it was derived from (a check on normalizePath(p) also holds for p)."""
        for _ in range(MAX_DEPTH):
            current = frame.lookup(key)
            frame.env[key] = _clean(current) if current is not None else EMPTY
            key = frame.origin.get(key, "")
            if not key:
                break

    def guard(self, cond: Any, frame: _Frame) -> None:
        stack = [cond]
        seen: set[int] = set()
        while stack:
            n = stack.pop()
            stack.extend(n.named_children)
            if n.type == "identifier" and _text(n) in frame.checks and n.id not in seen:
                seen.add(n.id)  # `if (!isAllowed)` judges the expression that computed isAllowed
                stack.append(frame.checks.pop(_text(n)))
            if n.type != "call_expression":
                continue
            fn = n.child_by_field_name("function")
            args = n.child_by_field_name("arguments")
            if fn is None or args is None:
                continue
            argv = args.named_children
            if fn.type == "member_expression":
                recv = fn.child_by_field_name("object")
                method = _text(fn.child_by_field_name("property"))
            else:
                recv, method = None, _text(fn)
            if method in ("includes", "has", "indexOf") and recv is not None and argv:
                if not _taints(self.expr(recv, frame)):  # an allow-list holds the value
                    self._sanitise(_text(argv[0]), frame)
            elif method == "test" and recv is not None and recv.type == "regex" and argv:
                pattern = recv.child_by_field_name("pattern")
                body = _text(pattern) if pattern is not None else ""
                if body.startswith("^") and body.endswith("$") and ".*" not in body and ".+" not in body:
                    self._sanitise(_text(argv[0]), frame)
            elif method == "startsWith" and recv is not None and argv:
                subject = _text(recv)
                arg = argv[0]
                arg_text = _text(arg)
                literal = arg_text.strip("'\"`") if arg.type == "string" else None
                if literal in ("-", "--"):
                    self._sanitise(subject, frame)
                elif literal is not None and literal.startswith(".."):
                    self._sanitise(subject, frame)
                    if subject in frame.rel_of:
                        self._sanitise(frame.rel_of[subject], frame)
                else:
                    labels = frame.lookup(subject) or EMPTY
                    if "#resolved" in labels and _SEP_TEXT.search(arg_text):
                        self._sanitise(subject, frame)
                    elif _taints(labels):
                        frame.env[subject] = labels | {"#weakprefix"}
            elif method == "isAbsolute" and argv and _text(argv[0]) in frame.rel_of:
                self._sanitise(frame.rel_of[_text(argv[0])], frame)
            elif recv is None and _VALIDATOR.search(method):
                for arg in argv:
                    if arg.type in ("identifier", "member_expression"):
                        self._sanitise(_text(arg), frame)

    # ------------------------------------------------------------------ expressions
    def expr(self, node: Any, frame: _Frame) -> frozenset[str]:
        kind = node.type
        if kind == "identifier":
            return frame.lookup(_text(node)) or EMPTY
        if kind in ("string", "template_string"):
            return self._string(node, frame)
        if kind == "member_expression":
            return self._member(node, frame)
        if kind == "subscript_expression":
            obj = node.child_by_field_name("object")
            index = node.child_by_field_name("index")
            if index is not None:
                self.expr(index, frame)
            if obj is not None and _text(obj) == "process.env":
                return EMPTY
            return self.expr(obj, frame) if obj is not None else EMPTY
        if kind == "call_expression":
            return self.call(node, frame)
        if kind == "new_expression":
            return self._new(node, frame)
        if kind in _WRAPPERS:
            out = EMPTY
            for child in node.named_children:
                out = out | self.expr(child, frame)
            return out
        if kind == "binary_expression":
            left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
            op = node.child_by_field_name("operator")
            op_text = _text(op) if op is not None else ""
            lt = self.expr(left, frame) if left is not None else EMPTY
            rt = self.expr(right, frame) if right is not None else EMPTY
            if op_text == "+":
                return self._concat([lt, rt])
            if op_text in ("||", "??", "&&"):
                return lt | rt
            return EMPTY
        if kind == "ternary_expression":
            self.expr(node.child_by_field_name("condition"), frame)
            return (self.expr(node.child_by_field_name("consequence"), frame)
                    | self.expr(node.child_by_field_name("alternative"), frame))
        if kind in ("assignment_expression", "augmented_assignment_expression"):
            left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
            labels = self.expr(right, frame) if right is not None else EMPTY
            if left is not None:
                key = _text(left)
                if kind == "augmented_assignment_expression":
                    labels = labels | (frame.lookup(key) or EMPTY)
                if left.type in ("identifier", "member_expression", "subscript_expression"):
                    frame.env[key] = labels
                    if left.type != "identifier":  # a field of an object taints the object
                        base = left.child_by_field_name("object")
                        if base is not None and _taints(labels):
                            bkey = _text(base)
                            frame.env[bkey] = (frame.lookup(bkey) or EMPTY) | labels
                else:
                    self.bind(left, labels, frame)
            return labels
        if kind in ("unary_expression", "update_expression", "number", "true", "false", "null", "undefined",
                    "regex", "this", "type_identifier"):
            if kind == "unary_expression":
                for child in node.named_children:
                    self.expr(child, frame)
            return EMPTY
        if kind in ("arrow_function", "function_expression", "function"):
            self.inline(node, frame, [])
            return EMPTY
        if kind == "shorthand_property_identifier":
            return frame.lookup(_text(node)) or EMPTY
        if kind in ("class", "class_declaration"):
            return EMPTY
        out = EMPTY
        for child in node.named_children:
            if child.type in ("property_identifier", "comment"):
                continue
            out = out | self.expr(child, frame)
        return out

    def _string(self, node: Any, frame: _Frame) -> frozenset[str]:
        if node.type == "string":
            return self._literal_flags(_text(node)[1:-1], first=True)
        parts: list[frozenset[str]] = []
        literal = []
        for child in node.named_children:
            if child.type == "template_substitution":
                inner = EMPTY
                for sub in child.named_children:
                    inner = inner | self.expr(sub, frame)
                parts.append(inner)
            elif child.type in ("string_fragment", "escape_sequence"):
                text = _text(child)
                literal.append(text)
                parts.append(self._literal_flags(text, first=not parts))
        out = self._concat(parts) if parts else EMPTY
        if V.SQL_TEXT.search("".join(literal)):
            out = out | {"#sql"}
        return out

    @staticmethod
    def _literal_flags(text: str, first: bool) -> frozenset[str]:
        flags = set()
        if first:
            m = V.FIXED_URL.match(text)
            if m:
                flags.add("#localhost" if V.LOCAL_HOST.match(m.group(1)) else "#fixedhost")
        if V.SQL_TEXT.search(text):
            flags.add("#sql")
        if V.CREDENTIAL_PATHS.search(text):
            flags.add("#credpath")
        return frozenset(flags)

    @staticmethod
    def _concat(parts: list[frozenset[str]]) -> frozenset[str]:
        """Concatenation: taint and content flags of every part; the host flags of the first only."""
        out: set[str] = set()
        for i, part in enumerate(parts):
            if i == 0:
                out |= part
            else:
                out |= {label for label in part if label not in ("#fixedhost", "#localhost", "#resolved")}
        return frozenset(out)

    def _member(self, node: Any, frame: _Frame) -> frozenset[str]:
        key = _text(node)
        known = frame.lookup(key)
        if known is not None:
            return known
        obj = node.child_by_field_name("object")
        prop = node.child_by_field_name("property")
        prop_name = _text(prop) if prop is not None else ""
        obj_text = _text(obj) if obj is not None else ""
        if obj_text == "process" and prop_name == "env":
            parent = node.parent
            if parent is not None and parent.type in ("member_expression", "subscript_expression") \
                    and parent.child_by_field_name("object") == node:
                return EMPTY  # one variable: configuration, not the whole environment
            return frozenset({SECRET})
        if prop_name in ("length", "size"):
            return EMPTY
        return self.expr(obj, frame) if obj is not None else EMPTY

    def _new(self, node: Any, frame: _Frame) -> frozenset[str]:
        ctor = node.child_by_field_name("constructor")
        args = node.child_by_field_name("arguments")
        argv = args.named_children if args is not None else []
        labels = [self.expr(a, frame) for a in argv]
        name = _text(ctor) if ctor is not None else ""
        if name in ("Function", "AsyncFunction") and labels:
            self.sink("code", node, frozenset().union(*labels), frame)
        elif name in ("vm.Script", "Script") and labels:
            self.sink("code", node, labels[0], frame)
        if name in ("URL", "Request", "URLSearchParams", "String", "Buffer"):
            return self._concat(labels) if labels else EMPTY
        return EMPTY

    # ------------------------------------------------------------------ calls
    def call(self, node: Any, frame: _Frame) -> frozenset[str]:
        fn = node.child_by_field_name("function")
        args_node = node.child_by_field_name("arguments")
        if fn is None or args_node is None:
            return EMPTY
        if args_node.type == "template_string":  # a tagged template (sql`...`) binds its values
            for child in args_node.named_children:
                self.expr(child, frame)
            return EMPTY
        if fn.type == "member_expression":
            recv = fn.child_by_field_name("object")
            prop = fn.child_by_field_name("property")
            name = _text(prop) if prop is not None else ""
            recv_text = _text(recv) if recv is not None else ""
            recv_labels = self.expr(recv, frame) if recv is not None else EMPTY
        else:
            recv, recv_text, recv_labels = None, "", EMPTY
            name = _text(fn)
            if fn.type not in ("identifier",):
                recv_labels = self.expr(fn, frame)
        argv = [a for a in args_node.named_children if a.type != "comment"]

        handler_at = self._handler_index(name, recv, argv)
        safe = self._schema_safe(argv) if handler_at is not None else set()
        labels: list[frozenset[str]] = []
        returns = EMPTY
        for i, arg in enumerate(argv):
            if arg.type in ("arrow_function", "function_expression", "function"):
                if i == handler_at or self._is_request_handler(arg):
                    self.inline(arg, frame, [frozenset({INPUT})], safe)
                    labels.append(EMPTY)
                else:
                    returns = returns | self.inline(arg, frame, [recv_labels])
                    labels.append(EMPTY)
            elif i == handler_at and arg.type == "identifier" and _text(arg) in self.functions:
                self._instantiate(self.summary(self.functions[_text(arg)]), [frozenset({INPUT})], frame, _text(arg))
                labels.append(EMPTY)
            else:
                labels.append(self.expr(arg, frame))
        self._sinks(node, name, recv, recv_text, argv, labels, frame)

        local = self.functions.get(name) if (recv is None or recv_text == "this" or (
            recv.type == "new_expression" and recv_text[3:].lstrip().split("(")[0] in self.classes)) else None
        if local is None and _VALIDATOR.search(name):
            return EMPTY  # a validator defined in another module: its name is all that is known
        if local is not None:
            return self._instantiate(self.summary(local), labels, frame, name)
        if name in V.CLEANING_FUNCTIONS:
            return EMPTY
        all_args = frozenset().union(*labels) if labels else EMPTY
        if name in ("readFile", "readFileSync") and argv and (
                "#credpath" in all_args or V.CREDENTIAL_PATHS.search(_text(argv[0]))):
            return frozenset({SECRET})
        if name in V.RESOLVING:
            return (all_args | recv_labels | {"#resolved"}) - {"#fixedhost", "#localhost"}
        if name in V.PROPAGATING_FUNCTIONS:
            return (all_args | recv_labels | returns) - {"#fixedhost", "#localhost"}
        if recv is not None:
            return recv_labels | returns
        return EMPTY

    @staticmethod
    def _handler_index(name: str, recv: Any, argv: list[Any]) -> Optional[int]:
        if recv is None or not argv:
            return None
        if name in V.TOOL_REGISTRATIONS or (name == "setRequestHandler" and (
                "CallTool" in _text(argv[0]) or _text(argv[0]).strip("'\"`") == "tools/call")):  # schema or method
            last = len(argv) - 1
            if argv[last].type in ("arrow_function", "function_expression", "function", "identifier"):
                return last
        return None

    @staticmethod
    def _is_tool_method(fn: Any) -> bool:
        """``execute(args)`` (or handle/run/call) of a class that extends or implements a *Tool* type."""
        if fn.type != "method_definition":
            return False
        name = fn.child_by_field_name("name")
        if name is None or _text(name) not in V.TOOL_METHODS:
            return False
        cls = fn.parent.parent if fn.parent is not None else None
        if cls is None or cls.type not in ("class_declaration", "class", "abstract_class_declaration"):
            return False
        return any(c.type == "class_heritage" and "Tool" in _text(c) for c in cls.named_children)

    @staticmethod
    def _is_request_handler(fn: Any) -> bool:
        """``(req, res) => ...`` or a first parameter typed as an HTTP request: its first parameter is input."""
        params = fn.child_by_field_name("parameters")
        plist = [p for p in params.named_children if p.type != "comment"] if params is not None else []
        if not plist:
            return False
        first = plist[0].child_by_field_name("pattern") if plist[0].type.endswith("_parameter") else plist[0]
        if first is None or first.type != "identifier" or _text(first) not in V.REQUEST_NAMES:
            return False
        annotation = plist[0].child_by_field_name("type")
        if annotation is not None and V.REQUEST_TYPES.match(_text(annotation).lstrip(": ")):
            return True
        if len(plist) < 2:
            return False
        second = plist[1].child_by_field_name("pattern") if plist[1].type.endswith("_parameter") else plist[1]
        return second is not None and second.type == "identifier" and _text(second) in V.RESPONSE_NAMES

    @staticmethod
    def _schema_safe(argv: list[Any]) -> set[str]:
        """Names of tool parameters whose zod schema admits no free text (enum, literal, number...)."""
        safe: set[str] = set()
        stack = [o for a in argv for o in _schema_objects(a)]
        while stack:
            obj = stack.pop()
            for pair in obj.named_children:
                if pair.type != "pair":
                    continue
                key, value = pair.child_by_field_name("key"), pair.child_by_field_name("value")
                if key is None or value is None:
                    continue
                if _text(key) == "inputSchema":
                    stack.extend(_schema_objects(value))
                elif V.SAFE_SCHEMA.match(_text(value)):
                    safe.add(_text(key).strip("'\""))
        return safe

    # ------------------------------------------------------------------ sinks
    def _sinks(self, node: Any, name: str, recv: Any, recv_text: str, argv: list[Any],
               labels: list[frozenset[str]], frame: _Frame) -> None:
        if not argv:
            return
        cp_call = recv is None or _CP_RECEIVER.match(recv_text) is not None
        if name in V.SHELL_CALLS and cp_call:
            self.sink("shell", node, labels[0], frame)
        elif name in V.PROCESS_CALLS and cp_call:
            self._process(node, argv, labels, frame)
        elif name in V.CODE_CALLS and recv is None:
            self.sink("code", node, labels[0], frame)
        elif name in V.VM_CALLS and recv is not None:
            self.sink("code", node, labels[0], frame)
        elif recv is not None and name in V.SQL_METHODS and "#sql" in labels[0]:
            self.sink("sql", node, labels[0], frame)
        if name in V.PATH_CALLS or (name in V.FS_GENERIC and V.FS_RECEIVERS.match(recv_text)):
            self.sink("path", node, labels[0], frame)
        elif name in V.PATH_OPTION_CALLS and recv is not None:  # page.pdf({ path }), page.screenshot({ path })
            self.sink("path", node, labels[0], frame)
        if (recv is None and name in V.NET_CALLS) or (recv is not None and name in V.NET_METHODS
                                                       and V.NET_MEMBERS.match(recv_text)):
            url = labels[0]
            self.sink("ssrf", node, url, frame)
            if "#fixedhost" in url:
                self.sink("exfiltration", node, frozenset().union(*labels), frame)

    def _process(self, node: Any, argv: list[Any], labels: list[frozenset[str]], frame: _Frame) -> None:
        shell = any(a.type == "object" and re.search(r"\bshell\s*:\s*(?!false\b|undefined\b)", _text(a))
                    for a in argv[1:])
        program = _text(argv[0]).strip("'\"`") if argv[0].type == "string" else None
        array = argv[1] if len(argv) > 1 and argv[1].type == "array" else None
        elements = [e for e in array.named_children if e.type != "comment"] if array is not None else []
        if program is not None and V.SHELL_PROGRAMS.match(program) and any(
                e.type == "string" and _text(e).strip("'\"`").lower() in ("-c", "/c", "-command") for e in elements):
            shell = True
        if shell:
            self.sink("shell", node, frozenset().union(*labels), frame)
            return
        self.sink("shell", node, labels[0], frame)  # the program itself chosen by the input
        for element in elements:
            if element.type == "string" and _text(element).strip("'\"`") == "--":
                break
            if element.type == "spread_element":
                continue  # a list passed on: whether it holds "--" is not known here
            if element.type in ("string", "template_string") and element.named_children and \
                    element.named_children[0].type == "string_fragment":
                continue  # starts with a literal: cannot start with "-" from the input
            self.sink("argument", element, self.expr(element, frame), frame)

    def sink(self, kind: str, node: Any, labels: frozenset[str], frame: _Frame, detail: str = "") -> None:
        if not _taints(labels) or labels & _SANITISED_BY.get(kind, EMPTY):
            return
        wanted = SECRET if kind == "exfiltration" else INPUT
        if wanted in labels:
            key = (kind, node.start_byte, node.end_byte)
            if key not in self.flows:
                source = ("the whole environment or a credential file" if wanted == SECRET
                          else "tool or request input")
                message = f"{source} reaches {_WHAT[kind]}{detail}"
                if kind == "path" and "#weakprefix" in labels:
                    message += " (a startsWith() prefix check on an unresolved path or without a separator does not contain it)"
                self.flows[key] = Flow(kind, node.start_point, node.end_point, message)
        symbolic = frozenset(label for label in labels if label[0] == "p" or label.startswith("#"))
        if _taints(symbolic):
            entry = (kind, node, symbolic, detail)
            if entry not in frame.summary.sinks:  # a helper called many times adds its sinks once
                frame.summary.sinks.append(entry)


def _schema_objects(node: Any) -> list[Any]:
    """The object literal of a schema written as ``{...}`` or ``z.object({...})``."""
    if node.type == "object":
        return [node]
    if node.type == "call_expression" and _text(node.child_by_field_name("function") or node).endswith("object"):
        args = node.child_by_field_name("arguments")
        return [a for a in args.named_children if a.type == "object"] if args is not None else []
    return []


def analyse(root: Any, path: str) -> list[Flow]:
    """The flows of the file at ``path`` whose tree is ``root``."""
    from sentinel_hooks.engine.js.parse import named_functions
    return Analysis(root, named_functions(root, path)).run()
