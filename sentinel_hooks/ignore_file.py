"""The ignore file: ``.mcp-sentinel-ignore`` at the repository root lists accepted findings.

One entry a line::

    # comments and blank lines are kept as they are
    <fingerprint>  [<rule-id>  [<path>]]  [# reason]

``<fingerprint>`` is a finding's ``<hash>:<occurrence>`` (as the JSON and SARIF reports give it); a
bare ``<hash>`` accepts every occurrence of that content. Rule id and path are there for the reader
(``ignore add --from`` writes them); matching uses the fingerprint only. The reason starts at the
first `` #`` after the fingerprint. Ignored findings are flagged ``suppressed_by = "ignore-file"``:
reports show and count them, the exit code does not.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Iterable

from sentinel_hooks.errors import ConfigError
from sentinel_hooks.findings import Finding
from sentinel_hooks.records import record

FINDINGS_IGNORE_FILE = ".mcp-sentinel-ignore"  # accepted findings by fingerprint; paths to skip: files.PATH_IGNORE_FILE
SUPPRESSED_BY = "ignore-file"
FINGERPRINT = re.compile(r"^[0-9a-f]{32}(?::\d+)?$")
_COMMENT = re.compile(r"\s#")

HEADER = (
    "# mcp-sentinel ignore file: one accepted finding a line.\n"
    "# <fingerprint>  [<rule-id>  [<path>]]  [# reason]   (see `mcp-sentinel ignore --help`)\n"
)


@record
class Entry:
    fingerprint: str
    rule_id: str = ""
    path: str = ""
    reason: str = ""
    line_number: int = 0

    def render(self) -> str:
        parts = [self.fingerprint] + [p for p in (self.rule_id, self.path) if p]
        line = "  ".join(parts)
        if self.reason:
            line += "  # " + " ".join(self.reason.split())
        return line


@record
class IgnoreFile:
    """The file's lines, in order: an Entry for each entry, the raw text for comments and blanks."""

    lines: list["Entry | str"]

    @property
    def entries(self) -> list[Entry]:
        return [line for line in self.lines if isinstance(line, Entry)]

    def fingerprints(self) -> set[str]:
        return {e.fingerprint for e in self.entries}

    def add(self, entry: Entry) -> bool:
        """Append ``entry`` unless its fingerprint is listed already; True when added."""
        if entry.fingerprint in self.fingerprints():
            return False
        self.lines.append(entry)
        return True

    def remove(self, doomed: Iterable[Entry]) -> None:
        ids = {id(e) for e in doomed}
        self.lines = [line for line in self.lines if id(line) not in ids]

    def render(self) -> str:
        body = "\n".join(line.render() if isinstance(line, Entry) else line for line in self.lines)
        return body + "\n" if body else ""


def normalise_fingerprint(value: str) -> str:
    fp = value.strip().lower()
    if not FINGERPRINT.match(fp):
        raise ConfigError(f"not a finding fingerprint: {value!r} (expected <32 hex digits>:<occurrence>)")
    return fp


def parse_line(text: str, line_number: int = 0) -> "Entry | str":
    stripped = text.strip()
    if not stripped or stripped.startswith("#"):
        return text.rstrip("\n")
    m = _COMMENT.search(stripped)
    body, reason = (stripped[:m.start()], stripped[m.end():].strip()) if m else (stripped, "")
    fields = body.split(None, 2)
    fp = fields[0].lower()
    if not FINGERPRINT.match(fp):
        where = f"line {line_number}: " if line_number else ""  # the line itself is never echoed
        raise ConfigError(f"{FINDINGS_IGNORE_FILE}: {where}not a finding fingerprint (expected <32 hex digits>:<occurrence>)")
    return Entry(fp, fields[1] if len(fields) > 1 else "", fields[2].strip() if len(fields) > 2 else "",
                 reason, line_number)


def parse(text: str) -> IgnoreFile:
    return IgnoreFile([parse_line(line, n) for n, line in enumerate(text.splitlines(), start=1)])


def path_for(root: Path) -> Path:
    return root / FINDINGS_IGNORE_FILE


def load(root: Path) -> IgnoreFile:
    """The ignore file at ``root``; an empty one when there is none."""
    from sentinel_hooks.policy_files import read_text

    text = read_text(path_for(root), "ignore file", root=root)
    return IgnoreFile([]) if text is None else parse(text)


def save(root: Path, ignore: IgnoreFile) -> Path:
    """Write the ignore file atomically; starts a new file with a short header."""
    from sentinel_hooks.outputs import write_atomic

    path = path_for(root)
    if not path.exists() and not any(isinstance(line, str) and line.startswith("#") for line in ignore.lines):
        ignore.lines[:0] = HEADER.rstrip("\n").split("\n")
    write_atomic(path, lambda stream: stream.write(ignore.render()))
    return path


def _matching(by_fingerprint: dict[str, list[Entry]], fingerprint: str) -> list[Entry]:
    return by_fingerprint.get(fingerprint, []) + by_fingerprint.get(fingerprint.split(":", 1)[0], [])


def _index(ignore: IgnoreFile) -> dict[str, list[Entry]]:
    by_fingerprint: dict[str, list[Entry]] = {}
    for e in ignore.entries:
        by_fingerprint.setdefault(e.fingerprint, []).append(e)
    return by_fingerprint


def unused_entries(ignore: IgnoreFile, fingerprints: Iterable[str]) -> list[Entry]:
    """The entries that match none of the fingerprints."""
    index = _index(ignore)
    used = {id(e) for fp in fingerprints for e in _matching(index, fp)}
    return [e for e in ignore.entries if id(e) not in used]


def apply(findings: list[Finding], ignore: IgnoreFile, any_occurrence: bool = False) -> list[Entry]:
    """Flag findings the ignore file lists; returns the entries that matched no finding at all.

    With ``any_occurrence`` (diff scans, which see only some occurrences of equal content in a file,
    so their occurrence numbers differ from a full scan's) an entry matches by its hash alone.
    """
    index = _index(ignore)
    if not index:
        return []
    if any_occurrence:
        by_hash: dict[str, list[Entry]] = {}
        for key, entries in index.items():
            by_hash.setdefault(key.split(":", 1)[0], []).extend(entries)
        index = by_hash
    for f in findings:
        matched = _matching(index, f.fingerprint)
        if matched and f.suppressed_by is None:
            f.suppressed_by = SUPPRESSED_BY
            reason = next((e.reason for e in matched if e.reason), "")
            if reason:
                f.extra["ignore_reason"] = reason
    return unused_entries(ignore, (f.fingerprint for f in findings))
