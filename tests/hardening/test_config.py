"""Hostile configuration and rule packs: exit 2 with one line naming the problem, never a hang; a
catastrophically backtracking rule ends at --timeout (exit 7), worker processes included."""
from __future__ import annotations

import json
import os
import time

import pytest

from hardening.hardening_kit import Sandbox, assert_exit, assert_one_line_error, marker_rule

CONFIG = ".mcp-sentinel.yaml"


def config_case(sandbox: Sandbox, content: str | bytes, *needles: str, name: str = CONFIG, args=()):
    path = sandbox.work / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    (sandbox.work / "app.py").write_text("x = 1\n")
    proc = sandbox.run(["scan", "app.py", *args], timeout=120)
    assert_exit(proc, 2)
    line = assert_one_line_error(proc, *needles)
    sandbox.assert_clean()
    return line


@pytest.mark.parametrize("content, kind", [
    ("- a\n- b\n", "list"), ("just a string\n", "str"), ("42\n", "int"), ("true\n", "bool"),
])
def test_yaml_that_is_not_a_mapping(sandbox, content, kind):
    config_case(sandbox, content, CONFIG, f"expected a mapping of settings, got {kind}")


@pytest.mark.parametrize("content, needle", [
    ("timeout: soon\n", "timeout"),
    ("timeout: -5\n", "timeout"),
    ("exclude-dirs: 5\n", "exclude-dirs"),
    ("exit-codes: {high: 999}\n", "exit-codes.high"),
    ("exit-codes: [1, 2]\n", "exit-codes"),
    ("severity-threshold: catastrophic\n", "severity-threshold"),
    ("context-lines: 1000\n", "context-lines"),
    ("redact: maybe\n", "redact"),
    ("rules: {a: 1}\n", "rules"),
])
def test_wrong_types(sandbox, content, needle):
    config_case(sandbox, content, CONFIG, needle)


def test_unknown_keys(sandbox):
    config_case(sandbox, "severity-threshold: high\nexclude_dir: [x]\n", "unknown key 'exclude_dir'")


def test_unknown_key_in_pyproject(sandbox):
    config_case(sandbox, '[tool.mcp-sentinel]\nsevrity = "high"\n', "unknown key 'sevrity'", name="pyproject.toml")


def test_invalid_toml(sandbox):
    config_case(sandbox, '[tool.mcp-sentinel\nx = 1\n', "invalid TOML", name="pyproject.toml")


def test_invalid_yaml_syntax(sandbox):
    config_case(sandbox, "a: [1, 2\nb: {\n", CONFIG)


