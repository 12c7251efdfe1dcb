"""How the labelled corpus declares its expectations (shared by the corpus test and the detection benchmark).

Markers, in any comment on a line: `expect: RULE_ID[, RULE_ID]` (a true positive) and `ok: RULE_ID[, ...]`
(a true negative). Files that cannot hold comments (JSON) use a sidecar `<file>.expect` of lines
`LINE expect|ok RULE_ID[,RULE_ID]`; a sidecar `<file>.base` holds the file as it was at the baseline.
"""
from __future__ import annotations

import re
from pathlib import Path

CORPUS = Path(__file__).parent / "corpus"
MARKER = re.compile(r"\b(expect|ok):\s*([A-Za-z0-9_.,\s-]+?)\s*(?:-->|\*/|#|$)")  # several markers: "# ok: A  # expect: B"


def corpus_files(root: Path = CORPUS) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file() and p.suffix not in (".expect", ".base")
                  and p.name != "README.md")


def expectations(path: Path, text: str) -> tuple[set[tuple[int, str]], set[tuple[int, str]]]:
    expect: set[tuple[int, str]] = set()
    ok: set[tuple[int, str]] = set()
    sidecar = path.with_name(path.name + ".expect")
    if sidecar.exists():
        for raw in sidecar.read_text(encoding="utf-8").splitlines():
            if not raw.strip() or raw.lstrip().startswith("#"):
                continue
            line_no, kind, ids = raw.split(None, 2)
            target = expect if kind == "expect" else ok
            target.update((int(line_no), i.strip()) for i in ids.split(",") if i.strip())
    else:
        for n, line in enumerate(text.splitlines(), 1):
            for m in MARKER.finditer(line):
                target = expect if m.group(1) == "expect" else ok
                target.update((n, i.strip()) for i in m.group(2).split(",") if i.strip())
    return expect, ok
