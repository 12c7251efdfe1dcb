"""What a regex rule or a detector reports before it becomes a Finding."""
from __future__ import annotations

from typing import Any, Optional

from sentinel_hooks.findings import Confidence, Severity
from sentinel_hooks.records import field, record


@record
class Hit:
    """A match in file coordinates (1-based lines and columns, end column exclusive).

    ``content`` is the matched text used for the fingerprint; ``secret`` the part to redact.
    ``message`` adds detail to the rule's title; ``confidence`` and ``severity`` override the rule's.
    ``flow`` is the (first, last) file lines of the data flow a structure-aware check followed to this
    hit (from its source, or the enclosing function, to the sink): a diff scan reports the hit when
    the change adds a line on that span or removes lines inside it (a deleted guard), not only when
    it adds a line on the hit itself. ``text_from`` likewise names lines of another module.
    """

    line: int
    column: int
    end_line: int
    end_column: int
    content: str
    secret: Optional[str] = None
    message: str = ""
    confidence: Optional[Confidence] = None
    severity: Optional[Severity] = None
    extra: dict[str, Any] = field(default_factory=dict)
    flow: Optional[tuple[int, int]] = None
    # (path, first line, last line) of another module of the repository that wrote the reported text
    # (a tool description imported from there): a diff scan that changes those lines reports the hit
    text_from: Optional[tuple[str, int, int]] = None
