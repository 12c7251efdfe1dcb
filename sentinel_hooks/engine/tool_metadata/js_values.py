"""JavaScript values over tokens: objects, arrays and string expressions (literals, concatenation,
template literals, constants), evaluated without running anything."""
from __future__ import annotations

from sentinel_hooks.records import field, record
from typing import Any, Optional

from sentinel_hooks.engine.patterns import lazy
from sentinel_hooks.engine.tool_metadata.js_tokens import Token

_SUBSTITUTION = lazy(r"\$\{\s*([A-Za-z_$][\w$]*)\s*\}")


# -- values over tokens ----------------------------------------------------------------------------

@record
class JsValue:
    """A value found in source: an object literal, an array, a string expression, or anything else."""

    kind: str  # object, array, string, other
    start: int  # token index of the first token
    end: int  # token index after the last token
    entries: list[tuple[str, Token, "JsValue"]] = field(default_factory=list)
    items: list["JsValue"] = field(default_factory=list)
    value: str = ""

    def get(self, key: str) -> Optional["JsValue"]:
        for k, _, v in self.entries:
            if k == key:
                return v
        return None

    def key_token(self, key: str) -> Optional[Token]:
        for k, t, _ in self.entries:
            if k == key:
                return t
        return None


_CLOSERS = {")", "]", "}"}
_OPENERS = {"(": ")", "[": "]", "{": "}"}
_STRING_METHODS = {"trim", "trimStart", "trimEnd", "trimLeft", "trimRight", "normalize"}


