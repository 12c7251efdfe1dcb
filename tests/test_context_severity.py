"""Findings outside shipped code are reported lower by their context, never hidden, as configured."""
from __future__ import annotations

import json
import string
import subprocess
import zlib
from pathlib import Path

import pytest

from sentinel_hooks.cli import main
from sentinel_hooks.context_severity import DEFAULT_LOWERING, apply
from sentinel_hooks.findings import Confidence, Finding, Severity



def github_token(body: str) -> str:
    """A classic GitHub token with a correct CRC32 checksum (base62, 6 characters)."""
    alphabet = string.digits + string.ascii_uppercase + string.ascii_lowercase
    number, check = zlib.crc32(body.encode()), ""
    while number:
        number, rest = divmod(number, 62)
        check = alphabet[rest] + check
    return "ghp_" + body + check.rjust(6, "0")


def finding(context: str, severity: Severity = Severity.HIGH, **extra) -> Finding:
    return Finding(rule_id="r", title="t", severity=severity, confidence=Confidence.HIGH, cwe="CWE-1",
                   path="p", line=1, column=1, end_line=1, end_column=2, snippet="s", remediation="",
                   context=context, extra=dict(extra))


def test_each_context_but_code_drops_one_level_by_default() -> None:
    findings = [finding(c) for c in ("code", "test", "example", "docs", "generated")]
    apply(findings, DEFAULT_LOWERING)
    assert [f.severity for f in findings] == [Severity.HIGH] + [Severity.MEDIUM] * 4
    assert findings[0].extra == {}
    assert findings[1].extra["rule_severity"] == "HIGH"


def test_a_build_script_drops_two_levels_but_keeps_its_secrets() -> None:
    injection = finding("build")
    injection.category = "injection"
    secret = finding("build", Severity.HIGH)
    secret.category = "secrets"
    in_code = finding("code")
    apply([injection, secret, in_code], DEFAULT_LOWERING)
    assert injection.severity == Severity.LOW and injection.extra["rule_severity"] == "HIGH"
    assert secret.severity == Severity.HIGH and "rule_severity" not in secret.extra
    assert in_code.severity == Severity.HIGH


def test_a_private_key_file_among_test_fixtures_is_reported_low() -> None:
    def key(path: str, context: str) -> Finding:
        f = finding(context, Severity.CRITICAL)
        f.rule_id, f.path, f.category = "private-key", path, "secrets"
        return f

    fixture = key("src/fixtures/certs/server-key.pem", "test")
    inline = key("tests/test_tls.py", "test")  # a key written into test code: one level lower only
    other_rule = key("tests/fixtures/server.key", "test")
    other_rule.rule_id = "generic-secret-assignment"
    shipped = key("deploy/server.key", "code")
    apply([fixture, inline, other_rule, shipped], DEFAULT_LOWERING)
    assert fixture.severity == Severity.LOW and fixture.extra["rule_severity"] == "CRITICAL"
    assert (inline.severity, other_rule.severity, shipped.severity) == (Severity.HIGH, Severity.HIGH,
                                                                        Severity.CRITICAL)
    kept = key("src/fixtures/certs/server-key.pem", "test")
    apply([kept], {**DEFAULT_LOWERING, "test": 0})  # a configuration that keeps tests' severity keeps it
    assert kept.severity == Severity.CRITICAL


def test_never_below_low_and_validated_tokens_keep_their_severity() -> None:
    low, info = finding("test", Severity.LOW), finding("test", Severity.INFO)
    token = finding("test", Severity.CRITICAL, validated=True)
    apply([low, info, token], {"test": 3})
    assert (low.severity, info.severity, token.severity) == (Severity.LOW, Severity.INFO, Severity.CRITICAL)
    crit = finding("docs", Severity.CRITICAL)
    apply([crit], {"docs": 4})
    assert crit.severity == Severity.LOW


RULES = """
pack: context-tests
rules:
  - id: demo-eval
    title: Dynamic evaluation
    severity: high
    confidence: medium
    cwe: CWE-95
    category: injection
    description: Text is evaluated as code.
    remediation: Parse the data instead.
    keywords: ["eval("]
    regex: '\\beval\\('
"""


