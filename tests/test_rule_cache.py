import json
from pathlib import Path

from sentinel_hooks import rule_cache
from sentinel_hooks.engine import rules


def test_the_built_in_rule_set_is_served_from_its_cache(tmp_path: Path, monkeypatch):
    first = rule_cache.load_rules([], [], cache_dir=tmp_path)
    calls = []
    monkeypatch.setattr(rules, "build_ruleset", lambda *a, **k: calls.append(a) or [])
    second = rule_cache.load_rules([], [], cache_dir=tmp_path)
    assert calls == [] and [r.id for r in second] == [r.id for r in first]


def test_a_cached_rule_of_the_wrong_shape_rebuilds_the_set(tmp_path: Path):
    first = rule_cache.load_rules([], [], cache_dir=tmp_path)
    (entry,) = (tmp_path / "rules").glob("*.json")
    doc = json.loads(entry.read_text())
    doc["rules"][0]["keywords"] = [1, 2]
    entry.write_text(json.dumps(doc))
    again = rule_cache.load_rules([], [], cache_dir=tmp_path)
    assert again[0].keywords == first[0].keywords
