from sentinel_hooks import ignore_file
from sentinel_hooks.config import Settings
from sentinel_hooks.findings import Confidence, Finding, Severity
from sentinel_hooks.policy_changes import (Change, config_changes, exclude_file_changes, hides,
                                           ignore_entry_changes, locate, to_finding)

FP = "0123456789abcdef0123456789abcdef:0"


def finding(rule_id: str = "r", severity: Severity = Severity.HIGH, path: str = "a.py") -> Finding:
    return Finding(rule_id, "t", severity, Confidence.HIGH, "CWE-1", path, 3, 1, 3, 5, "s", "fix")


def test_locate_finds_the_key_then_the_value_and_keeps_to_the_toml_table():
    text = "severity-threshold: low\ndisabled-rules:\n  - a\n  - b\n"
    assert locate(text, "disabled-rules", "b") == 4
    assert locate(text, "disabled-rules") == 2
    assert locate(text, "builtin-rules") == 1
    toml = '[project]\nrules = 1\n[tool.mcp-sentinel]\ndisabled_rules = ["x"]\nrules = ["p.yaml"]\n'
    assert locate(toml, "rules", "p.yaml", section="[tool.mcp-sentinel]") == 5


def test_config_changes_report_only_what_weakens():
    base = Settings(disabled_rules=["old"], exclude_patterns=["*.md"])
    head = Settings(disabled_rules=["old", "new"], exclude_patterns=[], builtin_rules=False,
                    severity_threshold="high", redact=False, exit_codes={"critical": 0, "high": 4, "medium": 5,
                                                                         "low": 6})
    whats = [c.what for c in config_changes(base, head, ".mcp-sentinel.yaml", None)]
    assert whats == ["turns the built-in rules off", "disables rule new",
                     "raises the severity threshold from LOW to HIGH", "turns secret redaction off",
                     "sets the exit code for CRITICAL findings from 3 to 0"]
    assert config_changes(head, base, ".mcp-sentinel.yaml", None)[0].what == "excludes files matching '*.md'"


def test_added_exclude_lines_and_ignore_entries():
    changes = exclude_file_changes(["dist/"], ["dist/", "# note", "", "*"], ".mcp-sentinelignore")
    assert [(c.line, c.what) for c in changes] == [(4, "excludes files matching '*'")]
    assert changes[0].matches_path("deep/server.py")
    head = ignore_file.parse(f"# h\n{FP}  rule-x  src/\x1b[2Ja.py\n")
    (entry,) = ignore_entry_changes(ignore_file.parse(""), head, ".mcp-sentinel-ignore")
    assert entry.line == 2 and entry.what == f"accepts finding {FP} (rule-x in src/\\x1b[2Ja.py)"
    assert ignore_entry_changes(head, head, ".mcp-sentinel-ignore") == []


def test_messages_say_what_is_hidden_and_whether_it_applied():
    assert hides([]) == "hides nothing in this scan"
    change = Change(".mcp-sentinel.yaml", 2, "disables rule r", "rules",
                    hidden=[finding(), finding(severity=Severity.CRITICAL, path="b.py")])
    assert to_finding(change, applied=True).message == "disables rule r; hides 1 CRITICAL, 1 HIGH in a.py, b.py"
    strict = to_finding(change, applied=False)
    assert strict.message.endswith("(not applied: --policy-from base); would hide 1 CRITICAL, 1 HIGH in a.py, b.py")
    assert strict.severity == Severity.LOW and strict.rule_id == "policy-change"


def test_the_rule_is_a_valid_rule():
    from sentinel_hooks.engine.rules import RuleSpec
    from sentinel_hooks.policy_changes import DESCRIPTION, REMEDIATION, rule

    spec = RuleSpec.model_validate({"id": "policy-change", "title": rule().title, "severity": "low",
                                    "confidence": "high", "cwe": rule().cwe, "category": "policy",
                                    "description": DESCRIPTION, "remediation": REMEDIATION,
                                    "detector": "policy-change", "tags": ["policy"]})
    assert spec.to_rule("<builtin>") == rule() and rule().severity == Severity.LOW


def test_the_scan_layer_names_the_policy_change_rule_as_policy_changes_does() -> None:
    """scan_result.py keeps its own copy of the rule id so a scan need not import policy_changes; they must agree."""
    from sentinel_hooks import policy_changes, scan_result

    assert scan_result.POLICY_CHANGE == policy_changes.RULE_ID
