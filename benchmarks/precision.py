"""Precision on real MCP servers: MEDIUM+ findings per 10,000 lines, printed for hand judgment.

The script scans checkouts of popular, public MCP server code bases (``REPOS``: owner/name and a pinned
commit) that were made beforehand; it fetches nothing. Each checkout lives in ``--cache-dir`` as
``owner+name``, at the pinned commit. ``--checkout-from DIR`` makes missing checkouts from local git
mirrors laid out as ``DIR/owner+name/repo`` (a clone of the mirror, then the pinned commit; no network);
otherwise clone them yourself, e.g.::

    git clone https://github.com/OWNER/NAME ~/.cache/mcp-sentinel-bench/precision/OWNER+NAME
    git -C ~/.cache/mcp-sentinel-bench/precision/OWNER+NAME checkout COMMIT

A checkout that is missing or at another commit is skipped with a note (its figures would not compare).

Lines: the lines of the files git tracks in the checkout that are text (no NUL byte in their first 8 KiB)
and lie outside the folders the scanner always skips (``node_modules``, virtualenvs, caches).

MCP Sentinel runs once per checkout (``--no-cache --severity-threshold medium --output json``) with its
default configuration. Every MEDIUM+ finding is printed (severity, context, rule, path:line, snippet)
with the verdict recorded for it in ``benchmarks/peers/precision_judgments.yaml`` (by fingerprint:
``real``, ``wrong``, or ``noise`` for a correct statement nobody needs to act on), so a reader can check
the judgment, and the totals say how many were judged each way.

Usage (from the repository root)::

    python benchmarks/precision.py                                 # every checkout present
    python benchmarks/precision.py --checkout-from /work/.mirror   # make missing checkouts first
    python benchmarks/precision.py --repos jlowin/fastmcp --json figures.json
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _util import child_env, machine, print_machine, scanner_command, scanner_version, write_json  # noqa: E402

DEFAULT_CACHE = Path.home() / ".cache" / "mcp-sentinel-bench" / "precision"
JUDGMENTS = Path(__file__).resolve().parent / "peers" / "precision_judgments.yaml"
SEVERITIES = ("CRITICAL", "HIGH", "MEDIUM")
SKIPPED_DIRS = {"node_modules", ".venv", "venv", "__pycache__", ".tox", ".mypy_cache", ".pytest_cache", ".git"}
GOAL_LINES_PER_FINDING = 50_000


@dataclass(frozen=True)
class Repo:
    name: str  # owner/name on GitHub
    commit: str
    what: str

    @property
    def folder(self) -> str:
        return self.name.replace("/", "+")


REPOS = [
    Repo("modelcontextprotocol/servers", "76d64c822f5125032f89eb71dbdb94e42b434821", "reference servers (TS, Python)"),
    Repo("modelcontextprotocol/python-sdk", "57394b0548d1e2dc2dce8d67d84985769df3b8bb", "Python SDK, FastMCP server"),
    Repo("modelcontextprotocol/typescript-sdk", "3924de99df834302d89f5997a1b64ca268282284", "TypeScript SDK, HTTP transports"),
    Repo("jlowin/fastmcp", "b14b137fddc3145d6b4abd0b3a3f1a11dfc370b0", "FastMCP 2 framework (Python)"),
    Repo("punkpeye/fastmcp", "a97c5eb2f0c5a4fcd47450b656b957687e255366", "FastMCP framework (TypeScript)"),
    Repo("getsentry/sentry-mcp", "4a109327ef3cc3b20b36ac18edbce68d37010565", "error-tracking service (TS, remote)"),
    Repo("wonderwhy-er/DesktopCommanderMCP", "1eccc8b09cc09805202a1737fd20d605356c3671", "terminal and file system (TS)"),
    Repo("executeautomation/mcp-playwright", "2349c2891e7c499c8c07b7d78c7f3fb4c797a1da", "browser automation (TS)"),
    Repo("upstash/context7", "c3248289c2ad431a9f34849a3f3d047fc4400373", "documentation lookup (TS)"),
    Repo("makenotion/notion-mcp-server", "1d38420769c8a1fe2d583ff1e7d2d108d4eb0b30", "Notion API (TS)"),
    Repo("neondatabase/mcp-server-neon", "94928121944167d82d9b2b865bcdc5469631557d", "Postgres cloud (TS)"),
    Repo("Flux159/mcp-server-kubernetes", "1ece64e6a9a52b62c9d1ac39e38331a357f89666", "Kubernetes (TS)"),
    Repo("tavily-ai/tavily-mcp", "7bcf90750ef5180968b78abb891eed837d9f7c20", "web search (TS)"),
    Repo("elastic/mcp-server-elasticsearch", "a2b050d07c1e0af19974f63efa20f4553cb43b2b", "Elasticsearch (TS/Rust)"),
    Repo("crystaldba/postgres-mcp", "07eb329c8c48e49640e0d1b5b35465d4d024c3ee", "PostgreSQL (Python)"),
    Repo("redis/mcp-redis", "5945b0b5b098c9a1882075a161a6a58f23de81ed", "Redis (Python)"),
    Repo("qdrant/mcp-server-qdrant", "e4ec69b2daa187c8de86d860f09192200b4c834a", "vector database (Python)"),
    Repo("ClickHouse/mcp-clickhouse", "cb75c276fbe67592e33142cf1760ddb7ce63a84b", "ClickHouse (Python)"),
    Repo("ckreiling/mcp-server-docker", "6288015cee6b76b2e2bf2c64232f0748baf48c1c", "Docker (Python)"),
    Repo("ahujasid/blender-mcp", "da4e16d2069ce5154eaa2535bf995e843caf5c73", "Blender add-on and server (Python)"),
]


def parse_args(argv: Optional[list[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--cache-dir", type=Path, default=DEFAULT_CACHE,
                        help=f"where the checkouts are (default {DEFAULT_CACHE})")
    parser.add_argument("--checkout-from", type=Path, metavar="DIR",
                        help="make missing checkouts from local mirrors DIR/owner+name/repo (no network)")
    parser.add_argument("--repos", default="", help="comma-separated owner/name subset (default: all)")
    parser.add_argument("--quiet", action="store_true", help="figures only, no list of findings")
    parser.add_argument("--json", type=Path, metavar="FILE", help="also write the figures and findings as JSON")
    return parser.parse_args(argv)


def git(folder: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["git", "-C", str(folder), *args], capture_output=True, text=True)


def make_checkout(repo: Repo, target: Path, mirrors: Path) -> None:
    mirror = mirrors / repo.folder / "repo"
    if target.exists() or not mirror.is_dir():
        return
    subprocess.run(["git", "clone", "-q", "--no-checkout", str(mirror), str(target)], check=False)
    # Files the mirror holds no content for (its largest blobs) are left out of the checkout.
    git(target, "-c", "advice.detachedHead=false", "checkout", "-q", repo.commit)


def checkout_problem(repo: Repo, folder: Path) -> Optional[str]:
    if not folder.is_dir():
        return f"no checkout at {folder}"
    head = git(folder, "rev-parse", "HEAD").stdout.strip()
    if head != repo.commit:
        return f"checkout at {head[:12] or 'no commit'}, expected {repo.commit[:12]}"
    return None


def count_lines(folder: Path) -> int:
    listed = git(folder, "ls-files", "-z").stdout.split("\0")
    total = 0
    for rel in filter(None, listed):
        if SKIPPED_DIRS.intersection(Path(rel).parts[:-1]):
            continue
        try:
            data = (folder / rel).read_bytes()
        except OSError:
            continue
        if b"\0" in data[:8192]:
            continue
        total += data.count(b"\n") + (1 if data and not data.endswith(b"\n") else 0)
    return total


def scan(folder: Path) -> dict:
    proc = subprocess.run(scanner_command() + ["scan", ".", "--no-cache", "--severity-threshold", "medium",
                                               "--output", "json"],
                          capture_output=True, text=True, cwd=folder, env=child_env())
    if proc.returncode not in (0, 3, 4, 5, 6):
        raise SystemExit(f"mcp-sentinel failed on {folder} (exit {proc.returncode}): {proc.stderr.strip()}")
    return json.loads(proc.stdout)


def load_judgments() -> dict[str, dict[str, str]]:
    if not JUDGMENTS.is_file():
        return {}
    doc = yaml.safe_load(JUDGMENTS.read_text(encoding="utf-8")) or {}
    return {repo: {str(fp): str(v) for fp, v in (entries or {}).items()} for repo, entries in doc.items()}


def verdict_of(text: str) -> str:
    return text.split(":", 1)[0].strip() if text else "unjudged"


def one_line(text: str, width: int = 110) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


def main(argv: Optional[list[str]] = None) -> int:
    args = parse_args(argv)
    wanted = {r.strip() for r in args.repos.split(",") if r.strip()}
    repos = [r for r in REPOS if not wanted or r.name in wanted]
    print_machine(machine())
    print(f"mcp-sentinel: {scanner_version()} ({' '.join(scanner_command())})")
    judgments = load_judgments()
    rows: list[dict] = []
    for repo in repos:
        folder = args.cache_dir / repo.folder
        if args.checkout_from:
            make_checkout(repo, folder, args.checkout_from)
        problem = checkout_problem(repo, folder)
        if problem:
            print(f"SKIPPED {repo.name}: {problem}")
            continue
        lines = count_lines(folder)
        report = scan(folder)
        judged = judgments.get(repo.name, {})
        findings = [dict(f, verdict=judged.get(f["fingerprint"], "")) for f in report["findings"]
                    if f["severity"] in SEVERITIES and not f.get("suppressed")]
        rows.append({"repo": repo.name, "commit": repo.commit, "what": repo.what, "lines": lines,
                     "findings": findings})

    total_lines = sum(r["lines"] for r in rows)
    by_severity: Counter[str] = Counter()
    by_verdict: Counter[tuple[str, str]] = Counter()
    print()
    print(f"{'repository':<38} {'commit':<12} {'lines':>9} {'C':>3} {'H':>3} {'M':>3} {'M+/10k':>7}")
    for row in rows:
        counts = Counter(f["severity"] for f in row["findings"])
        by_severity.update(counts)
        for f in row["findings"]:
            by_verdict[(f["severity"], verdict_of(f["verdict"]))] += 1
        per10k = 10_000 * len(row["findings"]) / row["lines"] if row["lines"] else 0.0
        print(f"{row['repo']:<38} {row['commit'][:12]:<12} {row['lines']:>9,} {counts['CRITICAL']:>3} "
              f"{counts['HIGH']:>3} {counts['MEDIUM']:>3} {per10k:>7.2f}")
    total = sum(by_severity.values())
    per10k = 10_000 * total / total_lines if total_lines else 0.0
    print(f"{'total':<38} {'':<12} {total_lines:>9,} {by_severity['CRITICAL']:>3} {by_severity['HIGH']:>3} "
          f"{by_severity['MEDIUM']:>3} {per10k:>7.2f}")
    goal = 10_000 / GOAL_LINES_PER_FINDING
    print(f"MEDIUM+ per 10,000 lines: {per10k:.2f} (goal: at most {goal:.2f}, one per {GOAL_LINES_PER_FINDING:,} "
          f"lines: {'met' if per10k <= goal else 'not met'})")
    for severity in SEVERITIES:
        parts = [f"{v} {n}" for (s, v), n in sorted(by_verdict.items()) if s == severity]
        if parts:
            print(f"  {severity:<8} judged: {', '.join(parts)}")

    if not args.quiet:
        for row in rows:
            if not row["findings"]:
                continue
            print(f"\n== {row['repo']} @ {row['commit'][:12]}")
            for f in sorted(row["findings"], key=lambda f: (SEVERITIES.index(f["severity"]), f["path"], f["line"])):
                print(f"  {f['severity']:<8} {f.get('context', 'code'):<8} {f['rule_id']:<36} {f['path']}:{f['line']}"
                      f"  [{f['fingerprint']}]")
                print(f"      {one_line(f['snippet'])}")
                if f["verdict"]:
                    print(f"      judged: {f['verdict']}")

    write_json(args.json, {"machine": machine(), "lines": total_lines, "per_10k_lines": per10k,
                           "by_severity": dict(by_severity),
                           "verdicts": {f"{s}:{v}": n for (s, v), n in by_verdict.items()}, "repos": rows})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
