"""Detection on public code this project did not write: malicious and vulnerable MCP servers, and clean code.

Two measurements, both on code fetched beforehand (nothing is fetched at run time):

* Recall per category on labelled cases (``peers/public_detection_cases.yaml``): malicious and vulnerable
  MCP servers published by other people (demonstration servers, capture-the-flag servers, other scanners'
  fixtures) and real security fixes of the reference servers, scanned at their vulnerable parent. A case
  is a span of one file; it is detected when a tool reports a MEDIUM or higher finding inside the span.
  The same file set also holds clean cases (the sets' own safe servers): every MEDIUM+ finding on them
  is a false positive. Every file is copied to ``<tmp>/<owner+name>/<commit>/<folder>/<file name>``
  (``<folder>`` is the file's parent folder unless that is named like tests or examples), so that where
  another project keeps its fixtures does not change the severity a scanner gives.
* MEDIUM+ findings on the clean code bases of the reference SDK, servers and FastMCP (``CLEAN``),
  scanned in place from the precision checkouts (``benchmarks/precision.py``): MCP Sentinel scans the
  whole checkout (``mcp-sentinel scan .``, so ``examples/`` is judged as examples) and the findings under
  the named folders count; the peers scan the named folders. A deleted-guard check
  replays each real fix backwards as a commit (fixed file, then the vulnerable parent on top) and runs
  ``scan --baseline HEAD~1`` on it: the change only removes guards.

Peers, run on the same staged files in the same run: bandit (Python; MEDIUM and HIGH severity) and
semgrep with the local rules ``peers/semgrep-rules.yaml`` (``--metrics off``; ERROR and WARNING).

Repositories come from git mirrors: ``--mirrors DIR`` holds ``DIR/owner+name/repo`` (a bare or normal
git directory, as ``fetch`` or ``git clone --mirror`` leave them) or ``DIR/owner+name`` (a clone).

Usage (from the repository root)::

    python benchmarks/public_detection.py --mirrors /work/.mirror --peers-bin "$peers/bin"
    python benchmarks/public_detection.py --mirrors ~/mirrors --no-peers --json figures.json
"""
from __future__ import annotations

import argparse
import ast
import json
import shutil
import subprocess
import sys
import tempfile
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _util import child_env, find_tool, machine, print_machine, scanner_command, scanner_version, write_json  # noqa: E402

HERE = Path(__file__).resolve().parent
CASES = HERE / "peers" / "public_detection_cases.yaml"
SEMGREP_RULES = HERE / "peers" / "semgrep-rules.yaml"
PRECISION_CHECKOUTS = Path.home() / ".cache" / "mcp-sentinel-bench" / "precision"
MEDIUM_PLUS = {"CRITICAL", "HIGH", "MEDIUM"}
# findings about how a server is deployed (CORS, bind address, timeouts, temp files), which say nothing
# of the labelled behaviour: they do not count as detecting a case (they still count on clean cases)
DEPLOYMENT_RULES = {"mcp-server-cors-wildcard", "mcp-server-bind-all-interfaces", "mcp-server-listen-all-interfaces",
                    "mcp-server-missing-origin-check", "B104", "B108", "B113"}
NEUTRAL_SKIP = {"tests", "test", "fixtures", "examples", "example", "demo", "demos", "__tests__"}
# the clean code bases: (checkout folder, commit, folders scanned)
CLEAN = [
    ("modelcontextprotocol+python-sdk", "57394b0548d1e2dc2dce8d67d84985769df3b8bb", ("src", "examples")),
    ("modelcontextprotocol+servers", "76d64c822f5125032f89eb71dbdb94e42b434821", ("src",)),
    ("jlowin+fastmcp", "b14b137fddc3145d6b4abd0b3a3f1a11dfc370b0", ("src", "examples")),
]


