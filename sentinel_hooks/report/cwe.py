"""CWE identifiers as the report formats spell them."""
from __future__ import annotations


def cwe_number(cwe: str) -> str:
    """``"CWE-798"`` -> ``"798"``; an empty string when there is no number."""
    digits = cwe.upper().removeprefix("CWE-")
    return digits if digits.isdigit() else ""


def cwe_url(cwe: str) -> str:
    number = cwe_number(cwe)
    return f"https://cwe.mitre.org/data/definitions/{number}.html" if number else ""
