"""End to end: one scan into every format; the counts agree with the JSON report, no secret leaks."""
from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest

from sentinel_hooks.cli import main
from sentinel_hooks.report import format_names
from tests.report.conftest import OTHER_SECRET, SECRET

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def sarif_counts(log: dict) -> tuple[Counter, int]:
    active, suppressed = Counter(), 0
    for result in log["runs"][0]["results"]:
        if result.get("suppressions"):
            suppressed += 1
        else:
            active[result["properties"]["severity"]] += 1
    return active, suppressed


def gitlab_counts(report: dict) -> Counter:
    return Counter(v["severity"].lower() for v in report["vulnerabilities"])


def html_counts(text: str) -> dict[str, int]:
    return {k: int(n) for k, n in re.findall(r'id="count-(\w+)"><span class="n">(\d+)</span>', text)}


def assert_agree(outputs: dict[str, Path]) -> dict:
    summary = json.loads(outputs["json"].read_text(encoding="utf-8"))["summary"]
    expected = Counter({k: summary[k] for k in ("critical", "high", "medium", "low", "info") if summary[k]})
    active, suppressed = sarif_counts(json.loads(outputs["sarif"].read_text(encoding="utf-8")))
    assert active == expected and suppressed == summary["suppressed"]
    assert gitlab_counts(json.loads(outputs["gitlab-sast"].read_text(encoding="utf-8"))) == expected
    cards = html_counts(outputs["html"].read_text(encoding="utf-8"))
    for key in ("critical", "high", "medium", "low", "info", "total", "suppressed"):
        assert cards[key] == summary[key], key
    return summary


def all_formats(out: Path) -> tuple[list[str], dict[str, Path]]:
    argv, outputs = [], {}
    for fmt in ("json", "sarif", "gitlab-sast", "html"):
        outputs[fmt] = out / f"report.{fmt}"
        argv += ["-o", fmt, "--output-file", str(outputs[fmt])]
    return argv, outputs


def test_every_format_is_registered():
    assert {"terminal", "json", "sarif", "gitlab-sast", "html"} <= set(format_names())


def test_counts_agree_and_ignored_findings_do_not_fail(project, tmp_path, capsys):
    argv, outputs = all_formats(tmp_path)
    base = ["scan", ".", "--no-builtin-rules", "--rules", str(tmp_path / "pack.yaml")]
    assert main(base + argv) == 3  # a critical token
    summary = assert_agree(outputs)
    assert (summary["total"], summary["suppressed"]) == (5, 1)
    findings = json.loads(outputs["json"].read_text(encoding="utf-8"))["findings"]
    active = [f["fingerprint"] for f in findings if not f["suppressed"]]
    (project / ".mcp-sentinel-ignore").write_text("\n".join(active) + "\n", encoding="utf-8")
    assert main(base + argv) == 0  # everything accepted: counted as suppressed, no failure
    summary = assert_agree(outputs)
    assert (summary["total"], summary["suppressed"]) == (0, 6)
    for path in outputs.values():
        text = path.read_text(encoding="utf-8")
        assert SECRET not in text and OTHER_SECRET not in text


def test_threshold_applies_to_every_format(project, tmp_path):
    argv, outputs = all_formats(tmp_path)
    main(["scan", ".", "--no-builtin-rules", "--rules", str(tmp_path / "pack.yaml"),
          "--severity-threshold", "high"] + argv)
    summary = assert_agree(outputs)
    assert (summary["critical"], summary["high"], summary["medium"], summary["low"]) == (1, 2, 0, 0)


def test_no_redact_shows_the_secret_only_where_the_snippet_is(project, tmp_path):
    argv, outputs = all_formats(tmp_path)
    main(["scan", ".", "--no-builtin-rules", "--rules", str(tmp_path / "pack.yaml"), "--no-redact"] + argv)
    assert SECRET in outputs["sarif"].read_text(encoding="utf-8")  # region.snippet, as asked for
    assert SECRET not in outputs["gitlab-sast"].read_text(encoding="utf-8")  # no snippet field there


@pytest.mark.skipif(not EXAMPLES.is_dir(), reason="no examples/ folder in this checkout")
def test_examples_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(EXAMPLES.parent)
    argv, outputs = all_formats(tmp_path)
    code = main(["scan", "examples"] + argv)
    assert code in (0, 3, 4, 5, 6)
    assert_agree(outputs)
