"""Property-based fuzzing of the parsers and the engine: random input never raises anything but the
documented error (ConfigError for configuration, JsoncError for JSONC, GitError for git output)."""
from __future__ import annotations

import functools
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sentinel_hooks.config import _yaml_document, parse_config
from sentinel_hooks.engine import jsonc
from sentinel_hooks.engine.tool_metadata.extract import extract_tools
from sentinel_hooks.engine.units import TextUnit
from sentinel_hooks.errors import ConfigError, GitError
from sentinel_hooks.sources.git_diff import added_lines, parse_diff, unquote_c

FUZZ = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# text that looks a little like code, config and diffs, so the parsers get past their first byte
FRAGMENTS = ["{", "}", "[", "]", "(", ")", ":", ",", '"', "'", "`", "\\", "\n", "\r\n", " ", "\t", "#", "//", "/*",
             "*/", "=", "=>", "${", "@@ -1,2 +1,3 @@", "+++ b/", "--- a/", "diff --git", "+", "-", "\0", "tools",
             "name", "description", "inputSchema", "server.tool(", "@mcp.tool()", "def f(x):", "mcpServers",
             "command", "args", "env", "-----BEGIN RSA PRIVATE KEY-----", "ghp_", "AKIA", "sk-", "token",
             "password", "&a", "*a", "- ", "? ", "!!python/object", "\u202e", "\u200b", "é", "\ufeff", "0x",
             "1e309", "true", "null", "NaN", "-Infinity"]
code_like = st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=8)), max_size=60).map("".join)
any_text = st.one_of(st.text(max_size=400), code_like)


@functools.lru_cache(maxsize=1)
def engine():
    from sentinel_hooks.rule_cache import load_rules
    from sentinel_hooks.engine.matcher import Engine

    return Engine(load_rules([], [], builtin=True))


PATHS = ["server.py", "src/index.ts", "tools.js", ".cursor/mcp.json", "claude_desktop_config.json", "tools.yaml",
         "package.json", "pyproject.toml", ".env", "Dockerfile", "README.md", "settings.yaml", ".vscode/mcp.json",
         "manifest.json", "requirements.txt", ".npmrc", "x.bin"]


# -- diff parsing -----------------------------------------------------------------------------------
diff_like = st.lists(st.sampled_from(["@@ -1 +1 @@", "@@ -0,0 +1,3 @@", "@@ -5,2 +7 @@ ctx", "+++ b/a.py",
                                      "+++ /dev/null", '+++ "b/sp\\tace\\303\\251"', "--- a/a.py", "diff --git a/x b/x",
                                      "+added", "-removed", " context", "\\ No newline at end of file", "+", "",
                                      "@@ -99999999999999999999 +1 @@", "@@ @@", "+++ b/", '+++ "unterminated'])
                     .map(lambda ls: "\n".join(ls).encode()), max_size=40)


@FUZZ
@given(st.one_of(st.binary(max_size=600), diff_like.map(lambda ls: b"".join(ls))))
def test_hunk_parser_never_raises(data):
    out = added_lines(data)
    assert all(isinstance(n, int) for lines in out.values() for n in lines)


@FUZZ
@given(st.binary(max_size=200))
def test_unquote_never_raises(data):
    assert isinstance(unquote_c(b'"' + data + b'"'), bytes)


raw_records = st.lists(st.tuples(
    st.sampled_from(["100644", "100755", "160000", "120000", "000000", "xyz"]),
    st.sampled_from(["A", "M", "D", "R100", "C050", "T", "U", ""]),
    st.binary(min_size=0, max_size=12)), max_size=5)


@FUZZ
@given(st.one_of(st.binary(max_size=600),
                 raw_records.map(lambda rs: b"".join(f":100644 {m} {'a' * 40} {'b' * 40} {s}".encode() + b"\0" + p + b"\0"
                                                     for m, s, p in rs) + b"1\t0\ta.py\0\0diff --git\n@@ -1 +1 @@\n+x\n")))
def test_diff_parser_raises_only_git_error(data):
    try:
        changes = parse_diff(data)
    except GitError:
        return
    assert all(isinstance(c.path, str) for c in changes)


# -- engine ---------------------------------------------------------------------------------------
@FUZZ
@given(st.sampled_from(PATHS), any_text)
def test_engine_scans_any_text(path, text):
    for f in engine().scan(TextUnit(path=path, text=text)):
        assert f.line >= 1 and f.column >= 1


@FUZZ
@given(st.sampled_from(PATHS), any_text, any_text, st.integers(min_value=1, max_value=50), st.data())
def test_engine_scans_any_window(path, before, window, first_line, data):
    full = before + window
    lines = max(window.count("\n") + 1, 1)
    changed = data.draw(st.frozensets(st.integers(min_value=first_line, max_value=first_line + lines), max_size=5))
    unit = TextUnit(path=path, text=window, first_line=first_line, changed_lines=changed,
                    full_text_loader=lambda: full, base_text_loader=lambda: before)
    for f in engine().scan(unit):
        assert f.line in changed or f.end_line >= min(changed, default=f.line)


# -- JSONC ----------------------------------------------------------------------------------------
@FUZZ
@given(any_text)
def test_jsonc_raises_only_jsonc_error(text):
    try:
        jsonc.parse(text)
    except jsonc.JsoncError:
        pass
    jsonc.try_parse(text)


@FUZZ
@given(st.recursive(st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=10)),
                    lambda inner: st.one_of(st.lists(inner, max_size=4),
                                            st.dictionaries(st.text(max_size=8), inner, max_size=4)), max_leaves=20))
def test_jsonc_parses_what_json_writes(value):
    import json

    node = jsonc.parse(json.dumps(value))
    assert node is not None


# -- tool metadata --------------------------------------------------------------------------------
@FUZZ
@given(st.sampled_from(["server.py", "index.ts", "tools.js", "tools.json", "tools.yaml", "tools.mjs"]), any_text)
def test_tool_extractors_never_raise(path, text):
    for tool in extract_tools(path, text):
        assert isinstance(tool.name, str)


# -- configuration ----------------------------------------------------------------------------------
yaml_like = st.lists(st.sampled_from(["severity-threshold: high", "timeout: 5", "exclude-dirs: [a, b]", "rules:",
                                      "  - x.yaml", "exit-codes: {high: 9}", "&a [1]", "*a", "? k", ": v", "- item",
                                      "!!str x", "!!python/object:os.system x", "key: 'unterminated", "%YAML 1.1",
                                      "---", "...", "\t", "cache: false", "redact: no"]), max_size=12).map("\n".join)


@FUZZ
@given(st.one_of(any_text, yaml_like))
def test_config_yaml_raises_only_config_error(text):
    try:
        parse_config(_yaml_document(text, Path("fuzz.yaml")), "fuzz.yaml")
    except ConfigError:
        pass


@FUZZ
@given(st.recursive(st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=12)),
                    lambda inner: st.one_of(st.lists(inner, max_size=3),
                                            st.dictionaries(st.sampled_from(
                                                ["severity-threshold", "timeout", "exclude-dirs", "rules", "exit-codes",
                                                 "high", "redact", "cache", "memory-limit", "context-lines", "x"]),
                                                inner, max_size=4)), max_leaves=12))
def test_parse_config_raises_only_config_error(data):
    try:
        parse_config(data, "fuzz")
    except ConfigError:
        pass
