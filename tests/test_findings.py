from sentinel_hooks.findings import (Confidence, Finding, Severity, assign_fingerprints, content_hash,
                                     from_dict, redact_secret, redact_text, to_dict)
import pytest


def make(path="a.py", line=1, rule="r1", content="x") -> Finding:
    return Finding(rule_id=rule, title="t", severity=Severity.HIGH, confidence=Confidence.HIGH, cwe="CWE-1",
                   path=path, line=line, column=1, end_line=line, end_column=5, snippet="s", remediation="r",
                   content_hash=content_hash(rule, path, content))


def test_severity_parse_is_case_insensitive_and_rejects_unknown():
    assert Severity.parse("High") is Severity.HIGH
    assert Severity.parse(" critical ") is Severity.CRITICAL
    with pytest.raises(ValueError, match="unknown severity 'severe'"):
        Severity.parse("severe")


def test_confidence_parses_like_severity_and_names_the_levels_it_knows():
    assert Confidence.parse(" medium ") is Confidence.MEDIUM
    assert Confidence.parse(Confidence.LOW) is Confidence.LOW
    assert str(Confidence.HIGH) == "HIGH"
    with pytest.raises(ValueError, match=r"unknown confidence 'sure' \(expected one of: high, medium, low\)"):
        Confidence.parse("sure")


def test_fingerprint_ignores_line_numbers_but_not_content_or_path():
    a, b = make(line=3, content="token = 'abc'"), make(line=300, content="token  =  'abc'")
    assign_fingerprints([a])
    assign_fingerprints([b])  # re-indented / spaced: same normalised content
    assert a.fingerprint == b.fingerprint
    c = make(path="b.py", content="token = 'abc'")
    assign_fingerprints([c])
    assert c.fingerprint != a.fingerprint
    d = make(content="token = 'abd'")
    assign_fingerprints([d])
    assert d.fingerprint != a.fingerprint


def test_identical_findings_get_distinct_occurrence_indexes_in_file_order():
    first, second = make(line=10), make(line=2)
    assign_fingerprints([first, second])
    assert second.fingerprint.endswith(":0") and first.fingerprint.endswith(":1")
    assert first.fingerprint.split(":")[0] == second.fingerprint.split(":")[0]


def test_redaction_keeps_only_a_short_prefix():
    secret = "ghp_R7n2Vq9XkLm4Tz8Wc1Ya6Bd3Fe5Gh0Jk2Pq7"
    masked = redact_secret(secret)
    assert masked.startswith("ghp_") and "R7n2" not in masked and "*" in masked
    line = f'token = "{secret}"  # two: {secret}'
    out = redact_text(line, secret)
    assert secret not in out and out.count("ghp_*") == 2


def test_short_secrets_reveal_at_most_a_quarter():
    assert redact_secret("abcdefgh").startswith("ab**")


def test_dict_round_trip_has_no_secret():
    f = make()
    f.secret = "hunter2-hunter2"
    d = to_dict(f)
    assert "hunter2-hunter2" not in repr(d)
    g = from_dict(d)
    assert (g.rule_id, g.severity, g.line, g.extra) == (f.rule_id, f.severity, f.line, f.extra)


def test_the_content_hash_is_a_field_that_survives_the_cache_and_stays_out_of_extra():
    f = make(content="token = 'abc'")
    g = from_dict(to_dict(f))
    assign_fingerprints([f, g])
    assert f.fingerprint.split(":")[0] == g.fingerprint.split(":")[0] == f.content_hash and f.extra == {} == g.extra
