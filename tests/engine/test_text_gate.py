"""Literal-anchored regex gates: the same answers as the plain pattern, found from literals."""
from __future__ import annotations

import functools
import re
import sysconfig
from pathlib import Path

import pytest

from sentinel_hooks.engine.detectors import python_sinks
from sentinel_hooks.engine.literal_automaton import DFA_AFTER_CHARS, LiteralAutomaton
from sentinel_hooks.engine.text_gate import AllOf, Gate, LiteralIndex
from sentinel_hooks.text_lines import lines_of

CORPUS = Path(__file__).resolve().parents[1] / "corpus"
PYTHON_GATES = {name: getattr(python_sinks, name) for name in dir(python_sinks)
                if name.endswith("_GATE") and isinstance(getattr(python_sinks, name), Gate)}


@functools.lru_cache(maxsize=1)
def real_python_sources(limit: int = 400) -> list[str]:
    """The labelled corpus plus a spread of the running interpreter's standard library."""
    files = sorted(CORPUS.rglob("*.py"))
    stdlib = sorted(p for p in Path(sysconfig.get_paths()["stdlib"]).rglob("*.py") if "site-packages" not in p.parts)
    files += stdlib[:: max(len(stdlib) // limit, 1)]
    return [p.read_text(encoding="utf-8", errors="replace") for p in files]


def test_a_windowed_gate_finds_matches_near_its_literals_only_within_reach():
    gate = Gate(re.compile(r"secret\s*=\s*\w+"), ("secret",), reach=40)
    assert gate.search("x = 1\nsecret = abc\n")
    assert not gate.search("x = 1\nsecrets are fine\n")
    assert not gate.search("no literal at all = value")
    long_gap = "secret" + " " * 100 + "= value"
    assert re.search(r"secret\s*=\s*\w+", long_gap) and not gate.search(long_gap)  # longer than the reach


def test_an_anchored_gate_tries_the_pattern_only_where_a_literal_starts():
    pattern = re.compile(r"(?<![\w.])eval\s*\(")
    gate = Gate(pattern, ("eval",), anchored=True)
    text = "x.eval(a)\nretrieval(b)\n  eval (c)\n"
    assert gate.search(text)
    assert gate.offsets(text) == [m.start() for m in pattern.finditer(text)]
    assert lines_of(text, gate.offsets(text)) == {3}
    assert not gate.search("x.eval(a)\nmedieval(b)\n")


def test_a_case_insensitive_gate_looks_literals_up_in_the_lowered_text():
    gate = Gate(re.compile(r"(?i)\bselect\b.{0,20}\bfrom\b"), ("select",), ignore_case=True, anchored=True)
    assert gate.search('q = "SELECT * FROM t"')
    assert gate.search('q = "SELECT * FROM t"', lowered='q = "select * from t"')
    # "İ" lowers to two characters: offsets of the lowered text no longer fit, the plain search runs
    assert gate.search('name = "İstanbul"; q = "Select a From b"')
    assert not gate.search('selection = "from"')


def test_offsets_are_ascending_and_unique_when_literals_overlap():
    pattern = re.compile(r"exec\w*\(")
    gate = Gate(pattern, ("exec", "execute"), anchored=True)
    text = "a.execute(1); exec(2); b.executemany(3)"
    assert gate.offsets(text) == [m.start() for m in pattern.finditer(text)]


def test_all_of_passes_only_where_each_of_its_gates_passes():
    call = Gate(re.compile(r"(?<![\w.])loads\("), ("loads",), anchored=True)
    module = Gate(re.compile(r"(?i)\bpickle\b"), ("pickle",), ignore_case=True, anchored=True)
    both = AllOf((call, module))
    assert both.ignore_case
    assert both.search("from pickle import loads\nloads(data)\n")
    assert both.search("from PICKLE import loads\nloads(data)\n", lowered="from pickle import loads\nloads(data)\n")
    assert not both.search("from json import loads\nloads(data)\n")
    assert not both.search("import pickle\npickle.dumps(data)\n")


def test_every_composite_python_gate_is_made_of_gates_checked_below():
    composites = [getattr(python_sinks, n) for n in dir(python_sinks) if isinstance(getattr(python_sinks, n), AllOf)]
    assert composites
    assert all(part in PYTHON_GATES.values() for gate in composites for part in gate.gates)


@pytest.mark.parametrize("name", sorted(PYTHON_GATES))
def test_each_python_gate_agrees_with_its_pattern_on_real_code(name):
    gate = PYTHON_GATES[name]
    sources = real_python_sources()
    assert len(sources) > 100
    disagreements = [i for i, text in enumerate(sources)
                     if gate.search(text) != bool(gate.pattern.search(text))]
    assert disagreements == []
    if gate.anchored:  # every match start is a literal occurrence, so offsets hold them all
        for text in sources:
            expected = {m.start() for m in gate.pattern.finditer(text)}
            assert expected <= set(gate.offsets(text))


def test_the_literal_index_finds_every_literal_a_text_holds_overlapping_ones_included():
    index = LiteralIndex()
    index.add(("exec", "execute", "cute", "socket"))
    found = index.found("cursor.execute(q)")
    assert {lit for lit in ("exec", "execute", "cute", "socket") if lit in found} == {"exec", "execute", "cute"}


def test_a_literal_added_after_a_text_was_read_is_looked_up_in_that_text():
    index = LiteralIndex()
    index.add(("eval",))
    found = index.found("os.system(cmd)")
    index.add(("system", "popen"))
    assert "system" in found and "popen" not in found and "eval" not in found
    assert "popen" in index.found("os.popen(cmd)")  # the next text reads it with the rebuilt automaton


def test_a_literal_index_past_its_dfa_threshold_finds_the_same_literals():
    index = LiteralIndex()
    index.add(("socket", "connect", "dup2"))
    text = "s = socket.socket(); s.connect(addr)\n" * 40_000  # past DFA_AFTER_CHARS
    assert len(text) > DFA_AFTER_CHARS
    for _ in range(2):
        found = index.found(text)
        assert "socket" in found and "connect" in found and "dup2" not in found


@pytest.mark.parametrize("name", sorted(PYTHON_GATES))
def test_each_python_gate_gives_the_same_answer_from_the_literals_the_index_found(name):
    gate = PYTHON_GATES[name]
    index = LiteralIndex()
    index.add(gate.literals)
    for text in real_python_sources():
        lowered = text.lower()
        found = index.found(lowered if gate.ignore_case else text)  # the text the gate reads
        assert gate.search(text, lowered, found) == gate.search(text, lowered)
        assert gate.offsets(text, lowered, found) == gate.offsets(text, lowered)


@pytest.mark.parametrize("dfa_after_chars", [1 << 30, 0])
def test_the_automaton_gives_every_offset_of_every_literal_as_str_find_does(dfa_after_chars):
    literals = ("aa", "a", "exec", "execute", "cute", "é", "load")
    automaton = LiteralAutomaton(literals, dfa_after_chars)
    for text in ("aaaa cursor.execute(q)", "é = 'é'; pickle.load(f)  # aaa", "", "nothing here"):
        expected = {}
        for literal in literals:
            hits = [i for i in range(len(text)) if text.startswith(literal, i)]
            if hits:
                expected[literal] = hits
        assert automaton.positions(text) == expected  # in characters, not UTF-8 bytes


def test_the_index_gives_offsets_of_literals_it_knew_and_of_those_added_after_the_text_was_read():
    index = LiteralIndex()
    index.add(("eval",))
    found = index.found("eval(a); eval(b)")
    index.add(("b)",))
    assert found.offsets("eval") == [0, 9] and found.offsets("b)") == [14] and found.offsets("exec") == []
    assert found.offsets_of(("b)", "eval")) == [0, 9, 14]


def test_a_gate_does_not_read_offsets_found_in_another_text_than_the_one_it_searches():
    gate = Gate(re.compile(r"(?i)select\s+\w+\s+from"), ("select",), ignore_case=True, anchored=True)
    text = "q = 'SELECT a FROM t'"
    index = LiteralIndex()
    index.add(gate.literals)
    of_text = index.found(text)
    assert "select" not in of_text  # the original text holds it in capitals only
    lowered = text.lower()
    of_lowered = index.found(lowered)
    assert gate.search(text, lowered, of_text) and gate.offsets(text, lowered, of_text) == [5]
    assert gate.search(text, lowered, of_lowered) and gate.offsets(text, lowered, of_lowered) == [5]
