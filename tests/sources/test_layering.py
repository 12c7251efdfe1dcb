"""Sources hand the engine fragments and know nothing of it; one module starts git."""
from __future__ import annotations

import ast
from pathlib import Path

import sentinel_hooks

PACKAGE = Path(sentinel_hooks.__file__).parent
GIT_RUNNER = PACKAGE / "sources" / "git.py"


def imported_modules(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def test_sources_import_nothing_from_the_engine():
    offenders = {path.name: sorted(m for m in imported_modules(path) if m.startswith("sentinel_hooks.engine"))
                 for path in (PACKAGE / "sources").glob("*.py")}
    assert {name: mods for name, mods in offenders.items() if mods} == {}


def test_only_the_git_module_starts_processes():
    starters = sorted(path.relative_to(PACKAGE).as_posix() for path in PACKAGE.rglob("*.py")
                      if "subprocess" in imported_modules(path) and path != GIT_RUNNER)
    assert starters == []
