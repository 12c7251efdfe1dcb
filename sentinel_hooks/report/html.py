"""A self-contained HTML report: one file, inline CSS and JavaScript, nothing fetched.

The page is complete without JavaScript (summary, metadata, one table row per finding with its
snippet); the inline script only sorts and filters the rows. Every scanned or user-supplied string
is escaped with ``html.escape``; the JSON report embedded for machines sits in a
``<script type="application/json">`` with ``<``, ``>`` and ``&`` written as ``\\u003c`` and so on,
so no scanned text can close the element. A Content-Security-Policy forbids every network load and
lets only the report's own script run.
"""
from __future__ import annotations

import base64
import json
from html import escape
from typing import Any, Iterable, TextIO

from sentinel_hooks import INFORMATION_URI, __version__, digests
from sentinel_hooks.findings import Finding, Severity
from sentinel_hooks.report import json as json_report
from sentinel_hooks.report.cwe import cwe_url


STYLE = """
:root { --fg:#1d2330; --muted:#5b6475; --line:#d9dee7; --bg:#ffffff; --panel:#f5f7fa; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
       color: var(--fg); background: var(--bg); }
header, main { max-width: 1200px; margin: 0 auto; padding: 16px 24px; }
h1 { font-size: 22px; margin: 8px 0 4px; }
h2 { font-size: 16px; margin: 24px 0 8px; }
.muted { color: var(--muted); }
.cards { display: flex; flex-wrap: wrap; gap: 8px; margin: 12px 0; }
.card { min-width: 110px; padding: 8px 12px; border: 1px solid var(--line); border-radius: 6px;
        background: var(--panel); }
.card .n { display: block; font-size: 22px; font-weight: 600; }
dl.meta { display: grid; grid-template-columns: max-content 1fr; gap: 2px 16px; margin: 0; }
dl.meta dt { color: var(--muted); }
dl.meta dd { margin: 0; word-break: break-all; }
.controls { display: flex; flex-wrap: wrap; gap: 12px; align-items: center; margin: 8px 0;
            padding: 8px 12px; background: var(--panel); border: 1px solid var(--line); border-radius: 6px; }
table { width: 100%; border-collapse: collapse; table-layout: fixed; }
th, td { text-align: left; vertical-align: top; padding: 8px; border-bottom: 1px solid var(--line); }
th { background: var(--panel); position: sticky; top: 0; }
th button { font: inherit; font-weight: 600; background: none; border: 0; padding: 0; cursor: pointer; }
th[aria-sort="ascending"] button::after { content: " \\25B2"; }
th[aria-sort="descending"] button::after { content: " \\25BC"; }
col.c-sev { width: 110px; } col.c-loc { width: 26%; } col.c-rule { width: 20%; }
.sev { display: inline-block; padding: 1px 8px; border-radius: 10px; font-size: 12px; font-weight: 600;
       color: #fff; }
.sev-critical { background: #8b1a1a; } .sev-high { background: #c62828; } .sev-medium { background: #b26a00; }
.sev-low { background: #1f6f8b; } .sev-info { background: #6b7280; }
pre.snippet { margin: 6px 0; padding: 6px 8px; background: #0f172a; color: #e2e8f0; border-radius: 4px;
              white-space: pre-wrap; word-break: break-all; font: 12px/1.4 ui-monospace, Menlo, Consolas, monospace; }
.path { font-family: ui-monospace, Menlo, Consolas, monospace; word-break: break-all; }
.fix, .detail { margin: 4px 0 0; }
.detail { word-break: break-all; }
.fp { font: 11px ui-monospace, Menlo, Consolas, monospace; color: var(--muted); word-break: break-all; }
tr.suppressed td { opacity: .6; }
.tag { display: inline-block; padding: 0 6px; border: 1px solid var(--line); border-radius: 8px; font-size: 12px; }
.empty { padding: 16px; text-align: center; color: var(--muted); }
"""

