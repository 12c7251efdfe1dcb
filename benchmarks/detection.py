"""Detection quality: precision and recall per category, for MCP Sentinel and peer scanners.

Two labelled data sets are scanned:

* ``tests/corpus/``: every line marked ``expect: RULE_ID`` (or listed as ``expect`` in a ``<file>.expect``
  sidecar) is a labelled problem of that rule's category; lines marked ``ok: RULE_ID`` are labelled
  true negatives. Each corpus file is scanned as its path below the category folder, as the corpus
  test does.
* ``examples/weather-mcp-server/``: its deliberate mistakes are labelled (path, line, category) in
  ``benchmarks/peers/example_labels.yaml``; a label may span lines (``end_line``) for a construct such
  as a multi-line docstring.

MCP Sentinel runs in-process on every file. The peers run on copies of the same files in the same
run, each judged only on the categories (and file types) it covers: detect-secrets on ``secrets``;
bandit on ``injection`` in Python files; semgrep, with the local rule file
``benchmarks/peers/semgrep-rules.yaml`` only (``--metrics off``, no registry), on the categories named
in that file's rule metadata. A peer finding is put in a category by its rule or test id (see
``BANDIT_CATEGORIES``) or, for semgrep, by ``metadata.category``; findings outside the compared
categories are not counted.

Matching rule. Findings are taken per line: several findings of one tool with the same path, start line
and category count once. A finding covers the lines from its start line to its end line (peers that
report one line cover that line).

* TP: the finding covers a labelled line (or span) of its own category. A finding covering several
  labels counts as one TP; each label it covers counts as found.
* FP: the finding covers no labelled line of any category: it lands on an ``ok:`` line or on an
  unlabelled line.
* FN: a labelled line (or span) of the category that no finding of that category covers.
* A finding that covers only labels of another category points at a real problem filed under a
  different heading; it is reported as "other" and counts neither way.

Precision = TP / (TP + FP); recall = found labels / labels. "overall" sums the categories a tool is
judged on.

Usage (from the repository root)::

    python benchmarks/detection.py                # MCP Sentinel and every peer found
    python benchmarks/detection.py --quick        # MCP Sentinel only
    python benchmarks/detection.py --peer-bin "$peers/bin" --json-out figures.json   # peers: see README

A third section (``_secret_forms.py``) measures secret recall per provider group and per form on
credentials generated from the providers' published formats, each written as a Python assignment, an
``os.environ.get`` default, a ``.env`` line and an MCP client ``env`` block, and false positives on
placeholders, on random-looking non-credentials and on clean code (the reference SDK and servers at fixed
commits), with detect-secrets on the same files.
"""
from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Optional

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from _util import child_env, find_tool, machine  # noqa: E402
from corpus_labels import corpus_files  # noqa: E402
from corpus_labels import expectations as corpus_expectations  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO / "tests" / "corpus"
EXAMPLE = REPO / "examples" / "weather-mcp-server"
PEERS_DIR = Path(__file__).resolve().parent / "peers"
EXAMPLE_LABELS = PEERS_DIR / "example_labels.yaml"
SEMGREP_RULES = PEERS_DIR / "semgrep-rules.yaml"
DEFAULT_PEER_BIN = Path("/work/bench-venv/bin")

CATEGORIES = ["secrets", "injection", "xss", "mcp-tools", "mcp-config", "supply-chain", "exfiltration"]
OURS = "mcp-sentinel"
PEERS = ["detect-secrets", "semgrep", "bandit"]

# bandit test ids that report an injection sink; the rest (asserts, imports, timeouts, weak hashes,
# advisory "check" notes) lie outside the compared categories.
BANDIT_CATEGORIES = {
    "B102": "injection",  # exec
    "B301": "injection",  # pickle and friends
    "B302": "injection",  # marshal
    "B307": "injection",  # eval
    "B506": "injection",  # yaml.load
    "B601": "injection",  # paramiko exec_command
    "B602": "injection",  # subprocess with shell=True
    "B604": "injection",  # any call with shell=True
    "B605": "injection",  # os.system / os.popen
    "B608": "injection",  # SQL built from strings
    "B609": "injection",  # wildcard injection
    "B610": "injection",  # django extra
    "B611": "injection",  # django RawSQL
    "B614": "injection",  # torch.load
}


