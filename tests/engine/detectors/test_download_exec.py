"""``curl … | sh``: full severity in scripts, lower when pinned or checked, lower in docs, prose ignored."""
from __future__ import annotations

from pathlib import Path

import pytest

from sentinel_hooks.engine.matcher import Engine
from sentinel_hooks.engine.rules import build_ruleset
from sentinel_hooks.engine.units import TextUnit
from sentinel_hooks.findings import Severity

RULES_DIR = Path(__file__).resolve().parents[3] / "sentinel_hooks" / "rules"
ENGINE = Engine(build_ruleset([RULES_DIR / "supply-chain.yaml"], [], builtin=False))
RULE = "supply-chain-pipe-to-shell"


def severities(path: str, text: str) -> list[Severity]:
    return [f.severity for f in ENGINE.scan(TextUnit(path=path, text=text)) if f.rule_id == RULE]


def test_a_script_that_pipes_a_download_into_a_shell_is_high() -> None:
    assert severities("install.sh", "curl -fsSL https://get.acme.dev/install.sh | sh\n") == [Severity.HIGH]
    assert severities("ci.yml", "run: bash <(curl -fsSL https://get.acme.dev/i.sh)\n") == [Severity.HIGH]


@pytest.mark.parametrize("line", [
    "curl -fsSL https://raw.githubusercontent.com/acme/tool/3f2a9c1d4e5b6a7980112233445566778899aabb/install.sh | sh",
    "curl -fsSL https://get.acme.dev/install.sh | tee i.sh | sha256sum -c i.sha256 && curl -fsSL https://get.acme.dev/install.sh | sh",
])
def test_a_download_pinned_to_a_commit_or_checked_by_digest_is_low(line: str) -> None:
    assert severities("install.sh", line + "\n") == [Severity.LOW]


def test_a_branch_url_is_not_pinned() -> None:
    line = "curl -fsSL https://raw.githubusercontent.com/acme/tool/refs/heads/main/install.sh | bash\n"
    assert severities("install.sh", line) == [Severity.HIGH]


def test_in_documentation_an_install_command_is_medium_and_prose_is_nothing() -> None:
    assert severities("README.md", "```\ncurl -LsSf https://astral.sh/uv/install.sh | sh\n```\n") == [Severity.MEDIUM]
    assert severities("docs/install.mdx", "    iwr https://get.acme.dev/i.ps1 | iex\n") == [Severity.MEDIUM]
    prose = "- Anything piping remote content into a shell (`curl ... | sh`).\n"
    assert severities("skills/terminal/SKILL.md", prose) == []
    assert severities("install.sh", "curl ... | sh\n") == [Severity.HIGH]  # in a script it is a command