@pytest.fixture
def project(tmp_path: Path, monkeypatch) -> Path:
    root = tmp_path / "project"
    for rel in ("src/app.py", "tests/test_app.py", "examples/demo.py", "docs/guide.md", "scripts/release.py",
                "src/pkg/scripts/cli.py"):
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text("result = eval(input())\n", encoding="utf-8")
    subprocess.run(["git", "init", "-q", str(root)], check=True, capture_output=True)
    (tmp_path / "pack.yaml").write_text(RULES, encoding="utf-8")
    monkeypatch.chdir(root)
    return root


def scan_json(tmp_path: Path, *extra: str, paths: tuple[str, ...] = (".",)) -> tuple[int, dict[str, dict]]:
    out = tmp_path / "r.json"
    code = main(["scan", *paths, "--no-builtin-rules", "--no-cache", "--rules", str(tmp_path / "pack.yaml"),
                 "-o", "json", "--output-file", str(out), *extra])
    doc = json.loads(out.read_text(encoding="utf-8"))
    return code, {f["path"]: f for f in doc["findings"]}


def test_the_scan_reports_context_and_lowered_severity(project: Path, tmp_path: Path) -> None:
    code, by_path = scan_json(tmp_path)
    assert code == 4  # the code finding keeps HIGH
    assert by_path["src/app.py"]["severity"] == "HIGH" and by_path["src/app.py"]["context"] == "code"
    for path, context in (("tests/test_app.py", "test"), ("examples/demo.py", "example"), ("docs/guide.md", "docs")):
        assert by_path[path]["context"] == context
        assert by_path[path]["severity"] == "MEDIUM"
        assert by_path[path]["extra"]["rule_severity"] == "HIGH"
    assert by_path["scripts/release.py"]["context"] == "build"
    assert by_path["scripts/release.py"]["severity"] == "LOW"
    # a scripts folder inside src may ship as the package's commands: judged as code
    assert by_path["src/pkg/scripts/cli.py"]["context"] == "code"
    assert by_path["src/pkg/scripts/cli.py"]["severity"] == "HIGH"


def test_context_severity_in_the_config(project: Path, tmp_path: Path) -> None:
    (project / ".mcp-sentinel.yaml").write_text("context-severity: {test: 0, docs: 2, build: 1}\n",
                                                encoding="utf-8")
    _, by_path = scan_json(tmp_path)
    assert by_path["scripts/release.py"]["severity"] == "MEDIUM"
    assert by_path["tests/test_app.py"]["severity"] == "HIGH"
    assert by_path["docs/guide.md"]["severity"] == "LOW"
    assert by_path["examples/demo.py"]["severity"] == "MEDIUM"  # unnamed contexts keep the default


@pytest.mark.parametrize("bad, message", [
    ("context-severity: {vendor: 1}\n", "unknown context 'vendor'"),
    ("context-severity: {test: 9}\n", "0 to 4"),
])
def test_bad_context_severity_is_a_config_error(project: Path, tmp_path: Path, capsys, bad: str,
                                                message: str) -> None:
    (project / ".mcp-sentinel.yaml").write_text(bad, encoding="utf-8")
    code, _ = 2, None
    assert main(["scan", ".", "--no-builtin-rules", "--rules", str(tmp_path / "pack.yaml")]) == code
    err = capsys.readouterr().err
    assert err.startswith("mcp-sentinel:") and message in err and "Traceback" not in err


