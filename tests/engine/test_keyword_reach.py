"""Built-in rules that declare ``keyword_reach`` find exactly what a search of the whole file finds,
on the labelled corpus, the bundled example and a spread of the running interpreter's standard library."""
from __future__ import annotations

import sysconfig
from pathlib import Path

from sentinel_hooks.records import replace
from sentinel_hooks.rule_cache import load_rules
from sentinel_hooks.engine.matcher import Engine
from sentinel_hooks.engine.units import TextUnit
from sentinel_hooks.sources.files import decode

from corpus_labels import CORPUS, corpus_files

EXAMPLE = Path(__file__).resolve().parents[2] / "examples"


def samples() -> list[tuple[str, str]]:
    out = [(p.relative_to(CORPUS).as_posix().split("/", 1)[1], decode(p.read_bytes())) for p in corpus_files()]
    out += [(p.relative_to(EXAMPLE).as_posix(), decode(p.read_bytes())) for p in sorted(EXAMPLE.rglob("*"))
            if p.is_file()]
    stdlib = sorted(p for p in Path(sysconfig.get_paths()["stdlib"]).rglob("*.py") if "site-packages" not in p.parts)
    out += [(p.name, decode(p.read_bytes())) for p in stdlib[::4]]
    return out


def findings(rules, texts) -> set[tuple]:
    engine = Engine(rules)
    return {(f.rule_id, path, f.line, f.column, f.end_line, f.end_column, f.confidence.name)
            for path, text in texts for f in engine.scan(TextUnit(path, text))}


def test_rules_with_a_keyword_reach_lose_nothing_on_real_files(tmp_path):
    reaching = [r for r in load_rules([], [], cache_dir=tmp_path) if getattr(r, "keyword_reach", None)]
    assert len(reaching) > 50  # the secrets pack declares it for its token rules
    whole = [replace(rule, keyword_reach=None) for rule in reaching]
    texts = samples()
    near = findings(reaching, texts)
    assert near == findings(whole, texts)
    assert len({f[0] for f in near}) > 20  # many of these rules do fire on the samples
