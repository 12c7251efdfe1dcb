"""A short Markdown summary for pull/merge-request comments and `$GITHUB_STEP_SUMMARY`: the range
compared, counts per severity, what the threshold hid, and the top findings with file and line.

Everything that comes from the scanned repository (paths, messages) is escaped: paths sit in code
spans (no links, no mentions, no HTML), other text has its Markdown punctuation backslash-escaped and
``@`` split from what follows, so a file name cannot forge table rows, ping people or inject markup.
"""
from __future__ import annotations

import re
from typing import Any, TextIO

from sentinel_hooks.findings import Finding, Severity
from sentinel_hooks.report.terminal import describe_scope, printable

TOP_FINDINGS = 10
MAX_TEXT = 160
# the characters that start Markdown or HTML constructs inline (links, emphasis, code, tags, entities,
# table cells, strikethrough); a backslash makes each literal
_MARKUP = set("\\`*_[]<>|!#~&$")


def text(value: str) -> str:
    """Plain text safe in a table cell: one line, punctuation escaped, mentions defused."""
    value = printable(" ".join(str(value).split()))
    if len(value) > MAX_TEXT:
        value = value[: MAX_TEXT - 1] + "…"
    return "".join("\\" + ch if ch in _MARKUP else "@\u200b" if ch == "@" else ch for ch in value)


def code(value: str) -> str:
    """A code span holding ``value`` literally (a fence longer than any backtick run inside)."""
    value = printable(str(value)).replace("|", "\\|")
    longest = max((len(run) for run in re.findall(r"`+", value)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if value.startswith("`") or value.endswith("`") or not value.strip() else ""
    return f"{fence}{pad}{value}{pad}{fence}"


def headline(result: Any) -> str:
    total = sum(result.counts().values())
    if result.incomplete or result.errors:
        state = "incomplete scan, "
    else:
        state = ""
    if total:
        return f"### MCP Sentinel: {state}{total} finding{'s' if total != 1 else ''} at or above {result.threshold.name}"
    return f"### MCP Sentinel: {state}no findings at or above {result.threshold.name}"


def top_findings(result: Any) -> list[Finding]:
    return sorted(result.active, key=lambda f: (-int(f.severity), f.path, f.line, f.column))[:TOP_FINDINGS]


def lines(result: Any) -> list[str]:
    out = [headline(result), "", text(describe_scope(result)), ""]
    counts = result.counts()
    out += ["| Severity | Count |", "| --- | ---: |"]
    out += [f"| {name.capitalize()} | {n} |" for name, n in counts.items()
            if Severity[name.upper()] >= result.threshold]
    out.append("")
    notes = [f"{result.files_scanned} file{'s' if result.files_scanned != 1 else ''} scanned"]
    if result.suppressed_count:
        notes.append(f"{result.suppressed_count} suppressed")
    hidden = result.below_threshold()
    if hidden:
        notes.append(f"{sum(hidden.values())} below the threshold not shown ("
                     + ", ".join(f"{n} {name}" for name, n in hidden.items()) + ")")
    skipped = result.skipped.as_dict()
    if skipped:
        notes.append("skipped: " + ", ".join(f"{n} {reason}" for reason, n in skipped.items()))
    out += ["; ".join(notes), ""]  # the tool's own words and numbers
    top = top_findings(result)
    if top:
        shown = f" ({len(top)} of {len(result.active)})" if len(result.active) > len(top) else ""
        out += [f"**Top findings{shown}**", "", "| Severity | Context | Location | Rule | Finding |",
                "| --- | --- | --- | --- | --- |"]
        out += [f"| {f.severity.name} | {f.context} | {code(f'{f.path}:{f.line}')} | {code(f.rule_id)} | "
                f"{text(f.message or f.title)} |" for f in top]
        out.append("")
    if result.incomplete:
        out += [f"**Incomplete:** {text(str(result.incomplete))}", ""]
    for path, reason in result.errors[:TOP_FINDINGS]:
        out.append(f"- error: {code(path)}: {text(reason)}")
    if result.errors:
        out.append("")
    return out


def write(result: Any, stream: TextIO) -> None:
    stream.write("\n".join(lines(result)).rstrip("\n") + "\n")