SCRIPT = """
(function () {
  "use strict";
  document.documentElement.setAttribute("data-ready", "true");
  var table = document.getElementById("findings");
  if (!table) { return; }
  var body = table.tBodies[0];
  var rows = Array.prototype.slice.call(body.rows);
  var sevFilter = document.getElementById("filter-severity");
  var fileFilter = document.getElementById("filter-file");
  var textFilter = document.getElementById("filter-text");
  var showSuppressed = document.getElementById("filter-suppressed");
  var shown = document.getElementById("shown-count");

  function apply() {
    var sev = sevFilter.value, file = fileFilter.value;
    var text = textFilter.value.toLowerCase(), withSuppressed = showSuppressed.checked;
    var n = 0;
    rows.forEach(function (row) {
      var ok = (!sev || row.getAttribute("data-severity") === sev)
        && (!file || row.getAttribute("data-file") === file)
        && (withSuppressed || row.getAttribute("data-suppressed") !== "true")
        && (!text || row.textContent.toLowerCase().indexOf(text) !== -1);
      row.hidden = !ok;
      if (ok) { n += 1; }
    });
    shown.textContent = String(n);
  }

  function sortBy(th) {
    var key = th.getAttribute("data-key");
    var numeric = th.getAttribute("data-numeric") === "true";
    var ascending = th.getAttribute("aria-sort") !== "ascending";
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (c) { c.removeAttribute("aria-sort"); });
    th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
    rows.sort(function (a, b) {
      var x = a.getAttribute("data-" + key), y = b.getAttribute("data-" + key);
      var d = numeric ? Number(x) - Number(y) : (x < y ? -1 : x > y ? 1 : 0);
      if (d === 0) { d = Number(a.getAttribute("data-order")) - Number(b.getAttribute("data-order")); }
      return ascending ? d : -d;
    });
    rows.forEach(function (row) { body.appendChild(row); });
  }

  Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th) {
    var button = th.querySelector("button");
    if (button) { button.addEventListener("click", function () { sortBy(th); }); }
  });
  [sevFilter, fileFilter, showSuppressed].forEach(function (el) { el.addEventListener("change", apply); });
  textFilter.addEventListener("input", apply);
  // a link may preset filters and order: report.html#severity=high&file=src/app.py&q=token&sort=-rank
  var preset = new URLSearchParams(location.hash.replace(/^#/, ""));
  if (preset.has("severity")) { sevFilter.value = preset.get("severity"); }
  if (preset.has("file")) { fileFilter.value = preset.get("file"); }
  if (preset.has("q")) { textFilter.value = preset.get("q"); }
  if (preset.has("sort")) {
    var wanted = preset.get("sort"), descending = wanted.charAt(0) === "-";
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th) {
      if (th.getAttribute("data-key") === wanted.replace(/^-/, "")) {
        sortBy(th);
        if (descending) { sortBy(th); }
      }
    });
  }
  apply();
})();
"""

SEVERITY_ORDER = [s for s in sorted(Severity, reverse=True)]


def content_security_policy() -> str:
    """Nothing may load from anywhere; the one script that may run is ours, pinned by its hash."""
    digest = base64.b64encode(digests.sha256(SCRIPT.encode("utf-8")).digest()).decode("ascii")
    return (f"default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-{digest}'; img-src data:; "
            "base-uri 'none'; form-action 'none'")


