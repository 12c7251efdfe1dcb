"""Secrets never reach a report: snippets are masked, including long secrets on long lines,
and a generic match yields to a specific rule on the same line."""
from __future__ import annotations

import random
import string

from sentinel_hooks.engine.matcher import Engine
from sentinel_hooks.engine.rules import build_ruleset
from sentinel_hooks.engine.units import TextUnit
from sentinel_hooks.findings import Confidence

ENGINE = Engine(build_ruleset([], []))
RNG = random.Random(321)


def rand(alphabet: str, n: int) -> str:
    return "".join(RNG.choice(alphabet) for _ in range(n))


def scan(path: str, text: str):
    return ENGINE.scan(TextUnit(path=path, text=text))


def test_long_secret_on_a_long_line_is_masked_in_the_trimmed_snippet():
    key = "sk-proj-" + rand(string.ascii_letters + string.digits, 74) + "T3BlbkFJ" + rand(string.ascii_letters, 74)
    line = "client = OpenAI(" + "x=1, " * 20 + f'api_key="{key}")  # inline config'
    [finding] = [f for f in scan("server.py", line + "\n") if f.rule_id == "openai-api-key"]
    assert len(finding.snippet) < len(line)
    assert key[12:40] not in finding.snippet
    assert finding.secret is None


def test_specific_rule_wins_over_generic_assignment():
    token = "gsk_" + rand(string.ascii_letters + string.digits, 52)
    ids = [f.rule_id for f in scan("config.py", f'GROQ_API_KEY = "{token}"\n')]
    assert ids == ["groq-api-key"]


def test_generic_secret_in_test_path_is_low_confidence():
    value = rand(string.ascii_letters + string.digits, 24)
    [prod] = scan("app/config.py", f'DB_PASSWORD = "{value}"\n')
    [test] = scan("tests/test_db.py", f'DB_PASSWORD = "{value}"\n')
    assert prod.rule_id == test.rule_id == "generic-secret-assignment"
    assert prod.confidence == Confidence.MEDIUM and test.confidence == Confidence.LOW


def test_word_like_generic_value_is_low_confidence():
    [finding] = scan("app/config.py", 'DB_PASSWORD = "Summerholiday2024"\n')
    assert finding.confidence == Confidence.LOW


def test_bad_checksum_is_reported_with_low_confidence():
    token = "ghp_" + rand(string.ascii_letters + string.digits, 36)
    [finding] = scan("app/config.py", f'TOKEN = "{token}"\n')
    assert finding.rule_id == "github-pat-classic"
    assert finding.confidence == Confidence.LOW
