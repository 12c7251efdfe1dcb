"""Secret recall per provider group and per form, and false positives on placeholders, on random-looking
non-credentials and on clean real code, for MCP Sentinel and detect-secrets in the same run.

Labelled set (``_secret_vectors.py``): each generated credential is written in each of the four forms
(Python assignment, ``os.environ.get`` default, ``.env`` line, MCP client ``env`` block), one file per
(vector, form) in its own folder, so a file name such as ``.env`` or ``.cursor/mcp.json`` is kept. A tool
finds a vector when it reports a secret on the line that holds it. Placeholders and negatives are written
the same way; any secret reported in those files is a false positive.

Clean code: the reference Python SDK and the reference servers at fixed commits (``CLEAN_SOURCES``),
extracted with ``git archive`` from a local mirror into a temporary folder. They hold no credentials,
so every secret a tool reports there is a false positive; the count per tool is printed with the files.
"""
from __future__ import annotations

import json
import subprocess
import sys
import tarfile
import tempfile
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

import _secret_vectors as sv

SECRET_CATEGORIES = ("secrets", "mcp-config")
SECRET_RULES_OF_MCP_CONFIG = {"mcp-config-plaintext-secret"}

# name, mirror (a bare clone the `fetch` tool or `git clone --mirror` made), commit
CLEAN_SOURCES = [
    ("modelcontextprotocol/python-sdk", Path("/work/.mirror/modelcontextprotocol+python-sdk/repo"),
     "57394b0548d1e2dc2dce8d67d84985769df3b8bb"),
    ("modelcontextprotocol/servers", Path("/work/.mirror/modelcontextprotocol+servers/repo"),
     "76d64c822f5125032f89eb71dbdb94e42b434821"),
]


@dataclass(frozen=True)
class Case:
    key: str  # staged path, relative to the staging root
    scan_as: str  # the path the file has in a project (its form's name)
    line: int
    vector: sv.Vector
    form: str


@dataclass
class Staged:
    root: Path
    positives: list[Case] = field(default_factory=list)
    placeholders: list[Case] = field(default_factory=list)
    negatives: list[Case] = field(default_factory=list)


def _slug(text: str) -> str:
    return "".join(c if c.isalnum() else "-" for c in text).strip("-")


def stage(root: Path, per_spec: int, seed: int) -> Staged:
    out = Staged(root)
    sets = [("positives", sv.vectors(seed, per_spec)), ("placeholders", sv.placeholders()),
            ("negatives", sv.negatives(seed, per_spec))]
    for kind, vectors in sets:
        for i, vector in enumerate(vectors):
            for form, make in sv.FORMS.items():
                name, text, line = make(vector)
                key = f"{kind}/{_slug(form)}/{i:04d}-{_slug(vector.provider)}/{name}"
                target = root / key
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(text, encoding="utf-8")
                getattr(out, kind).append(Case(key, name, line, vector, form))
    return out


Reported = dict[str, set[int]]  # staged path -> lines a tool reported a secret on


def scan_ours_cases(staged: Staged) -> Reported:
    from sentinel_hooks.engine.matcher import Engine
    from sentinel_hooks.engine.rules import build_ruleset
    from sentinel_hooks.engine.units import TextUnit

    engine = Engine(build_ruleset([], []))
    reported: Reported = defaultdict(set)
    for case in staged.positives + staged.placeholders + staged.negatives:
        text = (staged.root / case.key).read_text(encoding="utf-8")
        for f in engine.scan(TextUnit(path=case.scan_as, text=text)):
            if f.category in SECRET_CATEGORIES and not f.suppressed:
                reported[case.key].update(range(f.line, max(f.end_line, f.line) + 1))
    return reported


def run_detect_secrets(binary: Path, root: Path) -> Reported:
    proc = subprocess.run([str(binary), "scan", "--all-files", "."], cwd=root, capture_output=True, text=True,
                          timeout=1800)
    if proc.returncode != 0:
        raise RuntimeError(f"detect-secrets exited {proc.returncode}: {proc.stderr.strip()[-500:]}")
    reported: Reported = defaultdict(set)
    for path, items in json.loads(proc.stdout)["results"].items():
        for item in items:
            reported[Path(path).as_posix()].add(item["line_number"])
    return reported


