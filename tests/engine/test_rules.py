from pathlib import Path

import pytest

from sentinel_hooks.engine.rules import build_ruleset, load_user_pack, parse_pack
from sentinel_hooks.errors import ConfigError

RULE = """
  - id: {id}
    title: Demo
    severity: {severity}
    confidence: medium
    cwe: CWE-200
    description: A demo rule.
    remediation: Fix it.
    keywords: [demo]
    regex: '{regex}'
"""


def pack(*rules: str, name: str = "user") -> str:
    return f"pack: {name}\nrules:\n" + "".join(rules)


def test_valid_user_pack(tmp_path: Path):
    f = tmp_path / "p.yaml"
    f.write_text(pack(RULE.format(id="demo-1", severity="HIGH", regex=r"demo\d+")))
    (rule,) = load_user_pack(f)[0].rules
    assert rule.id == "demo-1" and rule.severity.name == "HIGH" and rule.compiled.search("demo42")


def test_invalid_regex_names_file_and_rule(tmp_path: Path):
    f = tmp_path / "bad.yaml"
    f.write_text(pack(RULE.format(id="broken-rule", severity="low", regex="demo(")))
    with pytest.raises(ConfigError) as exc:
        load_user_pack(f)
    assert str(f) in str(exc.value) and "broken-rule" in str(exc.value) and "invalid regex" in str(exc.value)


@pytest.mark.parametrize("mutation, message", [
    (lambda r: r.replace("severity: low", "severity: severe"), "unknown severity"),
    (lambda r: r.replace("cwe: CWE-200", "cwe: 200"), "cwe"),
    (lambda r: r.replace("    regex: 'demo'\n", ""), "exactly one of 'regex' or 'detector'"),
    (lambda r: r + "    colour: red\n", "colour"),
    (lambda r: r.replace("    keywords: [demo]\n", "") + "    keyword_reach: 80\n", "'keyword_reach' needs 'keywords'"),
    (lambda r: r + "    keyword_reach: 0\n", "keyword_reach"),
])
def test_invalid_rule_fields(mutation, message):
    text = pack(mutation(RULE.format(id="r1", severity="low", regex="demo")))
    with pytest.raises(ConfigError, match=message):
        parse_pack(text, "p.yaml")


def test_not_a_mapping_and_not_yaml():
    with pytest.raises(ConfigError, match="expected a mapping"):
        parse_pack("- a\n- b\n", "p.yaml")
    with pytest.raises(ConfigError, match="not valid YAML"):
        parse_pack("pack: [unclosed\n", "p.yaml")


def test_user_pack_cannot_redefine_a_builtin_id(tmp_path: Path):
    builtin_id = build_ruleset([], [])[0].id
    f = tmp_path / "p.yaml"
    f.write_text(pack(RULE.format(id=builtin_id, severity="low", regex="demo")))
    with pytest.raises(ConfigError, match="already defined"):
        build_ruleset([f], [])


def test_disable_and_folder_of_packs(tmp_path: Path):
    (tmp_path / "a.yaml").write_text(pack(RULE.format(id="a-1", severity="low", regex="demo"), name="a"))
    (tmp_path / "b.yml").write_text(pack(RULE.format(id="b-1", severity="low", regex="demo"), name="b"))
    ids = {r.id for r in build_ruleset([tmp_path], ["a-1"], builtin=False)}
    assert ids == {"b-1"}
    with pytest.raises(ConfigError, match="unknown rule id 'zzz'"):
        build_ruleset([tmp_path], ["zzz"], builtin=False)


def test_unknown_detector_is_a_config_error(tmp_path: Path):
    f = tmp_path / "p.yaml"
    f.write_text(pack(RULE.format(id="d-1", severity="low", regex="x").replace("regex: 'x'", "detector: nope")))
    with pytest.raises(ConfigError, match="unknown detector 'nope'"):
        build_ruleset([f], [], builtin=False)


def test_builtin_packs_load_and_ids_are_unique():
    rules = build_ruleset([], [])
    assert len({r.id for r in rules}) == len(rules) > 0
