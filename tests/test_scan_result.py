"""ScanResult's typed fields and the JSON report's `scan` object they make."""
from sentinel_hooks.report.json import scan_dict
from sentinel_hooks.scan_result import CacheCounts, PolicyJudgement, RunFigures, ScanResult, ScanScope


def test_a_full_scan_lists_its_paths_and_run_figures():
    result = ScanResult(rules=[], scope=ScanScope(paths=["src"]),
                        figures=RunFigures(workers=2, cache=CacheCounts(hits=3, misses=1), shard="1/2"))
    scan = scan_dict(result)
    assert list(scan)[:5] == ["mode", "paths", "cache", "shard", "workers"]
    assert (scan["mode"], scan["paths"], scan["cache"]) == ("full", ["src"], {"hits": 3, "misses": 1})
    assert "base" not in scan and "incomplete" not in scan and not result.scope.is_diff


def test_a_baseline_scan_names_its_range_policy_and_report_options():
    scope = ScanScope(mode="baseline", paths=["."], base="b" * 40, base_ref="main", requested_ref="main",
                      target="working tree", range="bbbbbbb (merge-base of main) → working tree", history_commits=3)
    result = ScanResult(rules=[], scope=scope, policy=PolicyJudgement(source="base", changes=2, hidden=1),
                        incomplete="scan timed out after 1s", sarif_category="pr/")
    scan = scan_dict(result)
    assert list(scan)[:9] == ["mode", "paths", "base", "base_ref", "requested_ref", "target", "range",
                              "history_commits", "policy"]
    assert scan["policy"] == {"from": "base", "changes": 2, "would_hide": 1}
    assert (scan["incomplete"], scan["sarif_category"]) == ("scan timed out after 1s", "pr/")


def test_a_staged_scan_before_the_first_commit_keeps_a_null_base_ref():
    scan = scan_dict(ScanResult(rules=[], scope=ScanScope(mode="staged", base="e" * 40, target="index",
                                                          range="empty tree (no commits yet) → index")))
    assert scan["base_ref"] is None and "requested_ref" not in scan
