"""A downloaded script run by an interpreter (``curl … | sh``), weighed by where it is and what it fetches.

Options of a rule using ``detector: download_exec``:
  pattern   the regex of the download-and-run command (verbose, case-insensitive)

Each match is reported at the rule's severity, except:
  * a URL pinned to a commit (a 40-hex segment) or a command checked against a digest on the same
    line (``sha256sum``, ``shasum``, ``--checksum``, ``integrity``) is reported LOW: what runs is fixed;
  * in documentation (Markdown, reStructuredText, AsciiDoc) the command is an instruction to a person
    and is reported MEDIUM, and only when it names what it fetches (an ``http(s)://`` URL or a
    ``$variable``); prose such as "never pipe ``curl ... | sh``" is not a command.
"""
from __future__ import annotations

import functools
import re
from typing import TYPE_CHECKING, Iterable

from sentinel_hooks.engine.detectors import detector
from sentinel_hooks.engine.hits import Hit
from sentinel_hooks.engine.patterns import lazy
from sentinel_hooks.findings import Severity

if TYPE_CHECKING:
    from sentinel_hooks.engine.rule import Rule
    from sentinel_hooks.engine.units import TextUnit

DOCS = lazy(r"(?i)\.(?:md|mdx|markdown|rst|adoc)$")
PINNED_URL = lazy(r"(?i)https?://\S*/[0-9a-f]{40}(?:/|\b)")
CHECKSUM = lazy(r"(?i)\b(?:sha(?:256|512|1)?sum|shasum|--checksum|integrity|Get-FileHash)\b")
NAMES_SOURCE = lazy(r"(?i)https?://|\$\{?[A-Za-z_]")


@functools.lru_cache(maxsize=16)
def _compile(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.VERBOSE | re.IGNORECASE)


def weigh(command: str, line: str, in_docs: bool, rule_severity: Severity) -> Severity | None:
    """The severity of one download-and-run command; None when it is not a command at all."""
    if in_docs and not NAMES_SOURCE.search(command):
        return None
    if PINNED_URL.search(command) or CHECKSUM.search(line):
        return Severity.LOW
    if in_docs:
        return min(rule_severity, Severity.MEDIUM)
    return rule_severity


@detector("download_exec")
def download_exec(unit: TextUnit, rule: Rule) -> Iterable[Hit]:
    pattern = _compile(rule.options["pattern"])
    in_docs = bool(DOCS.search(unit.path))
    text = unit.text
    for m in pattern.finditer(text):
        if m.end() == m.start():
            continue
        line, col = unit.position(m.start())
        end_line, end_col = unit.position(m.end())
        # the whole command: from the match to the end of its (last) line
        stop = text.find("\n", m.end())
        command = text[m.start(): stop if stop >= 0 else len(text)]
        severity = weigh(command, unit.line_text(line), in_docs, rule.severity)
        if severity is None:
            continue
        yield Hit(line, col, end_line, end_col, m.group(0),
                  severity=severity if severity != rule.severity else None)
