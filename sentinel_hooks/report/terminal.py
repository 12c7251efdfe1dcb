"""The default terminal report: findings grouped by file, severity colours, a summary line.

Colour (rich) is used only when the stream is a terminal and NO_COLOR is unset; otherwise the
report is plain text, and rich is not even imported.
"""
from __future__ import annotations

import os
from itertools import groupby
from typing import Any, TextIO

from sentinel_hooks.findings import Finding, Severity
from sentinel_hooks.printable import printable
from sentinel_hooks.report.accepting import hint_lines

STYLES = {
    Severity.CRITICAL: "bold white on red", Severity.HIGH: "bold red", Severity.MEDIUM: "yellow",
    Severity.LOW: "cyan", Severity.INFO: "dim",
}


def first_line(text: str) -> str:
    lines = text.strip().splitlines()
    return printable(lines[0]) if lines else ""


def human_bytes(n: int) -> str:
    size = float(n)
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{n} B"


def describe_scope(result: Any) -> str:
    scope = result.scope
    mode = scope.mode
    if not scope.is_diff:
        return "Full scan of " + printable(", ".join(scope.paths or ["."]))
    rng = scope.range or ""
    label = {"staged": "Staged changes", "baseline": "Changes"}.get(mode, mode)
    return f"{label}: {printable(rng)}" if rng else label


def summary_lines(result: Any) -> list[str]:
    counts = result.counts()
    total = sum(counts.values())
    dur = max((result.finished or result.started) - result.started, 0.0)
    scanned = (f"Scanned {result.files_scanned} file{'s' if result.files_scanned != 1 else ''} "
               f"({human_bytes(result.bytes_scanned)}) in {dur:.2f}s")
    if result.suppressed_count:
        scanned += f"; {result.suppressed_count} suppressed"
    if getattr(result, "hidden_by_range", 0):
        scanned += f"; {result.hidden_by_range} hidden by policy changes in this range"
    skipped = result.skipped.as_dict()
    if skipped:
        scanned += "; skipped: " + ", ".join(f"{n} {reason}" for reason, n in skipped.items())
    if total:
        parts = ", ".join(f"{n} {name}" for name, n in counts.items() if n)
        verdict = f"{total} finding{'s' if total != 1 else ''} ({parts}) at or above {result.threshold.name}"
    else:
        verdict = f"No findings at or above {result.threshold.name}"
    hidden = result.below_threshold()
    if hidden:
        verdict += (f"; {sum(hidden.values())} below the threshold not shown ("
                    + ", ".join(f"{n} {name}" for name, n in hidden.items()) + ")")
    lines = [describe_scope(result), scanned, verdict]
    if result.incomplete:
        lines.append(f"Incomplete: {printable(str(result.incomplete))}")
    return lines


def _visible(result: Any) -> list[Finding]:
    return result.active


def context_note(f: Any) -> str:
    """``, test context (rule: HIGH)`` for a finding outside shipped code; nothing for code."""
    if f.context == "code":
        return ""
    rule = f.extra.get("rule_severity")
    return f", {f.context} context" + (f" (rule: {rule})" if rule else "")


def write_plain(result: Any, stream: TextIO) -> None:
    out = []
    for path, group in groupby(_visible(result), key=lambda f: f.path):
        out.append(printable(path))
        for f in group:
            out.append(f"  {f.severity.name:<8} {f.line}:{f.column}  {printable(f.rule_id)}  {printable(f.message)}"
                       f"  [{printable(f.cwe)}, confidence {f.confidence.name.lower()}{context_note(f)}]")
            if f.snippet:
                out.append(f"      {printable(f.snippet)}")
            for key in ("decoded", "detail", "commit"):
                if f.extra.get(key):
                    out.append(f"      {key}: {printable(str(f.extra[key]))}")
            out.append(f"      fix: {first_line(f.remediation)}")
            out.append(f"      fingerprint: {f.fingerprint}")
        out.append("")
    hints = [printable(h) for h in hint_lines(_visible(result))]
    if hints:
        out.extend(hints + [""])
    out.extend(summary_lines(result))
    stream.write("\n".join(out) + "\n")


def write_rich(result: Any, stream: TextIO) -> None:
    from rich.console import Console
    from rich.markup import escape
    from rich.text import Text

    console = Console(file=stream, highlight=False, soft_wrap=True)
    for path, group in groupby(_visible(result), key=lambda f: f.path):
        console.print(Text(printable(path), style="bold underline"))
        for f in group:
            line = Text("  ")
            line.append(f" {f.severity.name} ", style=STYLES[f.severity])
            line.append(f" {f.line}:{f.column}  ", style="dim")
            line.append(printable(f.rule_id), style="bold")
            line.append(f"  {printable(f.message)}  ")
            line.append(f"[{printable(f.cwe)}, confidence {f.confidence.name.lower()}{context_note(f)}]", style="dim")
            console.print(line)
            if f.snippet:
                console.print(Text("      " + printable(f.snippet), style="dim"))
            for key in ("decoded", "detail", "commit"):
                if f.extra.get(key):
                    console.print(Text(f"      {key}: {printable(str(f.extra[key]))}", style="magenta"))
            console.print(f"      [green]fix:[/green] {escape(first_line(f.remediation))}")
            console.print(Text(f"      fingerprint: {f.fingerprint}", style="dim"))
        console.print()
    hints = [printable(h) for h in hint_lines(_visible(result))]
    if hints:
        console.print(Text("\n".join(hints), style="dim"))
        console.print()
    lines = summary_lines(result)
    console.print(Text(lines[0], style="bold"))
    console.print(Text(lines[1]))
    worst = max((f.severity for f in _visible(result)), default=None)
    console.print(Text(lines[2], style=STYLES[worst] if worst is not None else "bold green"))


def use_colour(stream: TextIO) -> bool:
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty()) and os.environ.get("TERM") != "dumb"


def write(result: Any, stream: TextIO) -> None:
    if use_colour(stream):
        write_rich(result, stream)
    else:
        write_plain(result, stream)
