"""The labelled corpus: realistic files whose expected findings are declared next to the code.

Markers, in any comment on a line:
  expect: RULE_ID[, RULE_ID]   this line must produce a finding of each rule named (a true positive)
  ok: RULE_ID[, RULE_ID]       this line must not produce them (a true negative, counted per rule)
For files that cannot hold comments (JSON), a sidecar `<file>.expect` holds lines
`LINE expect|ok RULE_ID[,RULE_ID]`. A sidecar `<file>.base` holds the file as it was at the
baseline, for rules that compare against it (tool metadata drift). The test fails on any missed or
unexpected finding, and every rule needs at least two true positives and two true negatives across
the corpus.
"""
from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from sentinel_hooks.engine.matcher import Engine
from sentinel_hooks.engine.rules import build_ruleset
from sentinel_hooks.engine.units import TextUnit
from sentinel_hooks.sources.files import decode
from sentinel_hooks.sources.modules import DirectoryModules, scan_root

from corpus_labels import CORPUS, corpus_files, expectations  # noqa: F401 (shared with benchmarks)

RULES = build_ruleset([], [])
ENGINE = Engine(RULES)


def scan(path: Path) -> set[tuple[int, str]]:
    rel = path.relative_to(CORPUS).as_posix().split("/", 1)[1]
    text = decode(path.read_bytes())
    base = path.with_name(path.name + ".base")
    loader = (lambda: decode(base.read_bytes())) if base.exists() else None
    root = scan_root(str(path), rel)  # constants imported from the case's other modules are read there
    unit = TextUnit(path=rel, text=text, base_text_loader=loader,
                    modules=DirectoryModules(root) if root is not None else None)
    return {(f.line, f.rule_id) for f in ENGINE.scan(unit) if not f.suppressed}


@pytest.mark.parametrize("path", corpus_files(), ids=lambda p: p.relative_to(CORPUS).as_posix())
def test_corpus_file(path: Path):
    text = decode(path.read_bytes())
    expect, ok = expectations(path, text)
    found = scan(path)
    missed = sorted(expect - found)
    unexpected = sorted(found - expect)
    assert not missed and not unexpected, f"missed: {missed}; unexpected: {unexpected}"
    assert not (found & ok)


def test_every_rule_has_two_true_positives_and_two_true_negatives():
    tp: Counter = Counter()
    tn: Counter = Counter()
    for path in corpus_files():
        expect, ok = expectations(path, decode(path.read_bytes()))
        tp.update(r for _, r in expect)
        tn.update(r for _, r in ok)
    lacking = [r.id for r in RULES if tp[r.id] < 2 or tn[r.id] < 2]
    assert not lacking, f"rules with fewer than 2 true positives or 2 true negatives in the corpus: {lacking}"