# ---------------------------------------------------------------- data


@dataclass(frozen=True)
class Label:
    path: str  # repository-relative
    line: int
    end_line: int
    category: str


@dataclass(frozen=True)
class Hit:
    path: str  # repository-relative
    line: int
    end_line: int
    category: str
    rule: str


@dataclass
class Dataset:
    name: str
    files: dict[str, Path]            # repository-relative path -> file on disk
    scan_as: dict[str, str]           # repository-relative path -> path the scanner is given
    labels: set[Label]
    ok_lines: set[tuple[str, int]]    # (path, line) of ok: markers
    base_files: dict[str, Path] = field(default_factory=dict)


@dataclass
class Tally:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    other: int = 0
    labels: int = 0
    found: int = 0
    false_positives: list[Hit] = field(default_factory=list)
    missed: list[Label] = field(default_factory=list)

    def add(self, other: "Tally") -> None:
        self.tp += other.tp
        self.fp += other.fp
        self.fn += other.fn
        self.other += other.other
        self.labels += other.labels
        self.found += other.found
        self.false_positives.extend(other.false_positives)
        self.missed.extend(other.missed)

    @property
    def precision(self) -> Optional[float]:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else None

    @property
    def recall(self) -> Optional[float]:
        return self.found / self.labels if self.labels else None


# A scope says which labels a tool is judged on: category -> predicate on the repository path.
Scope = dict[str, Callable[[str], bool]]


def every_file(_path: str) -> bool:
    return True


def python_file(path: str) -> bool:
    return path.endswith(".py")


# ---------------------------------------------------------------- labels


def rule_categories() -> dict[str, str]:
    from sentinel_hooks.engine.rules import build_ruleset

    return {r.id: r.category for r in build_ruleset([], [])}


def load_corpus(root: Path = CORPUS) -> Dataset:
    from sentinel_hooks.sources.files import decode

    categories = rule_categories()
    data = Dataset(name="corpus", files={}, scan_as={}, labels=set(), ok_lines=set())
    for path in corpus_files(root):
        key = repo_path(path)
        data.files[key] = path
        data.scan_as[key] = path.relative_to(root).as_posix().split("/", 1)[1]
        base = path.with_name(path.name + ".base")
        if base.exists():
            data.base_files[key] = base
        expect, ok = corpus_expectations(path, decode(path.read_bytes()))
        for line, rule_id in expect:
            data.labels.add(Label(key, line, line, categories[rule_id]))
        data.ok_lines.update((key, line) for line, _ in ok)
    return data


def load_example(root: Path = EXAMPLE, labels_file: Path = EXAMPLE_LABELS) -> Dataset:
    data = Dataset(name="example", files={}, scan_as={}, labels=set(), ok_lines=set())
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        key = repo_path(path)
        data.files[key] = path
        data.scan_as[key] = key
    spec = yaml.safe_load(labels_file.read_text(encoding="utf-8"))
    prefix = repo_path(root)
    for item in spec["labels"]:
        key = f"{prefix}/{item['path']}"
        if key not in data.files:
            raise ValueError(f"{labels_file}: no such file {item['path']!r}")
        if item["category"] not in CATEGORIES:
            raise ValueError(f"{labels_file}: unknown category {item['category']!r}")
        data.labels.add(Label(key, item["line"], item.get("end_line", item["line"]), item["category"]))
    return data


def repo_path(path: Path) -> str:
    try:
        return path.resolve().relative_to(REPO).as_posix()
    except ValueError:
        return path.as_posix()


# ---------------------------------------------------------------- scoring


def per_line(hits: Iterable[Hit]) -> list[Hit]:
    """One hit per (path, start line, category), keeping the widest span."""
    merged: dict[tuple[str, int, str], Hit] = {}
    for h in hits:
        key = (h.path, h.line, h.category)
        if key not in merged or h.end_line > merged[key].end_line:
            merged[key] = h
    return sorted(merged.values(), key=lambda h: (h.path, h.line, h.category))


def covers(hit: Hit, label: Label) -> bool:
    return hit.path == label.path and hit.line <= label.end_line and label.line <= hit.end_line


