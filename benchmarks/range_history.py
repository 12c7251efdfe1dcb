#!/usr/bin/env python3
"""Cost of reading a pushed range's history: ``scan --baseline main`` over N commits against the same
net change squashed into one commit.

Each size is a branch off ``main`` with N commits, each appending a 20-line function to a different
Python file, and a twin branch holding the same change as one commit. The secrets rules read every
commit's added lines in one ``git log -p`` pass, so the gap between the two is what history costs;
``git log -p -U0`` over the range alone is printed beside it as the floor of that pass.
"""
from __future__ import annotations

import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _repo  # noqa: E402
from _util import (BYTECODE_NOTE, base_parser, git, interleaved, machine, ms, print_machine,  # noqa: E402
                   scanner_command, scanner_version, table, write_json)

SCAN_OK = (0, 3, 4, 5, 6)


def make_branches(root: Path, pythons: list[str], commits: int) -> None:
    """``history-N`` (N commits) and ``squashed-N`` (the same tree in one commit)."""
    git(root, "checkout", "-q", "-b", f"history-{commits}", "main")
    for i, rel in enumerate(pythons[:commits]):
        _repo.append_change(root, rel, tag=i, lines=20)
        git(root, "commit", "-q", "-am", f"change {i}")
    tree = git(root, "rev-parse", "HEAD^{tree}").strip()
    squashed = git(root, "commit-tree", tree, "-p", "main", "-m", f"{commits} changes").strip()
    git(root, "branch", f"squashed-{commits}", squashed)
    git(root, "checkout", "-q", "main")


def main() -> int:
    parser = base_parser(__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=2000, help="files in the repository (default 2000)")
    parser.add_argument("--commits", default="1,10,100,500", help="commits in the range (default 1,10,100,500)")
    args = parser.parse_args()
    sizes = [int(s) for s in args.commits.split(",")]
    if args.quick:
        args.runs, args.files, sizes = 1, 200, [1, 10]

    print("== history of a pushed range (--baseline main): N commits against the same change squashed ==")
    info = machine()
    print_machine(info)
    print(f"mcp-sentinel: {scanner_version()} ({' '.join(scanner_command())})")
    print(BYTECODE_NOTE)
    print(f"runs: {args.runs} per command, interleaved, after a warm-up; medians shown\n")

    results: dict = {"machine": info, "runs": args.runs, "files": args.files, "commits": {}}
    with tempfile.TemporaryDirectory(prefix="mcp-sentinel-bench-") as tmp:
        root = Path(tmp) / "repo"
        pythons = _repo.python_paths(_repo.make_repo(root, args.files))
        rows = []
        for n in sizes:
            make_branches(root, pythons, n)
            scan = scanner_command() + ["scan", "--baseline", "main"]
            git(root, "checkout", "-q", f"history-{n}")
            history = interleaved({
                "history": (scan, {"cwd": root, "ok": SCAN_OK}),
                "git log": (["git", "log", "-p", "-U0", "--no-merges", "main..HEAD"], {"cwd": root}),
            }, args.runs)
            git(root, "checkout", "-q", f"squashed-{n}")
            squashed = interleaved({"squashed": (scan, {"cwd": root, "ok": SCAN_OK})}, args.runs)["squashed"]
            ours, floor = history["history"], history["git log"]
            rows.append([n, ms(ours.seconds), ms(squashed.seconds), f"{ours.seconds / squashed.seconds:.2f}x",
                         ms(floor.seconds)])
            results["commits"][n] = {"history": ours, "squashed": squashed, "git log -p": floor}
        print(table(["commits", "scan, N commits", "scan, squashed", "ratio", "git log -p alone"], rows))
    write_json(args.json, results)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
