#!/usr/bin/env python3
"""Diff-scan cost versus change size: 1, 10, 100 and 1000 changed files in one large repository.

Each size is a branch off ``main`` that adds a 20-line function to that many Python files, and is
scanned with ``mcp-sentinel scan --baseline main`` from the branch (what a PR job runs). For
comparison, ``detect-secrets-hook`` is given the same changed files (it reads them whole).

A second case spreads one change over many windows: 40 Python MCP modules of 150 tools each, with
every 40th line edited, scanned as ``--baseline HEAD~1`` against a full scan (``--no-cache``) of the
same 40 files, in turns. A diff scan must never cost more than the full scan of the files it touches.
With ``--range-repo PATH``, a third case scans a real repository's last commits (``--range``) the same way.
"""
from __future__ import annotations

import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _mcp_commit  # noqa: E402
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


def windowed_change(root: Path, files: int, tools: int, step: int) -> list[str]:
    """A repository whose last commit edits every ``step``-th line of ``files`` MCP tool modules."""
    root.mkdir(parents=True)
    git(root, "init", "-q", "-b", "main")
    git(root, "config", "commit.gpgsign", "false")
    paths = [f"tools/reports_{i}.py" for i in range(files)]
    (root / "tools").mkdir()
    for i, rel in enumerate(paths):
        (root / rel).write_text(_mcp_commit.tool_module(i, tools), encoding="utf-8")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "tool modules")
    for rel in paths:
        path = root / rel
        path.write_text(_mcp_commit.edit_every(path.read_text(encoding="utf-8"), step), encoding="utf-8")
    git(root, "commit", "-q", "-am", f"edit every {step}th line")
    return paths


def diff_against_full(cwd: Path, diff: list[str], full: list[str], labels: tuple[str, str], runs: int
                      ) -> tuple[Series, Series, float]:
    """The two scans in turns after a warm-up each; prints their medians and the budget's verdict
    (a diff scan never costs more than a full scan of the files it touches)."""
    series = (Series("diff"), Series("full"))
    for command in (diff, full):
        measure(command, cwd=cwd, ok=SCAN_OK)  # warm-up
    for _ in range(max(runs, 1)):
        for one, command in zip(series, (diff, full)):
            one.runs.append(measure(command, cwd=cwd, ok=SCAN_OK))
    ratio = series[0].seconds / series[1].seconds
    # CPU of the process and its workers and git processes: with every core busy, time follows it
    print(table(["scan", "median", "CPU (median)", "peak RSS"],
                [[label, ms(one.seconds), ms(one.cpu), mb(one.peak_rss)] for label, one in zip(labels, series)]))
    print(f"diff / full: {ratio:.2f} (target <= 1.0: {'met' if ratio <= 1.0 else 'MISSED'})")
    splits = [one.cpu_split for one in series]
    if all(splits):  # Linux: where each scan's CPU went
        print("CPU by process (median): " + "; ".join(
            f"{label.split(' (')[0]}: " + ", ".join(f"{kind} {ms(seconds)}" for kind, seconds in split.items())
            for label, split in zip(labels, splits)))
    return series[0], series[1], ratio


def measure_windowed(tmp: Path, args, results: dict) -> None:
    files, tools, step = args.window_files, args.window_tools, args.window_step
    root = tmp / "windows"
    paths = windowed_change(root, files, tools, step)
    changed = git(root, "diff", "--numstat", "HEAD~1", "HEAD").split()
    edited = sum(int(changed[i]) for i in range(0, len(changed), 3))
    print(f"\nmany windows: {files} MCP tool modules of {tools} tools, every {step}th line edited "
          f"({edited} changed lines in all)")
    diff, full, ratio = diff_against_full(
        root, scanner_command() + ["scan", "--baseline", "HEAD~1"], scanner_command() + ["scan", "--no-cache", *paths],
        (f"--baseline HEAD~1 ({edited} changed lines)", f"full scan of the {files} files"), args.runs)
    results["windows"] = {"files": files, "tools": tools, "step": step, "changed_lines": edited,
                          "diff": diff, "full": full, "ratio": ratio}


def measure_range(repo: Path, revision: str, args, results: dict) -> None:
    """A pushed range of a real repository (``--range-repo``): ``--baseline REV`` against a full scan of
    the files the range adds or modifies, in turns. The diff scan also reads every commit's added lines
    for secrets (the history pass), which no full scan does."""
    touched = [p for p in git(repo, "diff", "--name-only", "--diff-filter=AM", revision, "HEAD").splitlines() if p]
    commits = git(repo, "rev-list", "--count", f"{revision}..HEAD").strip()
    print(f"\nreal range: {repo.name}, {revision}..HEAD ({commits} commits, {len(touched)} files added or modified)")
    diff, full, ratio = diff_against_full(
        repo, scanner_command() + ["scan", "--baseline", revision, "--no-cache"],
        scanner_command() + ["scan", "--no-cache", *touched],
        (f"--baseline {revision}", f"full scan of the {len(touched)} files"), args.runs)
    results["range"] = {"repository": repo.name, "revision": revision, "commits": int(commits),
                        "files": len(touched), "diff": diff, "full": full, "ratio": ratio}


def main() -> int:
    parser = base_parser(__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=20000, help="files in the repository (default 20000)")
    parser.add_argument("--sizes", default="1,10,100,1000", help="changed-file counts (default 1,10,100,1000)")
    parser.add_argument("--window-files", type=int, default=40, help="MCP tool modules of the many-windows case")
    parser.add_argument("--window-tools", type=int, default=150, help="tools per module (default 150)")
    parser.add_argument("--window-step", type=int, default=40, help="every N-th line is edited (default 40)")
    parser.add_argument("--only-windows", action="store_true", help="run only the many-windows case")
    parser.add_argument("--range-repo", type=Path, help="also scan a pushed range of this git repository "
                        "(e.g. a clone of modelcontextprotocol/python-sdk) against a full scan of its files")
    parser.add_argument("--range", default="HEAD~100", help="the range's base for --range-repo (default HEAD~100)")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    if args.quick:
        args.runs, args.files, sizes = 1, 200, [1, 10]
        args.window_files, args.window_tools = 3, 20

    print("== diff-scan cost versus change size (--baseline main) ==")
    info = machine()
    print_machine(info)
    print(f"mcp-sentinel: {scanner_version()} ({' '.join(scanner_command())})")
    ds_hook = announce_peer("detect-secrets-hook", "pip install detect-secrets", args, ", given the changed files")
    print(BYTECODE_NOTE)
    print(f"runs: {args.runs} timed per size after a warm-up; medians shown\n")

    results: dict = {"machine": info, "runs": args.runs, "files": args.files, "sizes": {}}
    with tempfile.TemporaryDirectory(prefix="mcp-sentinel-bench-") as tmp:
        if args.only_windows:
            measure_windowed(Path(tmp), args, results)
            if args.range_repo is not None:
                measure_range(args.range_repo.resolve(), args.range, args, results)
            write_json(args.json, results)
            return 0
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
        measure_windowed(Path(tmp), args, results)
        if args.range_repo is not None:
            measure_range(args.range_repo.resolve(), args.range, args, results)
    write_json(args.json, results)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
