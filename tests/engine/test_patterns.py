"""Lazily compiled patterns and the rule packs' flag names."""
from __future__ import annotations

import re

import pytest

from sentinel_hooks.engine.patterns import FLAG_NAMES, LazyPattern, flag_value, lazy


def test_a_lazy_pattern_compiles_on_first_use_and_then_behaves_as_the_compiled_one(monkeypatch):
    compiled = []
    real = re.compile
    monkeypatch.setattr(re, "compile", lambda *a: compiled.append(a) or real(*a))
    pattern = lazy(r"(?P<word>ab+)", re.IGNORECASE)
    assert compiled == []
    assert pattern.search("xABBy").group("word") == "ABB"
    assert [m.group(0) for m in pattern.finditer("ab abb")] == ["ab", "abb"]
    assert pattern.sub("-", "abab") == "--" and pattern.groups == 1 and pattern.groupindex == {"word": 1}
    assert compiled == [(r"(?P<word>ab+)", re.IGNORECASE)]  # once


def test_a_bad_lazy_pattern_fails_when_used():
    pattern = LazyPattern("(")
    with pytest.raises(re.error):
        pattern.search("x")


def test_flag_names():
    assert flag_value([]) == 0
    assert flag_value(["ignorecase", "dotall"]) == re.IGNORECASE | re.DOTALL
    assert set(FLAG_NAMES) == {"ignorecase", "multiline", "dotall", "verbose"}
