#!/usr/bin/env python3
"""Diff-scan cost versus change size: 1, 10, 100 and 1000 changed files in one large repository.

Each size is a branch off ``main`` that adds a 20-line function to that many Python files, and is
scanned with ``mcp-sentinel scan --baseline main`` from the branch (what a PR job runs). For
comparison, ``detect-secrets-hook`` is given the same changed files (it reads them whole).
"""
from __future__ import annotations

import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _repo  # noqa: E402
from _util import (BYTECODE_NOTE, Series, announce_peer, base_parser, git, machine, mb, measure,  # noqa: E402
                   ms, print_machine, scanner_command, scanner_version, table, write_json)

SCAN_OK = (0, 3, 4, 5, 6)


def make_branches(root: Path, paths: list[str], sizes: list[int]) -> dict[int, list[str]]:
    """One branch ``change-N`` per size; returns the changed paths of each."""
    pythons = _repo.python_paths(paths)
    changed = {}
    for n in sizes:
        step = max(len(pythons) // n, 1)
        chosen = pythons[::step][:n]
        git(root, "checkout", "-q", "-b", f"change-{n}", "main")
        for i, rel in enumerate(chosen):
            _repo.append_change(root, rel, tag=i, lines=20)
        git(root, "add", "--", *chosen) if len(chosen) < 500 else git(root, "add", "-u")
        git(root, "commit", "-q", "-m", f"change {n} files")
        git(root, "checkout", "-q", "main")
        changed[n] = chosen
    return changed


def main() -> int:
    parser = base_parser(__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=20000, help="files in the repository (default 20000)")
    parser.add_argument("--sizes", default="1,10,100,1000", help="changed-file counts (default 1,10,100,1000)")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    if args.quick:
        args.runs, args.files, sizes = 1, 200, [1, 10]

    print("== diff-scan cost versus change size (--baseline main) ==")
    info = machine()
    print_machine(info)
    print(f"mcp-sentinel: {scanner_version()} ({' '.join(scanner_command())})")
    ds_hook = announce_peer("detect-secrets-hook", "pip install detect-secrets", args, ", given the changed files")
    print(BYTECODE_NOTE)
    print(f"runs: {args.runs} timed per size after a warm-up; medians shown\n")

    results: dict = {"machine": info, "runs": args.runs, "files": args.files, "sizes": {}}
    with tempfile.TemporaryDirectory(prefix="mcp-sentinel-bench-") as tmp:
        root = Path(tmp) / "repo"
        paths = _repo.make_repo(root, args.files)
        changed = make_branches(root, paths, sizes)
        print(f"repository: {args.files} files; each changed file gets one 20-line function")
        ours_cmd = scanner_command() + ["scan", "--baseline", "main"]
        rows = []
        for n in sizes:
            git(root, "checkout", "-q", f"change-{n}")
            measure(ours_cmd, cwd=root, ok=SCAN_OK)  # warm-up: .pyc files and the rule-set cache
            ours = Series(f"mcp-sentinel {n}")
            theirs = Series(f"detect-secrets-hook {n}")
            for _ in range(max(args.runs, 1)):
                ours.runs.append(measure(ours_cmd, cwd=root, ok=SCAN_OK))
                if ds_hook:
                    theirs.runs.append(measure([ds_hook, *changed[n]], cwd=root, ok=(0, 1)))
            row = [n, ms(ours.seconds), mb(ours.peak_rss), f"{ours.seconds / n * 1000:.1f} ms"]
            if ds_hook:
                row += [ms(theirs.seconds), mb(theirs.peak_rss), f"{theirs.seconds / ours.seconds:.2f}x"]
            rows.append(row)
            results["sizes"][n] = {"mcp-sentinel": ours, **({"detect-secrets-hook": theirs} if ds_hook else {})}
        header = ["changed files", "mcp-sentinel", "peak RSS", "per file"]
        if ds_hook:
            header += ["detect-secrets-hook", "peak RSS", "their/our time"]
        print()
        print(table(header, rows))
        first, last = sizes[0], sizes[-1]
        growth = results["sizes"][last]["mcp-sentinel"].seconds / results["sizes"][first]["mcp-sentinel"].seconds
        print(f"\n{last} files cost {growth:.1f}x the time of {first} file(s)")
        results["growth"] = growth
    write_json(args.json, results)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
