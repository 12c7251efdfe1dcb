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