def score(hits: Iterable[Hit], data: Dataset, scope: Scope) -> dict[str, Tally]:
    """Tally per category in scope, by the matching rule of the module docstring."""
    tallies = {c: Tally() for c in CATEGORIES if c in scope}
    by_path: dict[str, list[Label]] = defaultdict(list)
    for label in data.labels:
        by_path[label.path].append(label)
    found: set[Label] = set()
    for hit in per_line(hits):
        if hit.category not in tallies or hit.path not in data.files or not scope[hit.category](hit.path):
            continue
        covered = [lb for lb in by_path.get(hit.path, []) if covers(hit, lb)]
        own = [lb for lb in covered if lb.category == hit.category]
        tally = tallies[hit.category]
        if own:
            tally.tp += 1
            found.update(own)
        elif covered:
            tally.other += 1
        else:
            tally.fp += 1
            tally.false_positives.append(hit)
    for label in sorted(data.labels, key=lambda lb: (lb.path, lb.line, lb.category)):
        if label.category not in tallies or not scope[label.category](label.path):
            continue
        tally = tallies[label.category]
        tally.labels += 1
        if label in found:
            tally.found += 1
        else:
            tally.fn += 1
            tally.missed.append(label)
    return tallies


def overall(tallies: dict[str, Tally]) -> Tally:
    total = Tally()
    for t in tallies.values():
        total.add(t)
    return total


# ---------------------------------------------------------------- MCP Sentinel


def scan_ours(data: Dataset) -> list[Hit]:
    from sentinel_hooks.engine.matcher import Engine
    from sentinel_hooks.engine.rules import build_ruleset
    from sentinel_hooks.engine.units import TextUnit
    from sentinel_hooks.sources.files import decode
    from sentinel_hooks.sources.modules import DirectoryModules, scan_root

    engine = Engine(build_ruleset([], []))
    hits: list[Hit] = []
    for key, path in data.files.items():
        base = data.base_files.get(key)
        loader = (lambda b=base: decode(b.read_bytes())) if base is not None else None
        root = scan_root(str(path), data.scan_as[key])  # imported constants are read beside the file
        unit = TextUnit(path=data.scan_as[key], text=decode(path.read_bytes()), base_text_loader=loader,
                        modules=DirectoryModules(root) if root is not None else None)
        for f in engine.scan(unit):
            if not f.suppressed:
                hits.append(Hit(key, f.line, max(f.end_line, f.line), f.category, f.rule_id))
    return hits


# ---------------------------------------------------------------- peers


def find_peer(name: str, peer_bin: Optional[Path]) -> Optional[Path]:
    """--peer-bin, then $BENCH_PEERS_BIN, then /work/bench-venv/bin, then PATH."""
    dirs = [peer_bin] if peer_bin else []
    dirs += [Path(p) for p in os.environ.get("BENCH_PEERS_BIN", "").split(":") if p]
    dirs.append(DEFAULT_PEER_BIN)
    found = find_tool(name, dirs)
    return Path(found) if found else None


def stage(datasets: list[Dataset], into: Path) -> None:
    """Copy every file to ``into/<repository path>``, so peers see the same tree, free of repo config."""
    for data in datasets:
        for key, path in data.files.items():
            target = into / key
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)
    (into / ".semgrepignore").write_text("", encoding="utf-8")  # no default exclusions (tests/ etc.)


def run_tool(argv: list[str], cwd: Path, ok_codes: tuple[int, ...]) -> str:
    proc = subprocess.run(argv, cwd=cwd, capture_output=True, text=True, env=child_env(), timeout=900)
    if proc.returncode not in ok_codes:
        raise RuntimeError(f"{argv[0]} exited {proc.returncode}: {proc.stderr.strip()[-2000:]}")
    return proc.stdout


def tool_version(binary: Path) -> str:
    try:
        out = subprocess.run([str(binary), "--version"], capture_output=True, text=True, env=child_env(),
                             timeout=120)
    except (OSError, subprocess.TimeoutExpired):
        return "?"
    text = (out.stdout or out.stderr).strip().splitlines()
    return text[0].split()[-1] if text else "?"


def run_detect_secrets(binary: Path, staged: Path) -> list[Hit]:
    out = run_tool([str(binary), "scan", "--all-files", "."], staged, (0,))
    hits = []
    for path, items in json.loads(out)["results"].items():
        for item in items:
            hits.append(Hit(Path(path).as_posix(), item["line_number"], item["line_number"], "secrets",
                            item["type"]))
    return hits


