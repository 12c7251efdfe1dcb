"""How to let a reported finding through: the forms the terminal report shows under a blocked
commit or a failing job (accept its fingerprint in the ignore file, or suppress it in the code)."""
from __future__ import annotations

from pathlib import PurePosixPath
from typing import Optional

from sentinel_hooks.findings import Finding

# file extension -> how an inline suppression comment is written there (see policy.py)
_SLASH = {".js", ".jsx", ".mjs", ".cjs", ".ts", ".tsx", ".mts", ".cts", ".jsonc", ".java", ".go", ".c", ".h",
          ".cc", ".cpp", ".hpp", ".cs", ".rs", ".swift", ".kt", ".kts", ".scala", ".php", ".dart"}
_MARKUP = {".html", ".htm", ".xml", ".md", ".markdown", ".vue", ".svelte"}
_DASHES = {".sql", ".lua", ".hs"}
_NO_COMMENTS = {".json"}


def inline_comment(finding: Finding) -> Optional[str]:
    """The suppression comment for the finding's file type, or None where files have no comments."""
    suffix = PurePosixPath(finding.path).suffix.lower()
    marker = f"mcp-sentinel: ignore[{finding.rule_id}] <reason>"
    if suffix in _NO_COMMENTS:
        return None
    if suffix in _SLASH:
        return f"// {marker}"
    if suffix in _MARKUP:
        return f"<!-- {marker} -->"
    if suffix in _DASHES:
        return f"-- {marker}"
    return f"# {marker}"


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