@dataclass(frozen=True)
class Case:
    repo: str
    commit: str
    path: str
    kind: str          # malicious | vulnerable | clean
    category: str
    tool: str = ""
    lines: tuple[int, int] = (0, 0)
    fixed_by: str = ""
    note: str = ""
    set: str = "first"  # "first": the cases the rules were first measured on; "held-out", "held-out-2": found later

    @property
    def folder(self) -> str:
        return self.repo.replace("/", "+")

    @property
    def name(self) -> str:
        where = self.tool or (f"{self.lines[0]}-{self.lines[1]}" if self.lines[0] else "file")
        if self.fixed_by:
            where = f"parent of {self.fixed_by[:10]}"
        return f"{self.repo}:{self.path}:{where}"


@dataclass(frozen=True)
class Finding:
    path: str      # staged path, relative to the staging root
    line: int
    severity: str
    rule: str


def load_cases(path: Path = CASES) -> list[Case]:
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    commits = {r["name"]: r["commit"] for r in doc["repos"]}
    cases = []
    for c in doc["cases"]:
        lines = tuple(c.get("lines", (0, 0)))
        cases.append(Case(repo=c["repo"], commit=c.get("at", commits[c["repo"]]), path=c["path"],
                          kind=c["kind"], category=c["category"], tool=c.get("tool", ""),
                          lines=(int(lines[0]), int(lines[1])), fixed_by=c.get("fixed_by", ""),
                          note=c.get("note", ""), set=c.get("set", "first")))
    return cases


def git_dir(mirrors: Path, folder: str) -> Optional[Path]:
    for candidate in (mirrors / folder / "repo", mirrors / folder):
        if candidate.is_dir() and subprocess.run(["git", "-C", str(candidate), "rev-parse", "--git-dir"],
                                                 capture_output=True).returncode == 0:
            return candidate
    return None


def show(repo: Path, commit: str, path: str) -> Optional[bytes]:
    proc = subprocess.run(["git", "-C", str(repo), "show", f"{commit}:{path}"], capture_output=True)
    return proc.stdout if proc.returncode == 0 else None


def staged_path(case: Case, taken: Optional[dict[str, str]] = None) -> str:
    """Where the case's file is copied; ``taken`` (staged path -> source path) keeps two files of one
    commit that share a folder and file name (``a/app/main.py``, ``b/app/main.py``) apart."""
    parent = Path(case.path).parent.name
    folder = parent if parent and parent.lower() not in NEUTRAL_SKIP else "server"
    staged = f"{case.folder}/{case.commit[:12]}/{folder}/{Path(case.path).name}"
    if taken is not None:
        suffix = 2
        while taken.setdefault(staged, case.path) != case.path:
            staged = f"{case.folder}/{case.commit[:12]}/{folder}-{suffix}/{Path(case.path).name}"
            suffix += 1
    return staged


def tool_span(source: bytes, tool: str) -> tuple[int, int]:
    tree = ast.parse(source)
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == tool:
            start = min([d.lineno for d in node.decorator_list] + [node.lineno])
            return start, node.end_lineno or node.lineno
    raise SystemExit(f"no function {tool!r} in the case file")


def fix_span(repo: Path, case: Case, source: bytes) -> tuple[int, int]:
    """The lines of the vulnerable file that the fix touched, widened to their enclosing functions."""
    diff = subprocess.run(["git", "-C", str(repo), "diff", "-U0", case.commit, case.fixed_by, "--", case.path],
                          capture_output=True, text=True).stdout
    touched = []
    for line in diff.splitlines():
        if line.startswith("@@"):
            old = line.split()[1][1:].split(",")
            start, count = int(old[0]), int(old[1]) if len(old) > 1 else 1
            touched.extend([start, start + max(count, 1) - 1])
    if not touched:
        return 0, 0
    low, high = min(touched), max(touched)
    if case.path.endswith(".py"):
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.end_lineno:
                if node.lineno <= low <= node.end_lineno:
                    low = min(low, node.lineno)
                if node.lineno <= high <= node.end_lineno:
                    high = max(high, node.end_lineno)
        return low, high
    return max(1, low - 40), high + 40


