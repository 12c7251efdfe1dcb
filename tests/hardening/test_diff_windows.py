"""Diff windows hold whole multi-line constructs: a private-key block whose changed body lines lie
farther than ``--context-lines`` from its unchanged BEGIN and END lines is still found."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from gitutil import git
from sentinel_hooks.cli import main

BODY = [
    "MjggHndY0HrZYry+E3Qx/g+9mXmRJsrpxBsKn71hTlG8W95cCBMIUW7WjrnFqHKX",
    "EncHf/dvDTDEMZGyyJJrbQEgr/u4e7lz+r+1SOj2HYmgzHvJSETQ3nSR6+13N+OX",
    "YDdz21TwDYosJRxwGoshM3xG0t80LDAsI4j86EjeLZo+1KmXsPimCT0/5hzUvPxS",
    "ikS3OEOmjgZBl2vutnf4LxcVTs6V/gEBONfaORt4d36GbQpuSbOLxM+LqaU+E1wH",
    "OJ+/qG921D6L4L3g1Yx94SMEoilUArQSh1T0w38iKSyAtDCoCj4MmIB+f4R2wprk",
    "w6N0+GwXCvjj6Cny72HNc694Kj6LRZOa9hP1DjnBOY5YG33sI/jL5WkqyvZB5ZvY",
    "oafE8MXWKTo2iEsVQ0tIj9PIftTK1exWK2/sg0fwtv80/5eB2lPRxY6pvVSRbiiK",
    "E+9RkNHl3jSny5A8F0+c+zFJEBBrYnPjDzUvl37GLG/p10S1epO16TPaGcxWbOn8",
    "IxzSx6QzkxFZqzXSh6pu7oUempxaB5hc/TDi/W6qppkMJSWsDgiE/ZCp3QBzpLku",
    "8S504M7tiF2TYp4DWv2c+B7qZ8ghfFbsSwTGWp7YqBw0nLuAhlRm7ubq6w+BWV6/",
    "CK7iZCj/kLUkqwi/1gphWuj8yXtbkhxSbMVAGXSHMI5sNY1h2DEDDaK3+0e4w6N0",
    "vSruwSL8Uu/IIQ2Yz107DZYS1bfNyP358OdP1gZMmS2jZvdpgzLmHz/odskJKxkB",
    "k3jFhKTftjhal3K5",
]
PLACEHOLDER = "REPLACE_ME_WITH_THE_DEPLOY_KEY"


def _block(body: list[str]) -> str:
    return "-----BEGIN RSA PRIVATE KEY-----\n" + "\n".join(body) + "\n-----END RSA PRIVATE KEY-----\n"


@pytest.fixture
def repo(make_repo, monkeypatch) -> Path:
    repo = make_repo()
    monkeypatch.chdir(repo)
    return repo


def _commit(repo: Path, message: str) -> None:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)


def _private_keys(capsys, *args: str) -> list[tuple[str, int, int]]:
    main(["scan", "--no-cache", "-o", "json", *args])
    doc = json.loads(capsys.readouterr().out)
    return [(f["path"], f["line"], f["end_line"]) for f in doc["findings"] if f["rule_id"] == "private-key"]


@pytest.mark.parametrize("context", ["0", "1", "3"])
def test_key_body_changed_far_from_begin_and_end_lines(repo, capsys, context):
    # the base holds a template block: unchanged BEGIN/END lines, placeholder body lines
    template = [BODY[0], BODY[1], BODY[2], BODY[3], PLACEHOLDER, PLACEHOLDER, BODY[8], BODY[9], BODY[10],
                BODY[11], BODY[12]]
    (repo / "deploy.pem").write_text(_block(template))
    _commit(repo, "key template")
    git(repo, "checkout", "-q", "-b", "feature")
    filled = template[:4] + BODY[4:6] + template[6:]
    (repo / "deploy.pem").write_text(_block(filled))
    _commit(repo, "fill in the key")
    # lines 6-7 changed; BEGIN is line 1 and END line 13: out of reach of every window tried
    assert _private_keys(capsys, "--baseline", "main", "--context-lines", context) == [("deploy.pem", 1, 13)]


def test_key_in_a_multiline_string_with_body_changed_in_its_middle(repo, capsys):
    lines = ["import os", "", 'DEPLOY_KEY = """-----BEGIN RSA PRIVATE KEY-----', *BODY[:4], PLACEHOLDER,
             *BODY[5:], '-----END RSA PRIVATE KEY-----"""', "", "def key():", "    return DEPLOY_KEY", ""]
    (repo / "keys.py").write_text("\n".join(lines))
    _commit(repo, "key template")
    git(repo, "checkout", "-q", "-b", "feature")
    lines[7] = BODY[4]
    (repo / "keys.py").write_text("\n".join(lines))
    assert _private_keys(capsys, "--baseline", "main", "--context-lines", "2") == [("keys.py", 3, 17)]


def test_window_is_not_widened_when_the_change_is_outside_the_block(repo, capsys):
    (repo / "deploy.pem").write_text(_block(BODY) + "\n" * 12 + "# trailer\n")
    _commit(repo, "key")
    git(repo, "checkout", "-q", "-b", "feature")
    (repo / "deploy.pem").write_text(_block(BODY) + "\n" * 12 + "# trailer changed\n")
    assert _private_keys(capsys, "--baseline", "main", "--context-lines", "3") == []