def script_json(data: Any) -> str:
    """JSON that is safe inside ``<script>``: no ``<``, ``>`` or ``&`` can end or open markup."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return (text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def _escaped(value: Any) -> str:
    """``value`` as text safe inside HTML elements and quoted attributes."""
    return escape(str(value), quote=True)


def summary_cards(result: Any) -> str:
    counts = result.counts()
    cards = [("total", "Total", sum(counts.values()))]
    cards += [(name, name.capitalize(), n) for name, n in counts.items()]
    cards += [("suppressed", "Suppressed", result.suppressed_count)]
    if getattr(result, "hidden_by_range", 0):
        cards += [("hidden-by-range", "Hidden by policy changes in this range", result.hidden_by_range)]
    cards += [("files", "Files scanned", result.files_scanned)]
    return "".join(f'<div class="card" id="count-{key}"><span class="n">{n}</span>{_escaped(label)}</div>'
                   for key, label, n in cards)


def metadata_rows(result: Any) -> str:
    scan = json_report.scan_dict(result)
    rows: list[tuple[str, str]] = [("Mode", scan.get("mode", "full"))]
    if scan.get("paths"):
        rows.append(("Paths", ", ".join(map(str, scan["paths"]))))
    for key, label in (("range", "Range"), ("base", "Base"), ("target", "Target")):
        if scan.get(key):
            rows.append((label, str(scan[key])))
    rows += [("Threshold", scan["threshold"]), ("Rules loaded", str(scan["rules_loaded"])),
             ("Started", scan["started_at"]), ("Finished", scan["finished_at"]),
             ("Duration", f"{scan['duration_seconds']:.2f} s"),
             ("Bytes scanned", str(result.bytes_scanned))]
    skipped = result.skipped.as_dict()
    if skipped:
        rows.append(("Skipped", ", ".join(f"{n} {reason}" for reason, n in skipped.items())))
    hidden = result.below_threshold()
    if hidden:
        rows.append(("Below the threshold (not shown)", ", ".join(f"{n} {name}" for name, n in hidden.items())))
    if result.errors:
        rows.append(("Errors", "; ".join(f"{p}: {r}" for p, r in result.errors)))
    if result.incomplete:
        rows.append(("Incomplete", str(result.incomplete)))
    return "".join(f"<dt>{_escaped(k)}</dt><dd>{_escaped(v)}</dd>" for k, v in rows)


def finding_row(f: Finding, order: int) -> str:
    sev = f.severity.name.lower()
    suppressed = ""
    if f.suppressed:
        label = "suppressed inline" if f.suppressed_by == "inline" else "ignored (.mcp-sentinel-ignore)"
        reason = f.extra.get("ignore_reason")
        suppressed = f' <span class="tag">{_escaped(label)}{": " + _escaped(reason) if reason else ""}</span>'
    cwe = _escaped(f.cwe)
    url = cwe_url(f.cwe)
    cwe_html = f'<a href="{_escaped(url)}" rel="noreferrer">{cwe}</a>' if url else cwe
    snippet = f'<pre class="snippet"><code>{_escaped(f.snippet)}</code></pre>' if f.snippet else ""
    remediation = " ".join(f.remediation.split())
    details = "".join(f'<p class="detail"><strong>{key}:</strong> {_escaped(f.extra[key])}</p>'
                      for key in ("decoded", "detail", "commit") if f.extra.get(key))
    return (
        f'<tr class="finding{" suppressed" if f.suppressed else ""}" data-order="{order}" '
        f'data-severity="{sev}" data-rank="{int(f.severity)}" data-file="{_escaped(f.path)}" '
        f'data-line="{f.line}" data-rule="{_escaped(f.rule_id)}" data-context="{_escaped(f.context)}" '
        f'data-suppressed="{"true" if f.suppressed else "false"}">'
        f'<td><span class="sev sev-{sev}">{_escaped(f.severity.name)}</span></td>'
        f'<td><span class="path">{_escaped(f.path)}</span><br><span class="muted">line {f.line}, column {f.column}'
        f'</span></td>'
        f'<td>{_escaped(f.rule_id)}<br><span class="muted">{cwe_html} &middot; confidence '
        f'{_escaped(f.confidence.name.lower())} &middot; {_escaped(f.context)} context</span></td>'
        f'<td><strong>{_escaped(f.message or f.title)}</strong>{suppressed}{snippet}{details}'
        f'<p class="fix"><strong>Fix:</strong> {_escaped(remediation)}</p>'
        f'<div class="fp">fingerprint {_escaped(f.fingerprint)}</div></td>'
        "</tr>"
    )


def options(values: Iterable[tuple[str, str]]) -> str:
    return "".join(f'<option value="{_escaped(v)}">{_escaped(label)}</option>' for v, label in values)


def render(result: Any) -> str:
    findings: list[Finding] = list(result.reported)
    counts = result.counts()
    total = sum(counts.values())
    files = sorted({f.path for f in findings})
    verdict = (f"{total} finding{'s' if total != 1 else ''} at or above {result.threshold.name.lower()}"
               if total else f"No findings at or above {result.threshold.name.lower()}")
    rows = "".join(finding_row(f, i) for i, f in enumerate(findings))
    table = (
        '<table id="findings"><colgroup><col class="c-sev"><col class="c-loc"><col class="c-rule"><col></colgroup>'
        "<thead><tr>"
        '<th data-key="rank" data-numeric="true"><button type="button">Severity</button></th>'
        '<th data-key="file"><button type="button">File</button></th>'
        '<th data-key="rule"><button type="button">Rule</button></th>'
        "<th>Finding</th></tr></thead>"
        f"<tbody>{rows}</tbody></table>"
    ) if findings else '<p class="empty" id="no-findings">Nothing to report.</p>'
    controls = (
        '<div class="controls">'
        '<label>Severity <select id="filter-severity"><option value="">all</option>'
        f"{options((s.name.lower(), s.name.lower()) for s in SEVERITY_ORDER)}</select></label>"
        f'<label>File <select id="filter-file"><option value="">all</option>{options((p, p) for p in files)}'
        "</select></label>"
        '<label>Text <input id="filter-text" type="search" placeholder="rule, message, snippet"></label>'
        '<label><input id="filter-suppressed" type="checkbox" checked> show suppressed</label>'
        f'<span class="muted">showing <span id="shown-count">{len(findings)}</span> of {len(findings)}</span>'
        "</div>"
    ) if findings else ""
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{_escaped(content_security_policy())}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        "<title>MCP Sentinel report</title>"
        f"<style>{STYLE}</style></head><body>"
        f'<header><h1>MCP Sentinel report</h1><p class="muted" id="verdict">{_escaped(verdict)}</p>'
        f'<div class="cards" id="summary">{summary_cards(result)}</div></header>'
        "<main>"
        f'<h2>Scan</h2><dl class="meta" id="scan-meta">{metadata_rows(result)}'
        f'<dt>Tool</dt><dd>mcp-sentinel {_escaped(__version__)} ({_escaped(INFORMATION_URI)})</dd></dl>'
        f"<h2>Findings</h2>{controls}{table}"
        "</main>"
        f'<script type="application/json" id="report-data">{script_json(json_report.document(result))}</script>'
        f"<script>{SCRIPT}</script>"
        "</body></html>\n"
    )


def write(result: Any, stream: TextIO) -> None:
    stream.write(render(result))