def stage(cases: list[Case], mirrors: Path, root: Path) -> tuple[dict[Case, tuple[str, int, int]], list[str]]:
    """Copy every case file under ``root``; the case -> (staged path, first line, last line) and notes."""
    spans: dict[Case, tuple[str, int, int]] = {}
    notes = []
    taken: dict[str, str] = {}
    for case in cases:
        repo = git_dir(mirrors, case.folder)
        source = show(repo, case.commit, case.path) if repo else None
        if source is None:
            notes.append(f"SKIPPED {case.name}: no mirror or no {case.path} at {case.commit[:12]}")
            continue
        path = staged_path(case, taken)
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(source)
        if case.tool:
            start, end = tool_span(source, case.tool)
        elif case.fixed_by:
            start, end = fix_span(repo, case, source)
        elif case.lines[0]:
            start, end = case.lines
        else:
            start, end = 1, source.count(b"\n") + 1
        spans[case] = (path, start, end)
    return spans, notes


def scan_ours(root: Path, *targets: str) -> list[Finding]:
    """MEDIUM+ findings of a scan run in ``root`` (of ``targets`` there, or all of it)."""
    proc = subprocess.run(scanner_command() + ["scan", *(targets or (".",)), "--no-cache", "--severity-threshold",
                                               "medium", "--output", "json"],
                          capture_output=True, text=True, cwd=root, env=child_env())
    if proc.returncode not in (0, 3, 4, 5, 6):
        raise SystemExit(f"mcp-sentinel failed (exit {proc.returncode}): {proc.stderr.strip()}")
    return [Finding(f["path"], f["line"], f["severity"], f["rule_id"]) for f in json.loads(proc.stdout)["findings"]
            if f["severity"] in MEDIUM_PLUS and not f.get("suppressed")]


def scan_bandit(binary: str, root: Path, target: str = ".") -> list[Finding]:
    proc = subprocess.run([binary, "-r", "-q", "-f", "json", target], capture_output=True, text=True, cwd=root)
    results = json.loads(proc.stdout or "{}").get("results", [])
    return [Finding(str(Path(r["filename"]).as_posix()).removeprefix("./"), r["line_number"], r["issue_severity"],
                    r["test_id"]) for r in results if r["issue_severity"] in MEDIUM_PLUS]


def scan_semgrep(binary: str, root: Path, target: str = ".") -> list[Finding]:
    proc = subprocess.run([binary, "scan", "--metrics", "off", "--quiet", "--json", "--config", str(SEMGREP_RULES),
                           "--no-git-ignore", target], capture_output=True, text=True, cwd=root)
    levels = {"ERROR": "HIGH", "WARNING": "MEDIUM"}
    results = json.loads(proc.stdout or "{}").get("results", [])
    return [Finding(r["path"], r["start"]["line"], levels[r["extra"]["severity"]], r["check_id"].rsplit(".", 1)[-1])
            for r in results if r["extra"]["severity"] in levels]


def judge(spans: dict[Case, tuple[str, int, int]], findings: list[Finding]) -> dict[Case, list[Finding]]:
    """The findings inside each case's span; on malicious/vulnerable cases, deployment findings do not count."""
    by_path: dict[str, list[Finding]] = defaultdict(list)
    for f in findings:
        by_path[f.path].append(f)
    return {case: [f for f in by_path[path] if start <= f.line <= end
                   and (case.kind == "clean" or f.rule not in DEPLOYMENT_RULES)]
            for case, (path, start, end) in spans.items()}


