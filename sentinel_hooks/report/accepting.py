"""How to let a reported finding through: the forms the terminal report shows under a blocked
commit or a failing job (accept its fingerprint in the ignore file, or suppress it in the code)."""
from __future__ import annotations

from typing import Optional

from sentinel_hooks.engine.comments import comment_family
from sentinel_hooks.engine.languages import language_of
from sentinel_hooks.findings import Finding

# comment family (engine.comments) -> how a suppression comment is written there; JSON files get
# none, since most JSON readers (MCP clients among them) reject comments
_COMMENT_FORMS = {"hash": "# {}", "c": "// {}", "c_hash": "// {}", "markup": "<!-- {} -->", "ini": "; {}",
                  "sql": "-- {}", "other": "# {}"}


def inline_comment(finding: Finding) -> Optional[str]:
    """The suppression comment for the finding's file type, or None where it has no comments."""
    form = _COMMENT_FORMS.get(comment_family(language_of(finding.path)))
    return None if form is None else form.format(f"mcp-sentinel: ignore[{finding.rule_id}] <reason>")


def hint_lines(findings: list[Finding]) -> list[str]:
    """Two or three lines on accepting or suppressing, with the first finding as the example."""
    if not findings:
        return []
    first = findings[0]
    lines = ["To let a finding through once it is reviewed:",
             f"  accept it:   mcp-sentinel ignore add {first.fingerprint} --reason \"<why>\"   "
             f"(each finding's fingerprint is shown above; adds it to .mcp-sentinel-ignore, commit that file)"]
    comment = inline_comment(first)
    if comment:
        lines.append(f"  or suppress it in the code, on its line or the line above:   {comment}")
    return lines