def run_bandit(binary: Path, staged: Path) -> list[Hit]:
    files = sorted(p.relative_to(staged).as_posix() for p in staged.rglob("*.py"))
    if not files:
        return []
    out = run_tool([str(binary), "-f", "json", "-q", *files], staged, (0, 1))
    hits = []
    for item in json.loads(out)["results"]:
        category = BANDIT_CATEGORIES.get(item["test_id"])
        if category is None:
            continue
        lines = item.get("line_range") or [item["line_number"]]
        hits.append(Hit(Path(item["filename"]).as_posix(), item["line_number"], max(lines), category,
                        item["test_id"]))
    return hits


def run_semgrep(binary: Path, staged: Path) -> list[Hit]:
    out = run_tool([str(binary), "scan", "--config", str(SEMGREP_RULES), "--metrics", "off", "--json",
                    "--quiet", "--disable-version-check", "--no-git-ignore", "."], staged, (0, 1))
    hits = []
    for item in json.loads(out)["results"]:
        category = item["extra"].get("metadata", {}).get("category")
        if category not in CATEGORIES:
            continue
        hits.append(Hit(Path(item["path"]).as_posix(), item["start"]["line"], item["end"]["line"], category,
                        item["check_id"].rsplit(".", 1)[-1]))
    return hits


def semgrep_categories() -> list[str]:
    rules = yaml.safe_load(SEMGREP_RULES.read_text(encoding="utf-8"))["rules"]
    return sorted({r["metadata"]["category"] for r in rules}, key=CATEGORIES.index)


def peer_scopes() -> dict[str, Scope]:
    return {
        "detect-secrets": {"secrets": every_file},
        "bandit": {"injection": python_file},
        "semgrep": {c: every_file for c in semgrep_categories()},
    }


PEER_RUNNERS = {"detect-secrets": run_detect_secrets, "semgrep": run_semgrep, "bandit": run_bandit}


# ---------------------------------------------------------------- report


def ratio(value: Optional[float]) -> str:
    return "n/a" if value is None else f"{value:.2f}"


def cell(tally: Optional[Tally]) -> str:
    if tally is None:
        return "—"
    return f"{ratio(tally.precision)} / {ratio(tally.recall)} ({tally.tp}/{tally.fp}/{tally.fn})"


def table(results: dict[str, dict[str, Tally]], tools: list[str]) -> list[str]:
    lines = ["| category | labels | " + " | ".join(tools) + " |",
             "|---|---:|" + "---:|" * len(tools)]
    labels = results[OURS]
    for category in CATEGORIES + ["overall"]:
        row = [category, str(overall(labels).labels if category == "overall" else labels[category].labels)]
        for tool in tools:
            tallies = results[tool]
            if category == "overall":
                row.append(cell(overall(tallies)))
            else:
                row.append(cell(tallies.get(category)))
        lines.append("| " + " | ".join(row) + " |")
    return lines


def describe_misses(name: str, tallies: dict[str, Tally]) -> list[str]:
    total = overall(tallies)
    out = []
    for label in total.missed:
        span = f"{label.line}" if label.end_line == label.line else f"{label.line}-{label.end_line}"
        out.append(f"  FN {label.path}:{span} [{label.category}]")
    for hit in total.false_positives:
        out.append(f"  FP {hit.path}:{hit.line} [{hit.category}] {hit.rule}")
    if not out:
        return [f"{name}: no false negatives or false positives"]
    return [f"{name}:"] + out


def describe_machine() -> str:
    info = machine()
    return f"{info['cpu']} ({info['cores']} cores, {info['memory']}), {info['os']}"


def to_json(results: dict[str, dict[str, dict[str, Tally]]]) -> dict:
    def one(t: Tally) -> dict:
        return {"tp": t.tp, "fp": t.fp, "fn": t.fn, "other": t.other, "labels": t.labels, "found": t.found,
                "precision": t.precision, "recall": t.recall,
                "false_positives": [f"{h.path}:{h.line}:{h.category}:{h.rule}" for h in t.false_positives],
                "missed": [f"{lb.path}:{lb.line}:{lb.category}" for lb in t.missed]}

    return {ds: {tool: {**{c: one(t) for c, t in tallies.items()}, "overall": one(overall(tallies))}
                 for tool, tallies in per_tool.items()}
            for ds, per_tool in results.items()}