def clean_counts(tool: str, binary: Optional[str], checkouts: Path) -> dict[str, int]:
    counts = {}
    for folder, commit, parts in CLEAN:
        base = checkouts / folder
        head = subprocess.run(["git", "-C", str(base), "rev-parse", "HEAD"], capture_output=True, text=True).stdout.strip()
        if head != commit:
            counts[folder] = -1
            continue
        # the whole checkout is scanned, as its maintainers would run it (so examples/ counts as examples:
        # naming a folder on the command line makes it the subject, judged as code); the findings under
        # the named folders are counted
        if tool == "mcp-sentinel":
            counts[folder] = sum(1 for f in scan_ours(base) if f.path.split("/", 1)[0] in parts)
        elif tool == "bandit":
            counts[folder] = sum(len(scan_bandit(binary, base, part)) for part in parts)
        else:
            counts[folder] = sum(len(scan_semgrep(binary, base, part)) for part in parts)
    return counts


def removed_guard(case: Case, mirrors: Path) -> Optional[bool]:
    """Replay a real fix backwards as one commit; True when ``scan --baseline HEAD~1`` reports MEDIUM+."""
    repo = git_dir(mirrors, case.folder)
    fixed, vulnerable = show(repo, case.fixed_by, case.path), show(repo, case.commit, case.path)
    if fixed is None or vulnerable is None:
        return None
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        target = work / case.path
        target.parent.mkdir(parents=True)

        def commit(data: bytes, message: str) -> None:
            target.write_bytes(data)
            subprocess.run(["git", "-C", tmp, "add", "-A"], check=True)
            subprocess.run(["git", "-C", tmp, "-c", "user.name=bench", "-c", "user.email=bench@localhost",
                            "commit", "-q", "-m", message], check=True)

        subprocess.run(["git", "init", "-q", tmp], check=True)
        commit(fixed, "fixed")
        commit(vulnerable, "guards removed")
        proc = subprocess.run(scanner_command() + ["scan", "--baseline", "HEAD~1", "--no-cache", "--severity-threshold",
                                                   "medium", "--output", "json"],
                              capture_output=True, text=True, cwd=work, env=child_env())
        if proc.returncode not in (0, 3, 4, 5, 6):
            return None
        return any(f["severity"] in MEDIUM_PLUS for f in json.loads(proc.stdout)["findings"])


def recall_table(cases: list[Case], hits: dict[str, dict[Case, list[Finding]]], tools: list[str]) -> list[str]:
    bad = [c for c in cases if c.kind != "clean"]
    categories = sorted({c.category for c in bad})
    rows = [f"{'category':<28} {'cases':>5} " + " ".join(f"{t:>13}" for t in tools)]
    for category in categories + ["all"]:
        chosen = [c for c in bad if category in ("all", c.category)]
        cells = []
        for tool in tools:
            found = sum(1 for c in chosen if hits[tool].get(c))
            cells.append(f"{found:>5}/{len(chosen):<3} {found / len(chosen):>4.0%}")
        rows.append(f"{category:<28} {len(chosen):>5} " + " ".join(f"{cell:>13}" for cell in cells))
    return rows


