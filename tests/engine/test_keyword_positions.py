"""One reading of a text gives every asker the offsets ``str.find`` would, for the literals the index
knew when it read the text and for those it did not."""
from __future__ import annotations

from sentinel_hooks.engine.keyword_positions import KeywordPositions
from sentinel_hooks.engine.text_gate import find_all, keyword_windows

TEXT = 'api_key = "x"\n# passpass é token\nsecret_key: str = \'keykey\'\nauthorization: bearer\n'


def test_offsets_match_find_all_with_overlaps_and_non_ascii_text():
    index = KeywordPositions()
    index.add(["key", "pass", "token", "keyk", "absent"])
    positions = index.of(TEXT)
    for literal in ("key", "pass", "token", "keyk", "absent"):
        assert positions.offsets(literal) == find_all(TEXT, [literal])
    assert positions.offsets_of(["pass", "key"]) == find_all(TEXT, ["pass", "key"])


def test_a_literal_added_while_a_text_is_read_is_looked_up_then_joins_for_the_next_text():
    index = KeywordPositions()
    index.add(["key"])
    positions = index.of(TEXT)
    index.add(["authorization"])
    assert positions.offsets("authorization") == [TEXT.index("authorization")]
    assert "authorization" not in index.known
    other = TEXT.upper().lower() + "authorization"
    assert index.of(other).offsets("authorization") == find_all(other, ["authorization"])
    assert "authorization" in index.known


def test_the_same_text_is_read_once():
    index = KeywordPositions()
    index.add(["key"])
    assert index.of(TEXT) is index.of(TEXT)


def test_keyword_windows_from_positions_equal_those_from_find():
    index = KeywordPositions()
    index.add(["key", "token"])
    for reach in (1, 20, 512):
        assert keyword_windows(TEXT, TEXT, ["key", "token"], reach, index.of(TEXT)) == \
            keyword_windows(TEXT, TEXT, ["key", "token"], reach)


def test_the_engine_keeps_no_text_once_a_unit_is_scanned():
    from sentinel_hooks.engine.keyword_positions import SHARED
    from sentinel_hooks.engine.matcher import Engine
    from sentinel_hooks.engine.rules import parse_pack
    from sentinel_hooks.engine.units import TextUnit

    rule = ("pack: t\nrules:\n  - id: near-key\n    title: t\n    severity: low\n    confidence: low\n"
            "    cwe: CWE-1\n    category: secrets\n    description: d\n    remediation: r\n"
            "    keywords: [key]\n    keyword_reach: 8\n    regex: 'key = \\d+'\n")
    engine = Engine(parse_pack(rule, "t.yaml").rules)
    assert [f.line for f in engine.scan(TextUnit("a.txt", "x\nkey = 1\n"))] == [2]
    assert SHARED._last is None