def test_every_format_carries_the_context(project: Path, tmp_path: Path) -> None:
    outs = {fmt: tmp_path / f"r.{fmt}" for fmt in ("sarif", "gitlab-sast", "html", "terminal", "markdown")}
    argv = ["scan", ".", "--no-builtin-rules", "--no-cache", "--rules", str(tmp_path / "pack.yaml")]
    for fmt, path in outs.items():
        argv += ["-o", fmt, "--output-file", str(path)]
    main(argv)
    sarif = json.loads(outs["sarif"].read_text(encoding="utf-8"))
    contexts = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]: r["properties"]["context"]
                for r in sarif["runs"][0]["results"]}
    assert contexts == {"src/app.py": "code", "tests/test_app.py": "test", "examples/demo.py": "example",
                        "docs/guide.md": "docs", "scripts/release.py": "build", "src/pkg/scripts/cli.py": "code"}
    gitlab = json.loads(outs["gitlab-sast"].read_text(encoding="utf-8"))
    assert {v["location"]["file"]: v["details"]["context"]["value"] for v in gitlab["vulnerabilities"]} == contexts
    html = outs["html"].read_text(encoding="utf-8")
    assert 'data-context="test"' in html and "example context" in html
    terminal = outs["terminal"].read_text(encoding="utf-8")
    assert "test context (rule: HIGH)" in terminal and "docs context (rule: HIGH)" in terminal
    markdown = outs["markdown"].read_text(encoding="utf-8")
    assert "| Severity | Context | Location |" in markdown and "| MEDIUM | example | `examples/demo.py:1`" in markdown


def test_a_token_that_passes_its_checksum_keeps_its_severity_in_a_test_file(tmp_path: Path, monkeypatch) -> None:
    root = tmp_path / "project"
    (root / "tests").mkdir(parents=True)
    real = github_token("Q8r2Lx9Vb4Nc7Md1Kf6Hs3Jt0Wp5Yz")
    broken = real[:-1] + ("A" if real[-1] != "A" else "B")
    (root / "tests" / "test_real.py").write_text(f'TOKEN = "{real}"\n', encoding="utf-8")
    (root / "tests" / "test_broken.py").write_text(f'TOKEN = "{broken}"\n', encoding="utf-8")
    subprocess.run(["git", "init", "-q", str(root)], check=True, capture_output=True)
    monkeypatch.chdir(root)
    out = tmp_path / "r.json"
    main(["scan", ".", "--no-cache", "-o", "json", "--output-file", str(out)])
    found = {(f["path"], f["rule_id"]): f for f in json.loads(out.read_text(encoding="utf-8"))["findings"]}
    real_finding = found[("tests/test_real.py", "github-pat-classic")]
    assert real_finding["context"] == "test" and real_finding["severity"] == "CRITICAL"
    assert "rule_severity" not in real_finding["extra"]
    broken_finding = found[("tests/test_broken.py", "github-pat-classic")]
    assert broken_finding["extra"]["rule_severity"] == "CRITICAL" and broken_finding["severity"] == "HIGH"


def test_a_staged_scan_reports_the_context_too(project: Path, tmp_path: Path) -> None:
    env = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.com", "PATH": "/usr/bin:/bin"}
    subprocess.run(["git", "add", "-A"], cwd=project, check=True, capture_output=True, env=env)
    subprocess.run(["git", "commit", "-qm", "base"], cwd=project, check=True, capture_output=True, env=env)
    (project / "tests" / "test_app.py").write_text("x = 1\nresult = eval(input())\nagain = eval(input())\n")
    subprocess.run(["git", "add", "tests/test_app.py"], cwd=project, check=True, capture_output=True, env=env)
    code, by_path = scan_json(tmp_path, "--staged")
    assert code == 5
    assert by_path["tests/test_app.py"]["context"] == "test" and by_path["tests/test_app.py"]["severity"] == "MEDIUM"


def test_the_context_is_judged_below_the_folder_scanned(project: Path, tmp_path: Path) -> None:
    (project / "examples" / "weather" / "tests").mkdir(parents=True)
    (project / "examples" / "weather" / "server.py").write_text("result = eval(input())\n")
    (project / "examples" / "weather" / "tests" / "test_server.py").write_text("result = eval(input())\n")
    _, whole = scan_json(tmp_path)
    assert whole["examples/weather/server.py"]["context"] == "example"
    _, subject = scan_json(tmp_path, paths=("examples/weather",))
    assert subject["examples/weather/server.py"]["context"] == "code"
    assert subject["examples/weather/server.py"]["severity"] == "HIGH"
    assert subject["examples/weather/tests/test_server.py"]["context"] == "test"