# ---------------------------------------------------------------- main


def parse_args(argv: Optional[list[str]]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Precision and recall per category, with peers side by side.")
    parser.add_argument("--quick", action="store_true", help="MCP Sentinel only, no peers")
    parser.add_argument("--peer-bin", type=Path, default=None,
                        help=f"folder holding the peer executables (then $BENCH_PEERS_BIN, {DEFAULT_PEER_BIN}, PATH)")
    parser.add_argument("--json-out", type=Path, default=None, help="also write the figures as JSON here")
    parser.add_argument("--no-secret-forms", action="store_true",
                        help="skip the secret-forms section (generated credentials in four forms, clean code)")
    parser.add_argument("--forms-per-format", type=int, default=3,
                        help="generated values per credential format in the secret-forms section (default 3)")
    parser.add_argument("--no-clean-code", action="store_true",
                        help="skip the false-positive count on the reference SDK and servers")
    return parser.parse_args(argv)


def main(argv: Optional[list[str]] = None) -> int:
    args = parse_args(argv)
    datasets = [load_corpus(), load_example()]
    everything: Scope = {c: every_file for c in CATEGORIES}
    results: dict[str, dict[str, dict[str, Tally]]] = {d.name: {} for d in datasets}
    for data in datasets:
        results[data.name][OURS] = score(scan_ours(data), data, everything)

    tools = [OURS]
    notes: list[str] = []
    versions: dict[str, str] = {}
    if not args.quick:
        scopes = peer_scopes()
        with tempfile.TemporaryDirectory(prefix="detection-bench-") as tmp:
            staged = Path(tmp)
            stage(datasets, staged)
            for peer in PEERS:
                binary = find_peer(peer, args.peer_bin)
                if binary is None:
                    notes.append(f"{peer}: not found (looked in --peer-bin, $BENCH_PEERS_BIN, {DEFAULT_PEER_BIN} "
                                 f"and PATH); skipped")
                    continue
                try:
                    hits = PEER_RUNNERS[peer](binary, staged)
                except (RuntimeError, subprocess.TimeoutExpired, json.JSONDecodeError) as exc:
                    notes.append(f"{peer}: failed ({exc}); skipped")
                    continue
                versions[peer] = tool_version(binary)
                tools.append(peer)
                for data in datasets:
                    results[data.name][peer] = score(hits, data, scopes[peer])

    from sentinel_hooks import __version__ as ours_version

    versions = {OURS: ours_version, **versions}
    print(f"Detection quality, {datetime.date.today().isoformat()}, {describe_machine()}, "
          f"Python {platform.python_version()}")
    print("Tools: " + ", ".join(f"{t} {versions[t]}" for t in tools))
    print("Cells: precision / recall (TP/FP/FN); — = category not covered by the tool")
    for data in datasets:
        title = {"corpus": "Labelled corpus (tests/corpus)",
                 "example": "Example server (examples/weather-mcp-server)"}[data.name]
        print()
        print(f"{title}: {len(data.files)} files, {len(data.labels)} labelled lines")
        print()
        print("\n".join(table(results[data.name], tools)))
        others = [f"{t} {overall(results[data.name][t]).other}" for t in tools if overall(results[data.name][t]).other]
        if others:
            print(f"\nNot counted (on lines labelled with another category): {', '.join(others)}")
    print()
    for data in datasets:
        print(f"[{data.name}] " + "\n".join(describe_misses(OURS, results[data.name][OURS])))
    document = to_json(results)
    if not args.no_secret_forms:
        import _secret_forms

        peer = None if args.quick else find_peer("detect-secrets", args.peer_bin)
        lines, document["secret_forms"] = _secret_forms.run(peer, per_spec=args.forms_per_format,
                                                            clean=not args.no_clean_code)
        print()
        print("Secret recall per form and provider group, false positives (benchmarks/_secret_forms.py):")
        print()
        print("\n".join(lines))
    for note in notes:
        print(note, file=sys.stderr)
    if args.json_out:
        args.json_out.write_text(json.dumps(document, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
