"""HTML report: self-contained, escaped, counts that agree with JSON; rendered in headless Chromium."""
from __future__ import annotations

import json
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

from sentinel_hooks.report import html as html_report
from tests.report.conftest import PLANTED, SECRET


class Elements(HTMLParser):
    """Collects start tags with their attributes, and the text of each script element."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag == "script":
            self._in_script = True
            self.scripts.append("")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_script:
            self.scripts[-1] += data


def parse(text: str) -> Elements:
    parser = Elements()
    parser.feed(text)
    return parser


def test_planted_markup_is_escaped(scan):
    text = scan("html").text("html")
    assert PLANTED not in text
    assert "&lt;script&gt;document.title=&#x27;pwned&#x27;" in text
    page = parse(text)
    assert [t for t, _ in page.tags].count("script") == 2  # the JSON data and the report's own script
    assert not any(t == "textarea" for t, _ in page.tags)
    data, code = page.scripts
    assert "<" not in data and ">" not in data and "&" not in data
    assert json.loads(data)["summary"]["total"] == 5
    assert code == html_report.SCRIPT


def test_script_json_escapes_markup_characters():
    encoded = html_report.script_json({"s": "</script><!-- & \u2028"})
    assert encoded == '{"s":"\\u003c/script\\u003e\\u003c!-- \\u0026 \\u2028"}'
    assert json.loads(encoded) == {"s": "</script><!-- & \u2028"}


def test_self_contained(scan):
    page = parse(scan("html").text("html"))
    for tag, attrs in page.tags:
        assert "src" not in attrs, tag
        assert tag not in ("link", "iframe", "img", "object", "embed", "base")
        if tag == "a":
            assert attrs["href"].startswith("https://cwe.mitre.org/")
    csp = next(a["content"] for t, a in page.tags if t == "meta" and a.get("http-equiv") == "Content-Security-Policy")
    assert "default-src 'none'" in csp and "'unsafe-inline'" not in csp.split("script-src")[1].split(";")[0]


def card(text: str, key: str) -> int:
    m = re.search(rf'id="count-{key}"><span class="n">(\d+)</span>', text)
    assert m, key
    return int(m.group(1))


def test_counts_snippets_and_metadata(scan):
    report = scan("html", "json")
    text, summary = report.text("html"), report.load("json")["summary"]
    for key in ("critical", "high", "medium", "low", "info", "total", "suppressed"):
        assert card(text, key) == summary[key], key
    assert card(text, "files") == summary["files_scanned"] == 3
    assert text.count('<tr class="finding') == len(report.load("json")["findings"])
    assert 'TOKEN = &quot;demo****************&quot;' in text
    assert "<dt>Mode</dt><dd>full</dd>" in text
    assert SECRET not in text


def test_empty_report_says_so(scan, project):
    for path in project.rglob("*.py"):
        path.write_text("print('hello')\n", encoding="utf-8")
    text = scan("html").text("html")
    assert 'id="no-findings"' in text and card(text, "total") == 0


CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync"]


def chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    pytest.skip("no Chromium installed (apt-get install chromium) to render the HTML report")


def render(browser: str, url: str, profile: Path) -> str:
    proc = subprocess.run([browser, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "--dump-dom", url],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc.stdout


def test_renders_in_chromium_without_running_planted_script(scan, tmp_path):
    browser = chromium()
    report = scan("html", "json")
    counts = report.load("json")["summary"]
    dom = render(browser, report.outputs["html"].as_uri(), tmp_path / "profile")
    assert 'data-ready="true"' in dom  # the report's own script ran
    assert "<title>MCP Sentinel report</title>" in dom
    assert 'id="pwned"' not in dom and "<title>pwned" not in dom
    assert card(dom, "critical") == counts["critical"] and card(dom, "total") == counts["total"]
    assert f'<span id="shown-count">{len(report.load("json")["findings"])}</span>' in dom


def test_link_presets_the_severity_filter_in_chromium(scan, tmp_path):
    browser = chromium()
    report = scan("html")
    dom = render(browser, report.outputs["html"].as_uri() + "#severity=critical", tmp_path / "profile")
    rows = re.findall(r'<tr class="finding[^"]*"[^>]*>', dom)
    visible = [r for r in rows if " hidden" not in r]
    assert len(rows) == 6 and len(visible) == 2  # two critical tokens, one of them suppressed inline
    assert all('data-severity="critical"' in r for r in visible)
    assert '<span id="shown-count">2</span>' in dom


def test_details_and_diff_metadata_are_shown_escaped():
    from sentinel_hooks.findings import Confidence, Finding, Severity
    from sentinel_hooks.scan_result import ScanResult, ScanScope

    finding = Finding(rule_id="hidden-text", title="Hidden text in a tool description", severity=Severity.HIGH,
                      confidence=Confidence.HIGH, cwe="CWE-116", path="server.py", line=3, column=5, end_line=3,
                      end_column=9, snippet="description='…'", remediation="Remove it.", fingerprint="f" * 32 + ":0",
                      extra={"decoded": "<img src=x onerror=alert(1)>"})
    result = ScanResult(rules=[], findings=[finding],
                        scope=ScanScope(mode="baseline", base="1a2b3c", target="HEAD", range="1a2b3c..HEAD"))
    result.finished = result.started
    text = html_report.render(result)
    assert "<strong>decoded:</strong> &lt;img src=x onerror=alert(1)&gt;" in text
    assert "<dt>Range</dt><dd>1a2b3c..HEAD</dd>" in text and "<dt>Mode</dt><dd>baseline</dd>" in text
    assert not any(t == "img" for t, _ in parse(text).tags)


def test_link_presets_the_order_in_chromium(scan, tmp_path):
    browser = chromium()
    report = scan("html")
    url = report.outputs["html"].as_uri()
    by_file = render(browser, url + "#sort=-file", tmp_path / "profile")
    files = re.findall(r'<tr class="finding[^"]*"[^>]*data-file="([^"]*)"', by_file)
    assert files == sorted(files, reverse=True) and files[0] == "web/page.py"
    assert 'data-key="file" aria-sort="descending"' in by_file
    descending = render(browser, url + "#sort=-rank", tmp_path / "profile")
    ranks = [int(r) for r in re.findall(r'<tr class="finding[^"]*"[^>]*data-rank="(\d)"', descending)]
    assert ranks == sorted(ranks, reverse=True) and len(ranks) == 6
