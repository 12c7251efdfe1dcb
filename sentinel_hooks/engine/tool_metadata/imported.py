"""Modules a tool file imports its description constants from: which repository paths an import
names, read through the reader the source supplies (``sources.modules``), within fixed bounds.

Only when an extractor meets an imported name where it wants a string does anything get read, so a
file whose tool metadata is written in place costs nothing more. Python: ``from .texts import DESC``,
``from pkg.texts import DESC``, ``import pkg.texts as t`` / ``from pkg import texts`` then ``t.DESC``;
candidates are ``<dir>/pkg/texts.py`` and ``<dir>/pkg/texts/__init__.py`` for the importing file's
package (relative imports), its folder, the folder above the nearest ancestor named like the first
package, the repository root and ``src/``. JavaScript and TypeScript: relative specifiers only
(``./descriptions``, ``../shared/texts.js``), tried with the usual extensions and ``index`` files;
package names are not read.

Bounds per scanned file: ``MAX_MODULES`` modules read, ``MAX_PROBES`` paths tried, and ``MAX_DEPTH``
levels (the file's own imports, and one more for a module that re-exports a constant from another).
The reader confines every path to the repository; an import it cannot resolve is simply not read.
"""
from __future__ import annotations

import posixpath
from typing import Any, Optional

MAX_MODULES = 8
MAX_PROBES = 32
MAX_DEPTH = 2
_JS_EXTENSIONS = (".ts", ".tsx", ".mts", ".cts", ".js", ".mjs", ".cjs", ".jsx")
_JS_OUTPUT_EXTENSIONS = {".js": (".ts", ".tsx"), ".mjs": (".mts",), ".cjs": (".cts",), ".jsx": (".tsx",)}


class Imports:
    """The modules one scanned file (``path``) may take constants from, read through ``reader`` (with
    ``read(path) -> Optional[str]``). ``memo`` holds what extractors derive from a module (its parsed
    constants), keyed by language and path, so each module is parsed once per scanned file."""

    def __init__(self, reader: Any, path: str):
        self.reader = reader
        self.path = path
        self.memo: dict[Any, Any] = {}
        self._texts: dict[str, Optional[str]] = {}
        self._read = 0
        self._probes = 0

    def _text(self, rel: str) -> Optional[str]:
        if rel in self._texts:
            return self._texts[rel]
        if rel == self.path or self._probes >= MAX_PROBES or self._read >= MAX_MODULES:
            return None
        self._probes += 1
        text = self.reader.read(rel)
        if text is not None:
            self._read += 1
        self._texts[rel] = text
        return text

    def first(self, candidates: list[str]) -> Optional[tuple[str, str]]:
        for rel in candidates:
            text = self._text(rel)
            if text is not None:
                return rel, text
        return None

    def python_module(self, importer: str, module: str, level: int) -> Optional[tuple[str, str]]:
        """(path, text) of the module ``from <level dots><module> import ...`` names in ``importer``."""
        return self.first(python_candidates(importer, module, level))

    def js_module(self, importer: str, specifier: str) -> Optional[tuple[str, str]]:
        """(path, text) of the module a relative ``import ... from '<specifier>'`` names in ``importer``."""
        return self.first(js_candidates(importer, specifier))


def _normal(path: str) -> Optional[str]:
    normal = posixpath.normpath(path)
    return None if normal.startswith("../") or normal in ("..", ".") or normal.startswith("/") else normal


def python_candidates(importer: str, module: str, level: int) -> list[str]:
    folder = posixpath.dirname(importer)
    parts = [p for p in module.split(".") if p]
    if not all(p.isidentifier() for p in parts):
        return []
    if level > 0:
        above = folder.split("/") if folder else []
        if level - 1 > len(above):
            return []
        roots = ["/".join(above[:len(above) - (level - 1)])]
        if not parts:
            return []
    else:
        if not parts:
            return []
        above = folder.split("/") if folder else []
        roots = [folder]
        roots += ["/".join(above[:i - 1]) for i in range(len(above), 0, -1) if above[i - 1] == parts[0]]
        roots += ["", "src"]
    out: list[str] = []
    tail = "/".join(parts)
    for root in roots:
        for name in (f"{tail}.py", f"{tail}/__init__.py"):
            rel = _normal(f"{root}/{name}" if root else name)
            if rel is not None and rel not in out:
                out.append(rel)
    return out


def js_candidates(importer: str, specifier: str) -> list[str]:
    if not specifier.startswith(("./", "../")) or any(c in specifier for c in "?#\\:"):
        return []
    joined = _normal(posixpath.join(posixpath.dirname(importer), specifier))
    if joined is None:
        return []
    stem, ext = posixpath.splitext(joined)
    out: list[str] = []
    if ext in _JS_EXTENSIONS:
        out.append(joined)
        out += [stem + e for e in _JS_OUTPUT_EXTENSIONS.get(ext, ())]
    else:
        out += [joined + e for e in _JS_EXTENSIONS[:5]]
        out += [f"{joined}/index{e}" for e in (".ts", ".js")]
    return out