def parse_args(argv: Optional[list[str]]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--mirrors", type=Path, required=True, help="git mirrors: DIR/owner+name[/repo]")
    parser.add_argument("--checkouts", type=Path, default=PRECISION_CHECKOUTS,
                        help=f"precision checkouts holding the clean code bases (default {PRECISION_CHECKOUTS})")
    parser.add_argument("--peers-bin", type=Path, action="append", default=[], help="where bandit and semgrep are")
    parser.add_argument("--no-peers", action="store_true", help="MCP Sentinel only")
    parser.add_argument("--no-clean", action="store_true", help="skip the clean code bases")
    parser.add_argument("--set", choices=("first", "held-out", "held-out-2"), help="only the cases of this set")
    parser.add_argument("--quiet", action="store_true", help="figures only, no per-case lines")
    parser.add_argument("--json", type=Path, metavar="FILE", help="also write the figures as JSON")
    return parser.parse_args(argv)


def main(argv: Optional[list[str]] = None) -> int:
    args = parse_args(argv)
    print_machine(machine())
    print(f"mcp-sentinel: {scanner_version()} ({' '.join(scanner_command())})")
    peers = {} if args.no_peers else {name: find_tool(name, args.peers_bin) for name in ("bandit", "semgrep")}
    for name, binary in peers.items():
        print(f"{name}: {binary or 'not found (skipped)'}")
    peers = {name: binary for name, binary in peers.items() if binary}
    cases = [c for c in load_cases() if args.set in (None, c.set)]
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        spans, notes = stage(cases, args.mirrors, root)
        for note in notes:
            print(note)
        findings = {"mcp-sentinel": scan_ours(root)}
        if "bandit" in peers:
            findings["bandit"] = scan_bandit(peers["bandit"], root)
        if "semgrep" in peers:
            findings["semgrep"] = scan_semgrep(peers["semgrep"], root)
    tools = list(findings)
    hits = {tool: judge(spans, found) for tool, found in findings.items()}
    staged = [c for c in cases if c in spans]
    print(f"\n{len([c for c in staged if c.kind != 'clean'])} malicious/vulnerable cases, "
          f"{len([c for c in staged if c.kind == 'clean'])} clean cases, "
          f"{len({c.repo for c in staged})} repositories\n")
    print("Recall at MEDIUM+ per category (cases detected / cases):")
    for row in recall_table(staged, hits, tools):
        print("  " + row)
    for name in sorted({c.set for c in staged}):
        chosen = [c for c in staged if c.set == name and c.kind != "clean"]
        print(f"  set {name:<11} " + "  ".join(
            f"{tool} {sum(1 for c in chosen if hits[tool][c])}/{len(chosen)}" for tool in tools))
    bad_files = {(c.repo, c.path, c.commit) for c in staged if c.kind != "clean"}
    print("\nServers (files) with at least one malicious/vulnerable case detected:")
    for tool in tools:
        found = {(c.repo, c.path, c.commit) for c in staged if c.kind != "clean" and hits[tool][c]}
        print(f"  {tool:<13} {len(found)}/{len(bad_files)}")
    print("\nMEDIUM+ findings on clean cases (false positives):")
    for tool in tools:
        fps = [(c, f) for c in staged if c.kind == "clean" for f in hits[tool][c]]
        print(f"  {tool:<13} {len(fps)}" + "".join(f"\n      {c.name} line {f.line} {f.rule}" for c, f in fps))
    guards = {}
    fixes = [c for c in staged if c.fixed_by]
    if fixes:
        print("\nReal fixes replayed backwards (a commit that only removes the guards), scan --baseline HEAD~1:")
        for case in fixes:
            guards[case.name] = removed_guard(case, args.mirrors)
            print(f"  {case.name}: {'reported' if guards[case.name] else 'silent'}")
    clean = {}
    if not args.no_clean:
        print(f"\nMEDIUM+ findings on clean code bases ({args.checkouts}):")
        for tool in tools:
            clean[tool] = clean_counts(tool, peers.get(tool), args.checkouts)
            parts = ", ".join(f"{k.split('+')[1]} {v if v >= 0 else 'missing'}" for k, v in clean[tool].items())
            print(f"  {tool:<13} {sum(v for v in clean[tool].values() if v > 0):>4}   ({parts})")
    if not args.quiet:
        print("\nPer case (detected by):")
        for case in staged:
            by = [tool for tool in tools if hits[tool][case]]
            ours = ", ".join(sorted({f.rule for f in hits["mcp-sentinel"][case]}))
            mark = "clean" if case.kind == "clean" else ("found" if hits["mcp-sentinel"][case] else "MISSED")
            print(f"  {mark:<6} {case.category:<26} {case.name}  [{', '.join(by) or '-'}] {ours}")
    write_json(args.json, {
        "machine": machine(), "scanner": scanner_version(),
        "cases": [{"case": c.name, "set": c.set, "kind": c.kind, "category": c.category,
                   "detected_by": [t for t in tools if hits[t][c]],
                   "rules": sorted({f.rule for f in hits["mcp-sentinel"][c]})} for c in staged],
        "removed_guards": guards, "clean_code_bases": clean,
    })
    return 0


if __name__ == "__main__":
    sys.exit(main())
