"""Every built-in rule proves, through its own `examples`, that it fires and that it stays quiet."""
from __future__ import annotations

import pytest

from sentinel_hooks.engine.matcher import Engine
from sentinel_hooks.engine.rules import build_ruleset
from sentinel_hooks.engine.units import TextUnit

RULES = build_ruleset([], [])
ENGINE = Engine(RULES, inline_suppressions=False)

DEFAULT_PATH = {
    "python": "server.py", "javascript": "server.js", "typescript": "server.ts", "json": "config.json",
    "yaml": "config.yaml", "toml": "pyproject.toml", "shell": "install.sh", "dockerfile": "Dockerfile",
    "markdown": "README.md", "html": "index.html", "requirements": "requirements.txt",
}


def example_path(rule) -> str:
    if rule.examples.path:
        return rule.examples.path
    for lang in rule.languages:
        if lang in DEFAULT_PATH:
            return DEFAULT_PATH[lang]
    return "settings.py" if not rule.paths else rule.paths[0].lstrip("*/").replace("*", "x")


def fired(rule, text: str) -> list:
    base = rule.examples.base
    unit = TextUnit(path=example_path(rule), text=text,
                    base_text_loader=(lambda: base) if base is not None else None)
    return [f for f in ENGINE.scan(unit) if f.rule_id == rule.id]


def test_every_rule_has_examples():
    missing = [r.id for r in RULES if not r.examples.match or not r.examples.no_match]
    assert not missing, f"rules without match/no_match examples: {missing}"


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.id)
def test_examples(rule):
    for text in rule.examples.match:
        assert fired(rule, text), f"{rule.id} did not fire on its example:\n{text}"
    for text in rule.examples.no_match:
        found = fired(rule, text)
        assert not found, f"{rule.id} fired on its no_match example:\n{text}\n-> {found[0].snippet}"
