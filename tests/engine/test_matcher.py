from sentinel_hooks.engine.matcher import Engine, make_snippet
from sentinel_hooks.engine.rules import parse_pack
from sentinel_hooks.engine.units import TextUnit


def rules(yaml_rules: str):
    return parse_pack("pack: t\nrules:\n" + yaml_rules, "t.yaml").rules


SECRET_RULE = """
  - id: demo-token
    title: Demo token
    severity: high
    confidence: high
    cwe: CWE-798
    category: secrets
    description: d
    remediation: r
    keywords: [dmo_]
    regex: '(dmo_[A-Za-z0-9]{20})'
    secret_group: 1
    entropy: 3.0
    allow: ['^dmo_0{20}$']
"""
GENERIC_RULE = """
  - id: demo-generic
    title: Generic
    severity: medium
    confidence: medium
    cwe: CWE-798
    category: secrets
    tags: [generic]
    description: d
    remediation: r
    keywords: [token]
    regex: 'token\\s*=\\s*"([^"]{8,})"'
    secret_group: 1
"""
PY_ONLY = """
  - id: py-eval
    title: eval
    severity: low
    confidence: low
    cwe: CWE-95
    description: d
    remediation: r
    languages: [python]
    paths: ["**/*.pyi.txt"]
    exclude_paths: ["vendor/"]
    keywords: [eval]
    regex: 'eval\\('
"""
TOKEN = "dmo_Ab3De9Gh2Jk7Mn4Pq8St"


def test_finding_positions_and_redacted_snippet():
    eng = Engine(rules(SECRET_RULE))
    (f,) = eng.scan(TextUnit("a.py", f'x = 1\ny = "{TOKEN}"\n'))
    assert (f.line, f.column, f.end_line, f.end_column) == (2, 6, 2, 6 + len(TOKEN))
    assert TOKEN not in f.snippet and f.snippet.startswith('y = "dmo_')
    assert f.secret is None


def test_no_redact_keeps_secret():
    (f,) = Engine(rules(SECRET_RULE), redact=False).scan(TextUnit("a.py", f'y = "{TOKEN}"'))
    assert TOKEN in f.snippet


def test_keyword_prefilter_skips_rule_without_keyword():
    rs = rules(SECRET_RULE)
    rs[0].keywords = ["zzz-not-present"]
    assert Engine(rs).scan(TextUnit("a.py", f'y = "{TOKEN}"')) == []


def test_entropy_gate_and_allow_pattern():
    eng = Engine(rules(SECRET_RULE))
    assert eng.scan(TextUnit("a.py", 'y = "dmo_aaaaaaaaaaaaaaaaaaab"')) == []  # low entropy
    assert eng.scan(TextUnit("a.py", 'y = "dmo_00000000000000000000"')) == []  # allow-listed


def test_window_units_report_file_lines_and_only_changed_lines():
    eng = Engine(rules(SECRET_RULE))
    text = f'a = "{TOKEN}"\nb = "{TOKEN[:-1]}X"\n'
    unit = TextUnit("a.py", text, first_line=40, changed_lines=frozenset({41}))
    found = eng.scan(unit)
    assert [f.line for f in found] == [41]


def test_generic_rule_yields_to_specific_rule_on_same_line():
    eng = Engine(rules(SECRET_RULE + GENERIC_RULE))
    found = eng.scan(TextUnit("a.py", f'token = "{TOKEN}"\ntoken = "Zq8#kP2!wR5@"\n'))
    assert sorted((f.line, f.rule_id) for f in found) == [(1, "demo-token"), (2, "demo-generic")]


def test_generic_secret_in_test_path_has_low_confidence():
    eng = Engine(rules(GENERIC_RULE))
    (f,) = eng.scan(TextUnit("tests/test_api.py", 'token = "Zq8#kP2!wR5@"'))
    assert f.confidence.name == "LOW"


def test_language_and_path_scopes():
    eng = Engine(rules(PY_ONLY))
    assert eng.scan(TextUnit("app/x.py", "eval(a)"))
    assert eng.scan(TextUnit("stub.pyi.txt", "eval(a)"))  # matched by path glob
    assert not eng.scan(TextUnit("app/x.js", "eval(a)"))
    assert not eng.scan(TextUnit("vendor/x.py", "eval(a)"))


def test_inline_suppression_marks_but_keeps_finding():
    eng = Engine(rules(PY_ONLY))
    (f,) = eng.scan(TextUnit("x.py", "eval(a)  # mcp-sentinel: ignore[py-eval]"))
    assert f.suppressed_by == "inline"
    (g,) = Engine(rules(PY_ONLY), inline_suppressions=False).scan(
        TextUnit("x.py", "eval(a)  # mcp-sentinel: ignore[py-eval]"))
    assert not g.suppressed


def test_snippet_of_long_line_is_a_window_around_the_match():
    line = "x" * 5000 + "MATCH" + "y" * 5000
    snip = make_snippet(line, 5001, 5006)
    assert "MATCH" in snip and len(snip) < 200 and snip.startswith("…") and snip.endswith("…")