# --- clean code --------------------------------------------------------------------------------------

def extract_clean(into: Path) -> tuple[list[str], list[str]]:
    """Extract each clean source at its commit into ``into/<owner+name>``; returns (extracted, notes)."""
    done, notes = [], []
    for name, mirror, commit in CLEAN_SOURCES:
        if not mirror.exists():
            notes.append(f"{name}: no mirror at {mirror}; clean-code false positives not measured for it")
            continue
        target = into / name.replace("/", "+")
        target.mkdir(parents=True)
        with tempfile.TemporaryFile() as archive:
            proc = subprocess.run(["git", "--git-dir", str(mirror), "archive", "--format=tar", commit],
                                  stdout=archive, stderr=subprocess.PIPE)
            if proc.returncode != 0:
                notes.append(f"{name}: git archive {commit[:12]} failed: {proc.stderr.decode(errors='replace')[-200:]}")
                continue
            archive.seek(0)
            with tarfile.open(fileobj=archive) as tar:
                members = [m for m in tar.getmembers() if m.isfile() or m.isdir()]
                tar.extractall(target, members=members)  # noqa: S202 - a pinned commit of a known repository
        done.append(name)
    return done, notes


def clean_file_count(root: Path) -> int:
    return sum(1 for p in root.rglob("*") if p.is_file())


def scan_ours_tree(root: Path) -> list[str]:
    """Secrets MCP Sentinel reports in a tree, as ``path:line rule`` (a full scan with the CLI, no cache)."""
    with tempfile.TemporaryDirectory(prefix="forms-report-") as tmp:
        report = Path(tmp) / "report.json"
        proc = subprocess.run([sys.executable, "-m", "sentinel_hooks", "scan", str(root), "--no-cache",
                               "--output", "json", "--output-file", str(report)], capture_output=True, text=True,
                              timeout=1800)
        if proc.returncode not in (0, 3, 4, 5, 6):
            raise RuntimeError(f"mcp-sentinel exited {proc.returncode}: {proc.stderr.strip()[-500:]}")
        data = json.loads(report.read_text(encoding="utf-8"))
    out = []
    for f in data["findings"]:
        if f["category"] == "secrets" or f["rule_id"] in SECRET_RULES_OF_MCP_CONFIG:
            if not f.get("suppressed"):
                out.append(f"{f['path']}:{f['line']} {f['rule_id']}")
    return sorted(set(out))


def detect_secrets_tree(binary: Path, root: Path) -> list[str]:
    reported = run_detect_secrets(binary, root)
    return sorted(f"{path}:{line}" for path, lines in reported.items() for line in lines)


# --- scoring -----------------------------------------------------------------------------------------

@dataclass
class Recall:
    found: int = 0
    total: int = 0

    def add(self, hit: bool) -> None:
        self.found += hit
        self.total += 1

    def cell(self) -> str:
        if not self.total:
            return "n/a"
        return f"{self.found / self.total:.1%} ({self.found}/{self.total})"


GROUP_NAMES = {"ai": "AI / LLM", "saas": "developer SaaS and data", "cloud": "cloud", "generic": "generic (URLs, JWT)"}


def score(staged: Staged, reported: Reported) -> dict[str, dict[str, Recall]]:
    by_form: dict[str, Recall] = defaultdict(Recall)
    by_group: dict[str, Recall] = defaultdict(Recall)
    total = Recall()
    missed: dict[str, Recall] = defaultdict(Recall)
    for case in staged.positives:
        hit = case.line in reported.get(case.key, ())
        by_form[case.form].add(hit)
        by_group[GROUP_NAMES[case.vector.group]].add(hit)
        total.add(hit)
        missed[case.vector.provider].add(hit)
    fp = {}
    for kind in ("placeholders", "negatives"):
        tally = Recall()
        for case in getattr(staged, kind):
            tally.add(bool(reported.get(case.key)))
        fp[kind] = tally
    return {"form": dict(by_form), "group": dict(by_group), "overall": {"all": total}, "fp": fp,
            "provider": dict(missed)}


