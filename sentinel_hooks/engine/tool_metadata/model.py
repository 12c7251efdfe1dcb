"""The model of a declared tool: its name, description, parameters and input schema, with their positions."""
from __future__ import annotations

from sentinel_hooks.records import field, record
from typing import Iterable, Optional

from sentinel_hooks import text_lines


MAX_SOURCE_CHARS = 2_000_000


# -- data model ------------------------------------------------------------------------------------

@record(frozen=True)
class Span:
    line: int
    column: int
    end_line: int
    end_column: int


@record(frozen=True)
class Origin:
    """Where in another module of the repository a description's text is written: its path and the
    lines of the constant (an imported name); shown as ``path:line``."""

    path: str
    line: int
    end_line: int

    def __str__(self) -> str:
        return f"{self.path}:{self.line}"


@record
class ToolParam:
    name: str
    description: str = ""
    span: Optional[Span] = None
    origin: Optional[Origin] = None  # the other module the description text comes from, if it does


@record
class ToolDecl:
    """One tool as the model sees it: its name, description, and input schema."""

    name: str
    description: Optional[str]
    description_span: Optional[Span]
    declaration_span: Span
    schema: str = ""  # a canonical text of the input schema, for comparison
    schema_span: Optional[Span] = None
    params: list[ToolParam] = field(default_factory=list)
    kind: str = "tool"  # tool, prompt or resource: what the model is shown
    # set when the description is assigned by code that runs after the tool is registered (a rug
    # pull): the name of the function that assigns it
    reassigned_in: str = ""
    # the other module of the repository the description text comes from (an imported constant)
    description_origin: Optional[Origin] = None

    @property
    def report_span(self) -> Span:
        return self.description_span or self.declaration_span

    def origin_of(self, span: Span) -> Optional[Origin]:
        """Where the text reported at ``span`` (the description's or a parameter's) came from, when
        another module holds it; None otherwise."""
        if span == self.report_span and self.description_origin:
            return self.description_origin
        return next((p.origin for p in self.params if p.span == span and p.origin), None)


def join_spans(spans: Iterable[Optional[Span]]) -> Optional[Span]:
    present = [s for s in spans if s is not None]
    if not present:
        return None
    first = min(present, key=lambda s: (s.line, s.column))
    last = max(present, key=lambda s: (s.end_line, s.end_column))
    return Span(first.line, first.column, last.end_line, last.end_column)


class LineIndex:
    """Character offsets of a text to 1-based (line, column)."""

    def __init__(self, text: str):
        self.text = text
        self.starts = text_lines.line_starts(text)

    def position(self, offset: int) -> tuple[int, int]:
        return text_lines.position(self.starts, offset)

    def span(self, start: int, end: int) -> Span:
        return Span(*self.position(start), *self.position(end))

    def line(self, number: int) -> str:
        if number < 1 or number > len(self.starts):
            return ""
        end = self.starts[number] - 1 if number < len(self.starts) else len(self.text)
        return self.text[self.starts[number - 1]:end]


def unique_tools(tools: list[ToolDecl]) -> list[ToolDecl]:
    seen: set[tuple] = set()
    out = []
    for t in tools:
        key = (t.kind, t.name, t.report_span)
        if key not in seen:
            seen.add(key)
            out.append(t)
    return sorted(out, key=lambda t: (t.report_span.line, t.report_span.column))
