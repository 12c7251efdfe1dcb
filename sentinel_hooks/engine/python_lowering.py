"""Newer Python syntax rewritten as older syntax the running interpreter's ``ast`` parses, so a file
written for Python 3.12-3.14 is analysed by the same checks on 3.10 and 3.11.

What is lowered:

* PEP 695 type parameters (3.12): ``def f[T](x)``, ``class C[T]:`` lose their parameter list, and
  ``type X[T] = value`` becomes ``X = value``;
* PEP 701 f-strings (3.12): quotes of the enclosing f-string reused inside a replacement field, a
  backslash or a comment inside one, a field spread over lines of a single-quoted f-string;
* ``except*`` (3.11) becomes ``except``, and a starred item in a subscript or annotation (3.11,
  ``tuple[*Ts]``, ``*args: *Ts``) loses its star;
* t-strings (3.14, ``t"..."``) are read as f-strings.

Every rewrite keeps each line's number and its UTF-8 length up to the rewritten spot (a blanked
character becomes as many spaces as it had bytes), so the positions ``ast`` gives (lines, byte
columns) are those of the original file; only an f-string whose field spans lines grows two quotes
at each end. Values inside replacement fields can change where they cannot be kept (a string nested
two f-strings deep becomes a placeholder name; a backslash in a nested string becomes ``_``): the
checks look at names, calls and the shape of strings, not at those values.

The rewrite runs only for a file ``ast.parse`` rejected, so ordinary files pay nothing.
"""
from __future__ import annotations

import re
from typing import Optional

STRING_PREFIXES = frozenset({"", "r", "u", "b", "br", "rb", "f", "fr", "rf", "t", "tr", "rt"})
QUOTES = "'\""
OPENERS, CLOSERS = "([{", ")]}"
GENERIC_DEF = re.compile(r"(?:async[ \t]+)?(?:def|class)[ \t]+\w+[ \t]*(?=\[)")
TYPE_ALIAS = re.compile(r"type[ \t]+(\w+)[ \t]*(?=[\[=])")
EXCEPT_STAR = re.compile(r"except[ \t]*(\*)")
ALIAS_EQUALS = re.compile(r"[ \t]*=(?!=)")


class _CannotLower(Exception):
    """The text is not valid newer Python either (an unterminated string, unbalanced brackets)."""


def _width(char: str) -> int:
    return len(char.encode("utf-8", "surrogatepass"))