def table(title: str, rows: list[str], results: dict[str, dict], section: str, tools: list[str]) -> list[str]:
    lines = [f"| {title} | " + " | ".join(tools) + " |", "|---|" + "---:|" * len(tools)]
    for row in rows:
        lines.append(f"| {row} | " + " | ".join(results[t][section][row].cell() if row in results[t][section] else "n/a"
                                               for t in tools) + " |")
    return lines


def weakest(results: dict, tool: str, limit: int = 12) -> str:
    rows = sorted(((r.found / r.total, p) for p, r in results[tool]["provider"].items() if r.found < r.total))
    return ", ".join(f"{p} {share:.0%}" for share, p in rows[:limit]) or "none"


def run(peer: Optional[Path], per_spec: int = 3, seed: int = 15, clean: bool = True) -> tuple[list[str], dict]:
    """Print-ready lines and a JSON-able summary of the whole section."""
    lines: list[str] = []
    tools = ["mcp-sentinel"] + (["detect-secrets"] if peer else [])
    results: dict[str, dict] = {}
    clean_results: dict[str, list[str]] = {}
    notes: list[str] = []
    with tempfile.TemporaryDirectory(prefix="secret-forms-") as tmp:
        staged = stage(Path(tmp) / "cases", per_spec, seed)
        results["mcp-sentinel"] = score(staged, scan_ours_cases(staged))
        if peer:
            results["detect-secrets"] = score(staged, run_detect_secrets(peer, staged.root))
        files = 0
        if clean:
            clean_root = Path(tmp) / "clean"
            clean_root.mkdir()
            extracted, notes = extract_clean(clean_root)
            if extracted:
                files = clean_file_count(clean_root)
                clean_results["mcp-sentinel"] = scan_ours_tree(clean_root)
                if peer:
                    clean_results["detect-secrets"] = detect_secrets_tree(peer, clean_root)
    n_vectors = len({c.vector for c in staged.positives})
    lines.append(f"Generated credentials: {n_vectors} values of {len(sv.SPECS)} formats ({per_spec} per format, "
                 f"seed {seed}) x {len(sv.FORMS)} forms = {len(staged.positives)} files; "
                 f"{len(staged.placeholders)} placeholder files, {len(staged.negatives)} non-credential files")
    lines.append("")
    lines += table("form", list(sv.FORMS), results, "form", tools)
    lines.append("")
    lines += table("provider group", list(GROUP_NAMES.values()), results, "group", tools)
    lines.append(f"| **all forms** | " + " | ".join(results[t]["overall"]["all"].cell() for t in tools) + " |")
    lines.append("")
    lines.append("| false positives | " + " | ".join(tools) + " |")
    lines.append("|---|" + "---:|" * len(tools))
    for kind, label in (("placeholders", "placeholder files"), ("negatives", "random-looking non-credentials")):
        lines.append(f"| {label} | " + " | ".join(results[t]["fp"][kind].cell() for t in tools) + " |")
    if clean_results:
        label = f"clean code ({files} files: " + ", ".join(f"{n}@{c[:12]}" for n, _, c in CLEAN_SOURCES) + ")"
        lines.append(f"| {label} | " + " | ".join(str(len(clean_results.get(t, []))) for t in tools) + " |")
    lines.append("")
    for tool in tools:
        lines.append(f"{tool}: formats below 100 %: {weakest(results, tool)}")
    for tool, found in clean_results.items():
        if tool == "mcp-sentinel" and found:
            lines.append(f"{tool} on clean code: " + "; ".join(found[:20]) + (" …" if len(found) > 20 else ""))
    lines += notes
    summary = {tool: {section: {k: {"found": r.found, "total": r.total} for k, r in rows.items()}
                      for section, rows in res.items()} for tool, res in results.items()}
    summary["clean_code"] = {"sources": [f"{n}@{c}" for n, _, c in CLEAN_SOURCES], "files": files,
                             "reported": clean_results}
    return lines, summary
