"""Inline suppression markers count only in real comments of the file's language: not inside string
literals, JSON values or docstrings, where no reviewer sees a comment; `ignore[]` suppresses nothing
and is itself reported."""
from __future__ import annotations

import json

import pytest

from hardening.hardening_kit import Sandbox, assert_exit, assert_no_traceback, marker_rule
from gitutil import git

HIGH = 4
M = "PLANTEDMARKER_1"


def scan(sandbox: Sandbox, *args: str) -> tuple[int, list[tuple[str, int, str, bool]]]:
    (sandbox.base / "rules.yaml").write_text(marker_rule())
    proc = sandbox.run(["scan", "--no-cache", "--rules", str(sandbox.base / "rules.yaml"), "-o", "json", *args])
    assert_no_traceback(proc)
    doc = json.loads(proc.stdout)
    return proc.returncode, sorted((f["path"], f["line"], f["rule_id"], f["suppressed"]) for f in doc["findings"]
                                   if f["rule_id"] in ("hardening-marker", "malformed-suppression"))


NOT_COMMENTS = {
    "url.py": f'DOC = "https://wiki.example/x#mcp-sentinel:ignore"; key = "{M}"\n',
    "single.py": f"note = '# mcp-sentinel: ignore'; key = '{M}'\n",
    "doc.py": f'def f():\n    """Usage:\n    # mcp-sentinel: ignore\n    key = {M}\n    """\n',
    "values.json": f'{{"key": "{M}", "note": ";mcp-sentinel:ignore"}}\n',
    "hash.json": f'{{"key": "{M}", "note": "#mcp-sentinel:ignore"}}\n',
    "slashes.json": f'{{"key": "{M}", "note": "// mcp-sentinel: ignore"}}\n',
    "app.js": f'const note = "// mcp-sentinel: ignore", key = "{M}";\n',
    "tmpl.ts": f"const note = `\n// mcp-sentinel: ignore\n`; const key = '{M}';\n",
    "conf.yaml": f"url: https://wiki.example/x#mcp-sentinel:ignore {M}\n",
    "page.html": f'<a title="<!-- mcp-sentinel: ignore -->">{M}</a>\n',
}
REAL_COMMENTS = {
    "ok.py": f'key = "{M}"  # mcp-sentinel: ignore\n',
    "above.py": f'# mcp-sentinel: ignore[hardening-marker]\nkey = "{M}"\n',
    "ok.js": f'const key = "{M}"; // mcp-sentinel: ignore\n',
    "block.ts": f'/* mcp-sentinel: ignore */ const key = "{M}";\n',
    "ok.jsonc": f'{{"key": "{M}"}} // mcp-sentinel: ignore\n',
    "ok.yaml": f"key: {M}  # mcp-sentinel: ignore\n",
    "ok.html": f"<b>{M}</b> <!-- mcp-sentinel: ignore -->\n",
    "ok.sh": f"KEY={M}  # mcp-sentinel: ignore\n",
}


def lines_of(name: str, body: str) -> int:
    return next(i for i, line in enumerate(body.splitlines(), 1) if M in line)


@pytest.mark.parametrize("mode", ["full", "--staged"])
def test_markers_outside_real_comments_suppress_nothing(sandbox, mode):
    git(sandbox.work, "init", "-q", "-b", "main")
    for name, body in {**NOT_COMMENTS, **REAL_COMMENTS}.items():
        (sandbox.work / name).write_text(body)
    git(sandbox.work, "add", "-A")
    code, found = scan(sandbox, *([] if mode == "full" else [mode]))
    assert code == HIGH
    expected = sorted([(n, lines_of(n, b), "hardening-marker", False) for n, b in NOT_COMMENTS.items()]
                      + [(n, lines_of(n, b), "hardening-marker", True) for n, b in REAL_COMMENTS.items()])
    assert found == expected


@pytest.mark.parametrize("fmt", ["json", "sarif", "gitlab-sast", "terminal"])
def test_empty_brackets_suppress_nothing_and_are_reported(sandbox, fmt):
    (sandbox.work / "a.py").write_text(f'key = "{M}"  # mcp-sentinel: ignore[]\n'
                                       f'other = "{M.replace("1", "2")}"  # mcp-sentinel: ignore[ , ]\n')
    (sandbox.base / "rules.yaml").write_text(marker_rule())
    proc = sandbox.run(["scan", "--no-cache", "--rules", str(sandbox.base / "rules.yaml"), "-o", fmt])
    assert_exit(proc, HIGH)
    out = proc.stdout.decode()
    assert out.count("malformed-suppression") >= 2
    if fmt == "json":
        doc = json.loads(out)
        assert [f["rule_id"] for f in doc["findings"] if not f["suppressed"]].count("hardening-marker") == 2
        assert doc["summary"]["suppressed"] == 0