class _Rewriter:
    def __init__(self, source: str):
        self.src = source
        self.out: list[str] = list(source)
        self.changed = False

    # -- edits ------------------------------------------------------------------------------------
    def put(self, i: int, text: str) -> None:
        if self.out[i] != text:
            self.out[i] = text
            self.changed = True

    def blank(self, start: int, end: int) -> None:
        """Spaces over [start, end), newlines kept (each character as wide as its UTF-8 bytes)."""
        for i in range(start, end):
            c = self.src[i]
            if c not in "\r\n":
                self.put(i, " " * _width(c))

    # -- lexing -------------------------------------------------------------------------------------
    def prefix_before(self, i: int, floor: int) -> str:
        """The string prefix ending at ``i`` (the identifier characters right before a quote), or ''."""
        j = i
        while j > floor and (self.src[j - 1].isalnum() or self.src[j - 1] == "_"):
            j -= 1
        word = self.src[j:i]
        return word.lower() if word.lower() in STRING_PREFIXES else ""

    def delimiter(self, i: int) -> str:
        q = self.src[i]
        return q * 3 if self.src.startswith(q * 3, i) else q

    def plain_string_end(self, i: int, raw: bool) -> int:
        """End (exclusive) of a string literal that is not an f-string, opening quote at ``i``."""
        delim = self.delimiter(i)
        j = i + len(delim)
        n = len(self.src)
        while j < n:
            c = self.src[j]
            if c == "\\":
                j += 2
                continue
            if self.src.startswith(delim, j):
                return j + len(delim)
            if c == "\n" and len(delim) == 1:
                raise _CannotLower
            j += 1
        raise _CannotLower

    def skip_comment(self, i: int) -> int:
        end = self.src.find("\n", i)
        return len(self.src) if end < 0 else end

    # -- f-strings ----------------------------------------------------------------------------------
    def fstring(self, prefix_start: int, i: int, prefix: str, taken: str, becomes: str = "") -> int:
        """Lower the f-string (or t-string) whose opening quote is at ``i``; ``taken`` holds the quote
        characters of the f-strings around it (none for one in plain code), ``becomes`` the quote it
        will be written with when not its own. Returns its end."""
        for k in range(prefix_start, i):
            if self.src[k] in "tT":
                self.put(k, "f" if self.src[k] == "t" else "F")
        raw = "r" in prefix
        delim = self.delimiter(i)
        inner_taken = taken + (becomes or delim[0])
        j = i + len(delim)
        n = len(self.src)
        spans_lines = False
        nested = bool(taken)
        while j < n:
            c = self.src[j]
            if c == "\\" and nested:
                self.put(j, "_")  # no backslash may stand in a field of the enclosing f-string
                j += 1
                continue
            if c == "\\" and not raw:
                if self.src.startswith("N{", j + 1):
                    close = self.src.find("}", j)
                    j = n if close < 0 else close + 1
                else:
                    j += 2
                continue
            if self.src.startswith(delim, j):
                end = j + len(delim)
                if spans_lines and len(delim) == 1:
                    self.out[i] = delim * 3  # a field over several lines: triple quotes keep it one literal
                    self.out[j] = delim * 3
                    self.changed = True
                return end
            if c == "\n" and len(delim) == 1:
                raise _CannotLower
            if c == "{":
                if self.src.startswith("{{", j):
                    j += 2
                    continue
                start_line = self.src.count("\n", i, j)
                j = self.field(j + 1, inner_taken)
                spans_lines = spans_lines or self.src.count("\n", i, j) > start_line
                continue
            j += 1
        raise _CannotLower

    def field(self, j: int, taken: str) -> int:
        """Lower a replacement field starting at ``j`` (after its ``{``); returns the index after its
        ``}``. ``taken`` holds the quote characters of the enclosing f-strings."""
        depth = 0
        n = len(self.src)
        field_start = j
        while j < n:
            c = self.src[j]
            if c in QUOTES:
                j = self.nested_string(j, field_start, taken)
                continue
            if c == "#":
                end = self.skip_comment(j)
                self.blank(j, end)
                j = end
                continue
            if c == "\\":
                self.put(j, " ")  # a line continuation inside the field
                j += 1
                continue
            if c in OPENERS:
                depth += 1
            elif c in CLOSERS:
                if depth == 0:
                    if c != "}":
                        raise _CannotLower
                    return j + 1
                depth -= 1
            elif depth == 0 and c == "!" and not self.src.startswith("!=", j):
                j += 1  # a conversion: !r, !s, !a
                continue
            elif depth == 0 and c == ":":
                return self.format_spec(j + 1, taken)
            j += 1
        raise _CannotLower

    def format_spec(self, j: int, taken: str) -> int:
        n = len(self.src)
        while j < n:
            c = self.src[j]
            if c == "{":
                j = self.field(j + 1, taken)
                continue
            if c == "}":
                return j + 1
            if c == "\n":
                raise _CannotLower
            j += 1
        raise _CannotLower

    def nested_string(self, j: int, floor: int, taken: str) -> int:
        """A string literal inside a replacement field: written with a quote no enclosing f-string
        uses, or, two f-strings deep where none is left, as a placeholder name of the same width."""
        prefix = self.prefix_before(j, floor)
        start = j - len(prefix)
        free = [q for q in QUOTES if q not in taken]
        if "f" in prefix or "t" in prefix:
            if not free:
                end = self.fstring_extent(j, prefix)
                self.placeholder(start, end)
                return end
            end = self.fstring(start, j, prefix, taken, becomes=free[0])
        else:
            end = self.plain_string_end(j, "r" in prefix)
        if not free:
            self.placeholder(start, end)
            return end
        quote = free[0]
        delim = self.delimiter(j)
        body_start, body_end = j + len(delim), end - len(delim)
        for k in (j, body_end):
            for m in range(len(delim)):
                self.put(k + m, quote)
        if "f" not in prefix and "t" not in prefix:
            for k in range(body_start, body_end):
                c = self.src[k]
                if c == "\\" or c in taken or c == quote:
                    self.put(k, "_")
        return end

    def fstring_extent(self, j: int, prefix: str) -> int:
        """The end of a nested f-string without rewriting it (it becomes a placeholder anyway)."""
        saved, changed = list(self.out), self.changed
        end = self.fstring(j, j, prefix, "")
        self.out, self.changed = saved, changed
        return end

    def placeholder(self, start: int, end: int) -> None:
        width = sum(_width(self.src[k]) for k in range(start, end))
        lines = self.src.count("\n", start, end)
        if lines:
            raise _CannotLower
        self.put(start, "_" * width)
        for k in range(start + 1, end):
            self.put(k, "")

    # -- statements -----------------------------------------------------------------------------------
    def bracket_end(self, i: int) -> int:
        """The index after the bracket that closes the one at ``i`` (strings and comments skipped)."""
        depth = 0
        n = len(self.src)
        j = i
        while j < n:
            c = self.src[j]
            if c in QUOTES:
                prefix = self.prefix_before(j, i)
                j = (self.fstring(j - len(prefix), j, prefix, "") if "f" in prefix or "t" in prefix
                     else self.plain_string_end(j, "r" in prefix))
                continue
            if c == "#":
                j = self.skip_comment(j)
                continue
            if c in OPENERS:
                depth += 1
            elif c in CLOSERS:
                depth -= 1
                if depth == 0:
                    return j + 1
            j += 1
        raise _CannotLower

    def blank_group(self, start: int, end: int) -> None:
        """Blank a bracketed group, ending each of its lines with a backslash so the statement
        holding it stays one logical line."""
        self.blank(start, end)
        for k in range(start, end):
            if self.src[k] == "\n":
                before = k - 1
                if before >= start and self.src[before] not in "\r\n":
                    self.put(before, " " * (_width(self.src[before]) - 1) + "\\")
                else:
                    self.put(k, "\\\n")

    def statement(self, i: int) -> Optional[int]:
        """Lower a statement of newer syntax starting at ``i``; the index to go on from, or None."""
        m = GENERIC_DEF.match(self.src, i)
        if m:
            end = self.bracket_end(m.end())
            self.blank_group(m.end(), end)
            return end
        m = TYPE_ALIAS.match(self.src, i)
        if m:
            after = m.end()
            if self.src[after] == "[":
                after = self.bracket_end(after)
                self.blank_group(m.end(), after)
            eq = ALIAS_EQUALS.match(self.src, after)
            if eq is None:
                return None
            equals = eq.end() - 1
            name = m.group(1)
            self.blank(i, equals)
            self.put(i, name)  # the name where ``type`` stood, blanks up to ``=``
            for k in range(i + 1, i + len(name)):
                self.put(k, "")
            pad = sum(_width(self.src[k]) for k in range(i, i + len(name))) - len(name.encode("utf-8"))
            if pad:
                self.put(i + len(name), " " * (pad + _width(self.src[i + len(name)])))
            return equals
        m = EXCEPT_STAR.match(self.src, i)
        if m:
            self.put(m.start(1), " ")
            return m.end()
        return None

    # -- the whole file -------------------------------------------------------------------------------
    def run(self) -> str:
        src = self.src
        n = len(src)
        subscripts: list[bool] = []  # per open bracket: whether it is a subscript's
        last = ""  # the last character of code that is not white space
        line_start = True
        i = 0
        while i < n:
            c = src[i]
            if line_start and c not in " \t\f":
                line_start = False
                if c not in "\r\n#":
                    after = self.statement(i)
                    if after is not None:
                        i, last = after, src[after - 1]
                        continue
            if c == "#":
                i = self.skip_comment(i)
                continue
            if c in QUOTES:
                prefix = self.prefix_before(i, 0)
                i = (self.fstring(i - len(prefix), i, prefix, "") if "f" in prefix or "t" in prefix
                     else self.plain_string_end(i, "r" in prefix))
                last = c
                continue
            if c == "\\" and src.startswith("\n", i + 1):
                i += 2
                continue
            if c == "*" and subscripts and not src.startswith("**", i) and (
                    (subscripts[-1] and last in "[,") or (last == ":" and src[i - 1:i] in " *")):
                self.put(i, " ")  # PEP 646 (3.11): tuple[*Ts], *args: *Ts
            if c in OPENERS:
                subscripts.append(c == "[" and (last.isalnum() or last in "_)]'\""))
            elif c in CLOSERS:
                if subscripts:
                    subscripts.pop()
            elif not subscripts and c in "\n;":
                line_start = True
            if c not in " \t\f\r\n":
                last = c
            i += 1
        return "".join(self.out)


def lower(source: str) -> Optional[str]:
    """``source`` with newer syntax lowered (positions kept), or None when there is nothing to lower
    or the text is not valid Python of any version this knows."""
    rewriter = _Rewriter(source)
    try:
        lowered = rewriter.run()
    except (_CannotLower, IndexError, RecursionError):
        return None
    return lowered if rewriter.changed else None