def test_yaml_alias_bomb_is_refused_fast(sandbox):
    lines = ['a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for n in "bcdefghij":
        prev = chr(ord(n) - 1)
        lines.append(f"{n}: &{n} [" + ", ".join([f"*{prev}"] * 9) + "]")
    started = time.monotonic()
    config_case(sandbox, "\n".join(lines) + "\n", "aliases are not allowed")
    assert time.monotonic() - started < 30


def test_100mb_config_file_is_refused_without_reading_it(sandbox):
    block = b"# " + b"x" * 1021 + b"\n"
    with open(sandbox.work / CONFIG, "wb") as fh:
        for _ in range(100 * 1024):
            fh.write(block)
    assert (sandbox.work / CONFIG).stat().st_size == 100 * 1024 * 1024
    (sandbox.work / "app.py").write_text("x = 1\n")
    started = time.monotonic()
    proc = sandbox.run(["scan", "app.py"], timeout=120)
    assert_exit(proc, 2)
    assert_one_line_error(proc, "configuration file is too large")
    sandbox.assert_clean()
    assert time.monotonic() - started < 30


def test_config_not_utf8(sandbox):
    config_case(sandbox, b"severity-threshold: \xff\xfe high\n", "not UTF-8")


def test_config_that_is_a_directory(sandbox):
    (sandbox.work / "cfgdir").mkdir()
    (sandbox.work / "app.py").write_text("x = 1\n")
    proc = sandbox.run(["scan", "app.py", "--config", "cfgdir"], timeout=120)
    assert_exit(proc, 2)
    assert_one_line_error(proc, "cfgdir")
    sandbox.assert_clean()


def test_missing_explicit_config(sandbox):
    (sandbox.work / "app.py").write_text("x = 1\n")
    proc = sandbox.run(["scan", "app.py", "--config", "nope.yaml"], timeout=120)
    assert_exit(proc, 2)
    assert_one_line_error(proc, "nope.yaml", "not found")
    sandbox.assert_clean()


# -- rule packs -----------------------------------------------------------------------------------
def pack_case(sandbox: Sandbox, pack: str | bytes, *needles: str, builtin: bool = False):
    path = sandbox.base / "pack.yaml"
    path.write_bytes(pack if isinstance(pack, bytes) else pack.encode())
    (sandbox.work / "app.py").write_text("x = 1\n")
    args = ["scan", "app.py", "--rules", str(path)] + ([] if builtin else ["--no-builtin-rules"])
    proc = sandbox.run(args, timeout=120)
    assert_exit(proc, 2)
    line = assert_one_line_error(proc, *needles)
    sandbox.assert_clean()
    return line


def test_user_rule_with_invalid_regex(sandbox):
    pack_case(sandbox, marker_rule(rule_id="broken-regex", regex="(unclosed[a-"), "broken-regex", "regex")


def test_user_rule_redefining_a_builtin_id(sandbox):
    from sentinel_hooks.engine.rules import load_builtin_packs

    builtin_id = load_builtin_packs()[0].rules[0].id
    pack_case(sandbox, marker_rule(rule_id=builtin_id), builtin_id, "already defined", builtin=True)


def test_two_user_rules_with_one_id(sandbox):
    pack = marker_rule(rule_id="dup-id") + marker_rule(rule_id="dup-id").split("rules:\n", 1)[1]
    pack_case(sandbox, pack, "dup-id")


def test_rule_pack_that_is_not_a_mapping(sandbox):
    pack_case(sandbox, "- id: x\n", "expected a mapping")


def test_rule_pack_with_wrong_types(sandbox):
    pack_case(sandbox, marker_rule().replace("severity: high", "severity: [high]"), "severity")


def test_rule_pack_alias_bomb_is_refused_fast(sandbox):
    anchors = ['      l0: &l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for n in range(1, 10):
        anchors.append(f"      l{n}: &l{n} [" + ", ".join([f"*l{n - 1}"] * 9) + "]")
    pack = marker_rule() + "    options:\n" + "\n".join(anchors) + "\n      payload: *l9\n"
    started = time.monotonic()
    pack_case(sandbox, pack, "aliases are not allowed")
    assert time.monotonic() - started < 30


def test_rule_pack_not_utf8(sandbox):
    pack_case(sandbox, marker_rule().encode() + b"# \xff\xfe\n", "pack.yaml")


def test_disabling_an_unknown_rule(sandbox):
    (sandbox.work / "app.py").write_text("x = 1\n")
    proc = sandbox.run(["scan", "app.py", "--disable-rule", "no-such-rule"], timeout=120)
    assert_exit(proc, 2)
    assert_one_line_error(proc, "no-such-rule")
    sandbox.assert_clean()


# -- catastrophic backtracking ---------------------------------------------------------------------
BACKTRACKING = marker_rule(rule_id="slow-rule", keyword="aaaa", regex="(a+)+$")
HOSTILE_LINE = "a" * 40 + "!\n"


def leftover_processes(tag: str) -> list[int]:
    """Live processes whose command line mentions ``tag`` (a path unique to one test)."""
    import psutil

    found = []
    for proc in psutil.process_iter(["cmdline", "status"]):
        cmdline = " ".join(proc.info["cmdline"] or ())
        if proc.pid != os.getpid() and tag in cmdline and proc.info["status"] != psutil.STATUS_ZOMBIE:
            found.append(proc.pid)
    return found


def backtracking_scan(sandbox: Sandbox, files: int, padding: int, timeout: float):
    pack = sandbox.base / "slow-pack.yaml"
    pack.write_text(BACKTRACKING)
    src = sandbox.work / "src"
    src.mkdir()
    filler = ("# " + "x" * 78 + "\n") * (padding // 81)
    for i in range(files):
        (src / f"f{i:03}.py").write_text(filler + HOSTILE_LINE)
    started = time.monotonic()
    proc = sandbox.run(["scan", "src", "--no-builtin-rules", "--rules", str(pack), "--timeout", str(timeout),
                        "--max-concurrent-files", "2", "-o", "json", "--output-file", "report.json"],
                       timeout=timeout + 120)
    elapsed = time.monotonic() - started
    assert_exit(proc, 7)
    assert_one_line_error(proc, f"scan timed out after {timeout:g}s")
    assert elapsed < timeout + 20, elapsed
    sandbox.assert_clean(reports=["report.json"])
    report = json.loads((sandbox.work / "report.json").read_text())
    assert report["scan"]["incomplete"].startswith(f"scan timed out after {timeout:g}s")
    return proc


def test_backtracking_rule_ends_at_the_timeout_in_process(sandbox):
    backtracking_scan(sandbox, files=2, padding=0, timeout=3)


@pytest.mark.slow
def test_backtracking_rule_ends_at_the_timeout_with_worker_processes(sandbox):
    backtracking_scan(sandbox, files=24, padding=150_000, timeout=5)
    assert leftover_processes(str(sandbox.base)) == []
