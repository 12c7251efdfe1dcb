"""A small vulnerable project, a rule pack of its own, and a helper that scans it in-process."""
from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from sentinel_hooks.cli import main

SECRET = "demo_Q7wE9rT2yU4iO6pA8sD0fG1h"
OTHER_SECRET = "demo_Z3xC5vB7nM9qW1eR2tY4uI6o"

PACK = r"""
pack: report-tests
description: Rules for the report tests.
rules:
  - id: demo-token
    title: Demo service token
    severity: critical
    confidence: high
    cwe: CWE-798
    category: secrets
    description: A demo service token is written in the source.
    remediation: Revoke the token and read it from the environment.
    keywords: [demo_]
    regex: '\b(demo_[A-Za-z0-9]{24})\b'
    secret: true
    secret_group: 1
  - id: demo-script-tag
    title: Script element in markup
    severity: medium
    confidence: medium
    cwe: CWE-79
    category: xss
    description: A script element is written into markup that is built from strings.
    remediation: Escape the markup or build it with a templating engine that escapes.
    keywords: ["<script"]
    regex: '<script>[^"]*'
  - id: demo-eval
    title: Dynamic evaluation
    severity: high
    confidence: low
    cwe: CWE-95
    category: injection
    description: Text is evaluated as code.
    remediation: Parse the data instead of evaluating it.
    keywords: ["eval("]
    regex: '\beval\('
  - id: demo-debug
    title: Debug mode on
    severity: low
    confidence: medium
    cwe: CWE-489
    category: mcp-config
    description: Debug mode is switched on.
    remediation: Switch debug mode off in production.
    keywords: [debug]
    regex: 'DEBUG\s*=\s*True'
  - id: demo-unused
    title: Never fires
    severity: high
    confidence: high
    cwe: CWE-20
    category: injection
    description: A rule that matches nothing in the project.
    remediation: Nothing to do.
    keywords: [zzzneverzzz]
    regex: 'zzzneverzzz'
"""

PLANTED = ("<script>document.title='pwned';document.body.appendChild(Object.assign("
           "document.createElement('div'),{id:'pwned'}))</script></textarea></script><!--")

FILES = {
    "app.py": (
        "import os\n"
        f'TOKEN = "{SECRET}"\n'
        "DEBUG = True\n"
        "result = eval(os.environ['EXPR'])\n"
        f'FALLBACK = "{OTHER_SECRET}"  # mcp-sentinel: ignore\n'
    ),
    "web/page.py": f'PAGE = "{PLANTED}"\n',
    "dir with space/ñame.py": "value = eval(input())\n",
}


@dataclass
class Scan:
    code: int
    outputs: dict[str, Path]

    def text(self, fmt: str) -> str:
        return self.outputs[fmt].read_text(encoding="utf-8")

    def load(self, fmt: str) -> dict:
        return json.loads(self.text(fmt))


def write_project(tmp_path: Path) -> Path:
    """The project as a git repository in ``tmp_path/project``, its rule pack in ``tmp_path/pack.yaml``."""
    root = tmp_path / "project"
    for rel, text in FILES.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    subprocess.run(["git", "init", "-q", str(root)], check=True, capture_output=True)
    (tmp_path / "pack.yaml").write_text(PACK, encoding="utf-8")
    return root


@pytest.fixture
def project(tmp_path: Path, monkeypatch) -> Path:
    root = write_project(tmp_path)
    monkeypatch.chdir(root)
    return root


@pytest.fixture
def scan(project: Path, tmp_path: Path):
    """Scan the project in-process into the given formats; returns exit code and report paths."""
    out_dir = tmp_path / "reports"
    out_dir.mkdir()

    def _scan(*formats: str, extra: tuple[str, ...] = ()) -> Scan:
        argv = ["scan", ".", "--no-builtin-rules", "--rules", str(tmp_path / "pack.yaml")]
        outputs = {}
        for fmt in formats:
            outputs[fmt] = out_dir / f"report.{fmt}"
            argv += ["-o", fmt, "--output-file", str(outputs[fmt])]
        return Scan(main(argv + list(extra)), outputs)

    return _scan
