"""A client configuration that runs the repository's own package unpinned is reported LOW."""
from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from sentinel_hooks import own_package
from sentinel_hooks.cli import main

CONFIG = '{"mcpServers": {"own": {"command": "npx", "args": ["-y", "%s"]}}}\n'


@pytest.fixture
def repo(tmp_path: Path, monkeypatch) -> Path:
    root = tmp_path / "repo"
    root.mkdir()
    subprocess.run(["git", "init", "-q", str(root)], check=True, capture_output=True)
    monkeypatch.chdir(root)
    return root


def scan(root: Path, tmp_path: Path) -> dict[str, dict]:
    out = tmp_path / "r.json"
    main(["scan", ".", "--no-cache", "-o", "json", "--output-file", str(out)])
    doc = json.loads(out.read_text(encoding="utf-8"))
    return {f["path"]: f for f in doc["findings"] if f["rule_id"] == own_package.RULE_ID}


def test_own_npm_package_is_low_and_a_third_party_one_keeps_medium(repo: Path, tmp_path: Path) -> None:
    (repo / "package.json").write_text('{"name": "@acme/desk-commander", "version": "1.0.0"}', encoding="utf-8")
    (repo / ".mcp.json").write_text(CONFIG % "@acme/desk-commander@latest", encoding="utf-8")
    (repo / ".roo").mkdir()
    (repo / ".roo" / "mcp.json").write_text(CONFIG % "@other/docs-mcp", encoding="utf-8")
    by_path = scan(repo, tmp_path)
    own, other = by_path[".mcp.json"], by_path[".roo/mcp.json"]
    assert own["severity"] == "LOW" and own["extra"]["rule_severity"] == "MEDIUM" and own["extra"]["own_package"]
    assert other["severity"] == "MEDIUM" and "own_package" not in other["extra"]


def test_own_pypi_package_compares_normalised_names(repo: Path, tmp_path: Path) -> None:
    (repo / "pyproject.toml").write_text('[build-system]\nname = "x"\n\n[project]\nname = "Acme_MCP"\n',
                                         encoding="utf-8")
    (repo / "mcp.json").write_text(
        '{"mcpServers": {"own": {"command": "uvx", "args": ["acme-mcp"]},'
        ' "fetch": {"command": "uvx", "args": ["mcp-server-fetch"]}}}\n', encoding="utf-8")
    out = tmp_path / "all.json"
    main(["scan", ".", "--no-cache", "-o", "json", "--output-file", str(out)])
    severities = {f["extra"]["package"]: f["severity"] for f in json.loads(out.read_text())["findings"]
                  if f["rule_id"] == own_package.RULE_ID}
    assert severities == {"acme-mcp": "LOW", "mcp-server-fetch": "MEDIUM"}


def test_a_symlinked_manifest_names_no_package(repo: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere.json"
    elsewhere.write_text('{"name": "@acme/desk-commander"}', encoding="utf-8")
    (repo / "package.json").symlink_to(elsewhere)
    (repo / ".mcp.json").write_text(CONFIG % "@acme/desk-commander@latest", encoding="utf-8")
    assert scan(repo, tmp_path)[".mcp.json"]["severity"] == "MEDIUM"


@pytest.mark.parametrize("text, name", [
    ('[project]\nname = "acme-mcp"\nversion = "1"\n', "acme-mcp"),
    ("[tool.poetry]\nname = 'acme'\n", "acme"),
    ('[tool.black]\nname = "nope"\n', None),
    ("not toml at all [", None),
])
def test_pyproject_name(text: str, name) -> None:
    assert own_package.pyproject_name(text) == name


@pytest.mark.parametrize("text", ["", "[]", '{"name": 3}', "{not json"])
def test_package_json_without_a_name(text: str) -> None:
    assert own_package.npm_name(text) is None
