"""A client configuration that runs the repository's own package is the project's own server.

``mcp-config-unpinned-package`` warns that every start may run whatever was last published under a
name. When that name is the package the repository itself publishes (``name`` in the root
``package.json``, ``[project] name`` in the root ``pyproject.toml``), the configuration is the
maintainers' way to run their own server, or a sample for its users: following its own releases is
the intent, not a third-party supply-chain risk. Such findings are reported LOW (never hidden), with
the rule's severity kept in ``extra["rule_severity"]`` and ``extra["own_package"]`` set.

The manifests are read as untrusted input (``policy_files``: no symlinks, bounded size); one that
cannot be read or parsed names no package.
"""
from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Iterable, Optional

from sentinel_hooks import policy_files
from sentinel_hooks.errors import ConfigError, FileSystemError
from sentinel_hooks.findings import Finding, Severity

RULE_ID = "mcp-config-unpinned-package"
MANIFEST_LIMIT = 1 << 20
_TABLE = re.compile(r"^\s*\[\s*([^\]]+?)\s*\]\s*(?:#.*)?$")
_NAME = re.compile(r"""^\s*name\s*=\s*(?:"([^"\n]+)"|'([^'\n]+)')\s*(?:#.*)?$""")


def _read(path: Path, root: Path) -> Optional[str]:
    try:
        return policy_files.read_text(path, "package manifest", root=root, limit=MANIFEST_LIMIT)
    except (ConfigError, FileSystemError):
        return None


def npm_name(text: Optional[str]) -> Optional[str]:
    try:
        doc = json.loads(text) if text else None
    except ValueError:
        return None
    name = doc.get("name") if isinstance(doc, dict) else None
    return name if isinstance(name, str) and name else None


def pyproject_name(text: Optional[str]) -> Optional[str]:
    """``name`` in the ``[project]`` table (or ``[tool.poetry]``) of a pyproject.toml."""
    table = ""
    for line in (text or "").splitlines():
        header = _TABLE.match(line)
        if header:
            table = header.group(1)
            continue
        if table in ("project", "tool.poetry"):
            m = _NAME.match(line)
            if m:
                return m.group(1) or m.group(2)
    return None


def normalised_pypi(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def own_names(root: Path) -> dict[str, str]:
    """The repository's own package names by ecosystem (``npm``, ``pypi``), normalised for comparison."""
    names: dict[str, str] = {}
    npm = npm_name(_read(root / "package.json", root))
    if npm:
        names["npm"] = npm.lower()
    pypi = pyproject_name(_read(root / "pyproject.toml", root))
    if pypi:
        names["pypi"] = normalised_pypi(pypi)
    return names


def runs_own_package(finding: Finding, names: dict[str, str]) -> bool:
    package, ecosystem = finding.extra.get("package"), finding.extra.get("ecosystem")
    if not isinstance(package, str) or ecosystem not in names:
        return False
    wanted = names[ecosystem]
    return (normalised_pypi(package) if ecosystem == "pypi" else package.lower()) == wanted


def lower(findings: Iterable[Finding], root: Path) -> None:
    """Report unpinned runs of the repository's own package LOW (in place)."""
    candidates = [f for f in findings if f.rule_id == RULE_ID and f.severity > Severity.LOW]
    if not candidates:
        return
    names = own_names(root)
    if not names:
        return
    for f in candidates:
        if runs_own_package(f, names):
            f.extra.setdefault("rule_severity", f.severity.name)
            f.extra["own_package"] = True
            f.severity = Severity.LOW