class ValueParser:
    """Object, array and string-expression values of a token list; memoised per start token."""

    def __init__(self, tokens: list[Token], constants: Optional[dict[str, str]] = None):
        self.tokens = tokens
        self.constants = constants if constants is not None else {}
        self._memo: dict[int, Optional[JsValue]] = {}
        self._closer: Optional[list[int]] = None

    def tok(self, i: int) -> Optional[Token]:
        return self.tokens[i] if 0 <= i < len(self.tokens) else None

    def is_punct(self, i: int, text: str) -> bool:
        t = self.tok(i)
        return t is not None and t.kind == "punct" and t.text == text

    def closers(self) -> list[int]:
        """For each opener, the index of the bracket that closes it (len(tokens) when none does),
        computed once so skipping a bracketed group costs one step however deep it nests."""
        if self._closer is None:
            n = len(self.tokens)
            closer = [n] * n
            open_at: list[int] = []
            for k, t in enumerate(self.tokens):
                if t.kind == "punct":
                    if t.text in _OPENERS:
                        open_at.append(k)
                    elif t.text in _CLOSERS and open_at:
                        closer[open_at.pop()] = k
            self._closer = closer
        return self._closer

    def skip_expression(self, i: int) -> int:
        """Index of the `,` or closer that ends the expression starting at i (depth 0)."""
        n = len(self.tokens)
        closer = self.closers()
        while i < n:
            t = self.tokens[i]
            if t.kind == "punct":
                if t.text in _OPENERS:
                    i = closer[i]
                elif t.text in _CLOSERS or t.text in (",", ";"):
                    return i
            i += 1
        return n

    def matching(self, i: int) -> int:
        """Index after the bracket that closes the opener at i."""
        t = self.tok(i)
        if t is not None and t.kind == "punct" and t.text in _OPENERS:
            return min(self.closers()[i] + 1, len(self.tokens))
        depth = 0
        n = len(self.tokens)
        while i < n:
            t = self.tokens[i]
            if t.kind == "punct":
                if t.text in _OPENERS:
                    depth += 1
                elif t.text in _CLOSERS:
                    depth -= 1
                    if depth == 0:
                        return i + 1
            i += 1
        return n

    def value(self, i: int) -> JsValue:
        t = self.tok(i)
        if t is not None and t.kind == "punct" and t.text == "{":
            obj = self.object(i)
            if obj is not None and self._ends_value(obj.end):
                return obj
        if t is not None and t.kind == "punct" and t.text == "[":
            arr = self.array(i)
            if arr is not None and self._ends_value(arr.end):
                return arr
        string = self.string_expression(i)
        if string is not None:
            return string
        end = self.skip_expression(i)
        return JsValue("other", i, end)

    def _ends_value(self, i: int) -> bool:
        t = self.tok(i)
        return t is None or (t.kind == "punct" and t.text in (",", ")", "]", "}", ";"))

    def object(self, i: int) -> Optional[JsValue]:
        if i in self._memo:
            return self._memo[i]
        self._memo[i] = None
        try:
            node = self._object(i)
        except RecursionError:
            node = None
        self._memo[i] = node
        return node

    def _object(self, i: int) -> Optional[JsValue]:
        node = JsValue("object", i, i)
        j = i + 1
        while True:
            t = self.tok(j)
            if t is None:
                return None
            if t.kind == "punct" and t.text == "}":
                node.end = j + 1
                return node
            if t.kind == "punct" and t.text == "...":
                j = self.skip_expression(j + 1)
            elif t.kind == "punct" and t.text == "[":
                j = self.matching(j)
                if not self.is_punct(j, ":"):
                    return None
                j = self.value(j + 1).end
            elif t.kind in ("ident", "string", "number"):
                key = t.value if t.kind == "string" else t.text
                nxt = self.tok(j + 1)
                if nxt is not None and nxt.kind == "punct" and nxt.text == ":":
                    val = self.value(j + 2)
                    node.entries.append((key, t, val))
                    j = val.end
                elif nxt is not None and nxt.kind == "punct" and nxt.text in (",", "}") and t.kind == "ident":
                    node.entries.append((key, t, JsValue("other", j, j + 1, value=t.text)))
                    j += 1
                elif nxt is not None and nxt.kind == "punct" and nxt.text == "(":
                    j = self.matching(j + 1)
                    if self.is_punct(j, ":"):  # return type annotation
                        while j < len(self.tokens) and not self.is_punct(j, "{"):
                            j += 1
                    if not self.is_punct(j, "{"):
                        return None
                    j = self.matching(j)
                elif t.kind == "ident" and t.text in ("get", "set", "async") and nxt is not None and \
                        nxt.kind in ("ident", "string"):
                    j += 1
                    continue
                else:
                    return None
            else:
                return None
            t = self.tok(j)
            if t is None:
                return None
            if t.kind == "punct" and t.text == ",":
                j += 1
            elif not (t.kind == "punct" and t.text == "}"):
                return None

    def array(self, i: int) -> Optional[JsValue]:
        node = JsValue("array", i, i)
        j = i + 1
        while True:
            t = self.tok(j)
            if t is None:
                return None
            if t.kind == "punct" and t.text == "]":
                node.end = j + 1
                return node
            item = self.value(j)
            node.items.append(item)
            j = item.end
            t = self.tok(j)
            if t is not None and t.kind == "punct" and t.text == ",":
                j += 1
            elif not (t is not None and t.kind == "punct" and t.text == "]"):
                return None

    def string_expression(self, i: int) -> Optional[JsValue]:
        """String literals and templates joined by `+`, in parentheses, `[...].join(sep)`, `.trim()`."""
        j = i
        opened = 0
        while self.is_punct(j, "("):
            opened += 1
            j += 1
        parts: list[str] = []
        literal = False
        while True:
            t = self.tok(j)
            if t is None:
                return None
            if t.kind == "string":
                parts.append(t.value)
                literal = True
                j += 1
            elif t.kind == "template":
                parts.append(self.substituted(t.value))
                literal = True
                j += 1
            elif t.kind == "ident" and self.tok(j + 1) is not None and self.tokens[j + 1].kind == "template":
                parts.append(self.tokens[j + 1].value)  # tagged template such as dedent`…`
                literal = True
                j += 2
            elif t.kind == "punct" and t.text == "[":
                joined = self._joined_array(j)
                if joined is None:
                    return None
                parts.append(joined[0])
                literal = True
                j = joined[1]
            elif t.kind == "ident" and t.text in self.constants:
                parts.append(self.constants[t.text])
                literal = True
                j += 1
            elif t.kind == "ident" and literal:
                end = self.skip_expression_operand(j)
                parts.append("${" + " ".join(x.text for x in self.tokens[j:end]) + "}")
                j = end
            else:
                return None
            while self.is_punct(j, ".") and self.tok(j + 1) is not None and \
                    self.tokens[j + 1].text in _STRING_METHODS and self.is_punct(j + 2, "(") and \
                    self.is_punct(j + 3, ")"):
                if self.tokens[j + 1].text.startswith("trim"):
                    parts[-1] = parts[-1].strip()
                j += 4
            if self.is_punct(j, "+"):
                j += 1
                continue
            break
        while opened and self.is_punct(j, ")"):
            opened -= 1
            j += 1
        if opened or not literal or not self._ends_value(j):
            return None
        return JsValue("string", i, j, value="".join(parts))

    def substituted(self, template: str) -> str:
        """A template's ``${NAME}`` substitutions of known string constants replaced by their values."""
        if "${" not in template or not self.constants:
            return template
        return _SUBSTITUTION.sub(lambda m: self.constants.get(m.group(1), m.group(0)), template)

    def skip_expression_operand(self, j: int) -> int:
        """An identifier operand of a concatenation: a.b.c, a[b], f(x)."""
        n = len(self.tokens)
        j += 1
        while j < n:
            if self.is_punct(j, ".") and self.tok(j + 1) is not None and self.tokens[j + 1].kind == "ident":
                j += 2
            elif self.is_punct(j, "(") or self.is_punct(j, "["):
                j = self.matching(j)
            else:
                break
        return j

    def _joined_array(self, j: int) -> Optional[tuple[str, int]]:
        arr = self.array(j)
        if arr is None or not all(item.kind == "string" for item in arr.items):
            return None
        k = arr.end
        if not (self.is_punct(k, ".") and self.tok(k + 1) is not None and self.tokens[k + 1].text == "join"
                and self.is_punct(k + 2, "(")):
            return None
        sep_tok = self.tok(k + 3)
        if self.is_punct(k + 3, ")"):
            return ",".join(item.value for item in arr.items), k + 4
        if sep_tok is not None and sep_tok.kind in ("string", "template") and self.is_punct(k + 4, ")"):
            return sep_tok.value.join(item.value for item in arr.items), k + 5
        return None

    def arguments(self, i: int) -> list[JsValue]:
        """The arguments of a call whose `(` is at i."""
        args = []
        j = i + 1
        while True:
            t = self.tok(j)
            if t is None or (t.kind == "punct" and t.text == ")"):
                return args
            node = self.value(j)
            args.append(node)
            j = node.end
            if self.is_punct(j, ","):
                j += 1
            elif not self.is_punct(j, ")"):
                return args

    def to_python(self, node: JsValue) -> Any:
        if node.kind == "object":
            return {k: self.to_python(v) for k, _, v in node.entries}
        if node.kind == "array":
            return [self.to_python(v) for v in node.items]
        if node.kind == "string":
            return node.value
        return " ".join(t.text for t in self.tokens[node.start:node.end])
