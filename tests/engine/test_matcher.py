from sentinel_hooks.engine.matcher import Engine, KeywordIndex, make_snippet
from sentinel_hooks.engine.rules import parse_pack
from sentinel_hooks.engine.units import TextUnit
from sentinel_hooks.records import replace


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
    rs = [replace(rules(SECRET_RULE)[0], keywords=("zzz-not-present",))]
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


REACH_RULE = """
  - id: demo-reach
    title: Reach
    severity: high
    confidence: high
    cwe: CWE-798
    category: secrets
    description: d
    remediation: r
    keywords: [demo_key]
    keyword_reach: 40
    regex: 'demo_key\\s*=\\s*"([A-Za-z0-9]{16})"'
    flags: [ignorecase]
    secret_group: 1
"""


def test_keyword_reach_searches_only_the_lines_near_keywords_with_the_same_results():
    far = 'DEMO_KEY = (\n' + "\n" * 5 + '"' + "x" * 200 + '")\n'
    text = 'a = 1\nDEMO_KEY = "q8Zr2LmX5vTn0WkP"\nb = 2\n' + far + 'c = 1; demo_key = "Hc7Wq1Pz9Ke3Vb6N"\n'
    reach_rule = rules(REACH_RULE)
    plain_rule = rules(REACH_RULE.replace("    keyword_reach: 40\n", ""))
    with_reach = [(f.line, f.column, f.end_column) for f in Engine(reach_rule).scan(TextUnit("a.py", text))]
    without = [(f.line, f.column, f.end_column) for f in Engine(plain_rule).scan(TextUnit("a.py", text))]
    assert with_reach == without and [line for line, _, _ in with_reach] == [2, 11]


def test_keyword_reach_does_not_see_a_match_further_from_its_keyword_than_declared():
    text = "demo_key" + "\n" * 100 + '= "q8Zr2LmX5vTn0WkP"\n'  # the match spans 101 lines
    assert Engine(rules(REACH_RULE.replace("keyword_reach: 40", "keyword_reach: 200"))).scan(TextUnit("a.py", text))
    assert Engine(rules(REACH_RULE)).scan(TextUnit("a.py", text)) == []


def test_non_ascii_keywords_are_found_only_where_they_occur():
    index = KeywordIndex(["token", "\u0430", "\u200b", "\u0440\u0430"])  # Cyrillic a, zero-width space, "ра"
    assert index.present("token = 1") == {"token"}
    assert index.present("plain ascii text") == set()
    assert index.present("p\u0430ssword\u200b") == {"\u0430", "\u200b"}
    assert index.present("\u0440\u0430 token") == {"\u0440\u0430", "\u0430", "token"}


def test_single_character_keywords_are_found_among_any_non_ascii_text():
    index = KeywordIndex(["\u200b", "\U000e0041", "\u00e9"])  # zero-width space, tag A, e acute
    assert index.present("caf\u00e9 \udc80 \U0001f600 \u4e2d") == {"\u00e9"}  # a lone surrogate too
    assert index.present("x\U000e0041y\u200b \udcff") == {"\U000e0041", "\u200b"}
    assert index.present("\u4e2d\u6587 \u0430") == set()


def test_keywords_found_are_the_same_before_and_after_the_index_switches_to_its_dfa(monkeypatch):
    monkeypatch.setattr(KeywordIndex, "DFA_AFTER_CHARS", 40)
    index = KeywordIndex(["key", "api_key", "pass", "://", '""', "\u0430"])
    texts = ["api_key = 'x'  # pass", "http://a", "no words here at all", 'passkey"" \u0430', "api_key"]
    before = [index.present(text) for text in texts]
    assert index._automaton.dfa
    assert [index.present(text) for text in texts] == before == [
        {"key", "api_key", "pass"}, {"://"}, set(), {"pass", "key", '""', "\u0430"}, {"key", "api_key"}]


def test_windows_sharing_one_file_analysis_find_what_windows_analysing_alone_find():
    """Whole-file detectors run once per file and every window takes the hits that touch its
    changes: the findings are those of windows that each analyse the file themselves."""
    from corpus_labels import corpus_files

    from sentinel_hooks.engine.rules import build_ruleset
    from sentinel_hooks.engine.units import units_of
    from sentinel_hooks.sources.git_diff import window_fragment

    engine = Engine(build_ruleset([], []))
    compared = 0
    for path in corpus_files():
        text = path.read_text(encoding="utf-8", errors="replace")
        added = list(range(1, text.count("\n") + 2, 5))
        shared = units_of(window_fragment(path.name, text, added, 1, None))
        alone = [TextUnit(path=u.path, text=u.text, first_line=u.first_line, changed_lines=u.changed_lines,
                          full_text_loader=lambda: text) for u in shared]
        assert len({id(u.file()) for u in shared}) == 1 and len({id(u.file()) for u in alone}) == len(alone)
        found = sorted((f.rule_id, f.line, f.column, f.message) for u in shared for f in engine.scan(u))
        expected = sorted((f.rule_id, f.line, f.column, f.message) for u in alone for f in engine.scan(u))
        assert found == expected, path
        compared += len(expected)
    assert compared > 50


def test_excluded_and_included_base_names_select_rules_as_their_globs_do():
    excluded = rules(SECRET_RULE + "    exclude_paths: ['*.example', 'x*y*z.py', '*.tpl']\n")
    included = rules(GENERIC_RULE + "    paths: ['*.env', 'conf/*.ini']\n")
    engine = Engine(excluded + included)
    by_path = {path: [r.id for r in engine.rules_for(path)] for path in
               ("a/b.example", "a/xAyBz.py", "a/xyz.pyc", "t.TPL", "s/.env", "conf/a.ini", "other/a.ini", "a.py")}
    assert by_path == {
        "a/b.example": [], "a/xAyBz.py": [], "a/xyz.pyc": ["demo-token"], "t.TPL": ["demo-token"],
        "s/.env": ["demo-token", "demo-generic"], "conf/a.ini": ["demo-token", "demo-generic"],
        "other/a.ini": ["demo-token"], "a.py": ["demo-token"]}


def test_rules_are_selected_by_category_and_keywords_in_their_order():
    """A unit's rules: those of its path and categories without keywords or with a keyword its text
    holds, in the rule set's order (compared with filtering every rule, over the built-in rules)."""
    import random

    from sentinel_hooks.engine.languages import language_aliases, language_of
    from sentinel_hooks.engine.matcher import _RuleSelection
    from sentinel_hooks.engine.rules import build_ruleset

    engine = Engine(build_ruleset([], []))
    keywords = sorted({k for r in engine.rules for k in r.keywords})
    rng = random.Random(11)
    for path in ("server.py", "src/index.ts", ".env", "claude_desktop_config.json", "README.md", "x.unknown"):
        for categories in (None, frozenset({"secrets"}), frozenset({"mcp-tools", "injection"})):
            selection = engine._selection(path, categories)
            lang = language_of(path)
            langs = language_aliases(lang) if lang else set()
            expected_rules = [r for scope, members in engine._scopes if scope.applies(path, langs) for r in members
                              if categories is None or r.category in categories]
            assert selection.rules == expected_rules
            assert engine._selection(path, categories) is selection
            for size in (0, 1, 3, 30):
                present = set(rng.sample(keywords, size))
                assert selection.select(present) == [r for r in expected_rules
                                                     if not r.keywords or not present.isdisjoint(r.keywords)]
    assert _RuleSelection([]).select({"x"}) == []
