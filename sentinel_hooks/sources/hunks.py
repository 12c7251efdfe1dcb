"""Reading the body of one ``-U0`` hunk of a unified diff by its header's counts, so an added line that
itself starts with ``++ ``, ``@@`` or a commit mark is never taken for a header."""
from __future__ import annotations

import re
from typing import Optional, Sequence

HUNK_HEADER = re.compile(rb"^@@ -\d+(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")


def read_hunk(lines: Sequence[bytes], header: bytes, i: int) -> Optional[tuple[list[tuple[int, bytes]], int]]:
    """The added lines (new-file line number, text without the ``+``) of the hunk whose ``header`` line
    precedes ``lines[i]``, and the index of the first line after its body; None when ``header`` is not
    a hunk header."""
    m = HUNK_HEADER.match(header)
    if m is None:
        return None
    old_left = 1 if m.group(1) is None else int(m.group(1))
    number = int(m.group(2))
    new_left = 1 if m.group(3) is None else int(m.group(3))
    added: list[tuple[int, bytes]] = []
    while (old_left > 0 or new_left > 0) and i < len(lines):
        body = lines[i]
        kind = body[:1]
        if kind == b"+":
            added.append((number, body[1:]))
            number += 1
            new_left -= 1
        elif kind == b"-":
            old_left -= 1
        elif kind == b" ":
            number += 1
            new_left -= 1
            old_left -= 1
        elif kind != b"\\":
            break
        i += 1
    return added, i


def added_run(lines: Sequence[bytes], header: bytes, i: int) -> Optional[tuple[int, int, bytes, int]]:
    """The added lines of the hunk whose ``header`` precedes ``lines[i]`` as one run: (the first one's
    new-file line number, how many, their texts without the ``+`` joined by newlines, the index of the
    first line after the body); None when ``header`` is not a hunk header.

    A ``-U0`` hunk holds its removed lines, then its added lines: when the body is exactly that, it is
    taken by slices (a whole file a commit adds is one hunk of thousands of lines), else line by line.
    """
    m = HUNK_HEADER.match(header)
    if m is None:
        return None
    old = 1 if m.group(1) is None else int(m.group(1))
    new = 1 if m.group(3) is None else int(m.group(3))
    removed, added = lines[i:i + old], lines[i + old:i + old + new]
    if len(removed) == old and len(added) == new and _joined_if_marked(removed, b"-") is not None:
        joined = _joined_if_marked(added, b"+")
        if joined is not None:
            return int(m.group(2)), new, joined[1:].replace(b"\n+", b"\n"), i + old + new
    numbered, end = read_hunk(lines, header, i)  # type: ignore[misc]
    first = numbered[0][0] if numbered else int(m.group(2))
    return first, len(numbered), b"\n".join(text for _, text in numbered), end


def _joined_if_marked(lines: Sequence[bytes], mark: bytes) -> Optional[bytes]:
    """The lines joined by newlines when every one starts with ``mark`` (one byte, checked on the joined
    text), else None."""
    joined = b"\n".join(lines)
    if lines and not (joined.startswith(mark) and joined.count(b"\n" + mark) == len(lines) - 1):
        return None
    return joined


def deletion_point(header: bytes) -> Optional[int]:
    """For a hunk that only removes lines, the new-file line after which they were removed (0: at the
    start of the file); None for a hunk that adds lines (its added lines mark the change)."""
    m = HUNK_HEADER.match(header)
    if m is None or m.group(3) is None or int(m.group(3)) != 0:
        return None
    return int(m.group(2))
