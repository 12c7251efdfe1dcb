"""Text from scanned files or rule packs, made safe to print: control characters are shown escaped."""
from __future__ import annotations

import re

_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x9f]")


def printable(text: str) -> str:
    """Control characters shown escaped (a newline in a file name, a terminal escape in a scanned
    line, a rule title or a tool name), so scanned content can neither forge report lines nor drive
    the terminal."""
    return _CONTROL.sub(lambda m: repr(m.group())[1:-1], text)
