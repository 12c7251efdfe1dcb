#!/usr/bin/env python3
"""Peak memory on a corpus holding one 200 MB file: ``scan --memory-limit 256MB`` versus no limit.

The large file is real code (the standard library's modules laid end to end until the size is
reached) with a few small files beside it. Memory is the peak resident set of the whole process
tree (the scanner and its worker processes), sampled from /proc.
Target: the peak stays under the limit given.
"""
from __future__ import annotations

import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _corpus  # noqa: E402
import _rules  # noqa: E402
from _util import (BYTECODE_NOTE, Series, announce_peer, base_parser, machine, mb, measure,  # noqa: E402
                   print_machine, scanner_command, scanner_version, secs, table, verdict,
                   write_json)

SCAN_OK = (0, 3, 4, 5, 6)


def build_corpus(root: Path, size_mb: int, small_files: int) -> int:
    """``root/big/generated_module.py`` of ``size_mb`` MB plus some small files; returns total bytes."""
    big = root / "big" / "generated_module.py"
    big.parent.mkdir(parents=True)
    want = size_mb * 1024 * 1024
    written = 0
    sources = _corpus.stdlib_files()
    with big.open("w", encoding="utf-8") as out:
        while written < want:
            for path in sources:
                text = path.read_text(encoding="utf-8", errors="replace")
                out.write(text)
                written += len(text.encode("utf-8"))
                if written >= want:
                    break
    files, small = _corpus.copy_stdlib(root / "small", small_files)
    return written + small


def main() -> int:
    parser = base_parser(__doc__.splitlines()[0], default_runs=1)
    parser.add_argument("--size-mb", type=int, default=200, help="size of the large file (default 200)")
    parser.add_argument("--limit", default="256MB", help="the --memory-limit to test (default 256MB)")
    parser.add_argument("--compare-unlimited", action="store_true",
                        help="also scan without a limit (minutes more on the full-size file)")
    args = parser.parse_args()
    if args.quick:
        args.runs, args.size_mb, args.compare_unlimited = 1, 2, True

    print("== peak memory: a corpus with one large file ==")
    info = machine()
    print_machine(info)
    print(f"mcp-sentinel: {scanner_version()} ({' '.join(scanner_command())})")
    rg = announce_peer("rg", "apt-get install ripgrep", args, ", with the same regexes as a reference")
    print(BYTECODE_NOTE)

    results: dict = {"machine": info, "runs": args.runs, "limit": args.limit}
    with tempfile.TemporaryDirectory(prefix="mcp-sentinel-bench-") as tmp:
        corpus = Path(tmp) / "corpus"
        total = build_corpus(corpus, args.size_mb, 20)
        print(f"corpus: one {args.size_mb} MB .py file of standard-library code and 20 small files, "
              f"{total / 1e6:.0f} MB in all")
        report = Path(tmp) / "report.json"
        base = scanner_command() + ["scan", str(corpus), "--no-cache", "-o", "json", "--output-file", str(report)]
        measure(scanner_command() + ["--version"])  # warm-up: .pyc files
        commands = {f"mcp-sentinel --memory-limit {args.limit}": base + ["--memory-limit", args.limit]}
        if args.compare_unlimited:
            commands["mcp-sentinel (no limit)"] = base
        series = {}
        outcome = {}
        for name, cmd in commands.items():
            s = Series(name)
            for _ in range(max(args.runs, 1)):
                run = measure(cmd, ok=SCAN_OK + (1,), keep_output=True)
                s.runs.append(run)
                outcome[name] = "completed" if run.returncode != 1 else \
                    "FAILED: " + (run.stderr.strip().splitlines() or ["exit 1"])[-1]
            series[name] = s
        if rg:
            plan = _rules.rg_plan(rg, _rules.python_rules().regexes)
            s = Series("ripgrep (same regexes)")
            for _ in range(max(args.runs, 1)):
                parts = [measure(c, ok=(0, 1)) for c in _rules.rg_commands(rg, plan, corpus)]
                s.runs.append(type(parts[0])(sum(p.seconds for p in parts), max(p.peak_rss for p in parts),
                                             max(p.largest_process for p in parts), 0))
            series[s.name] = s
        rows = [[name, secs(s.seconds), mb(s.peak_rss), mb(max(r.largest_process for r in s.runs)),
                 outcome.get(name, "completed")] for name, s in series.items()]
        print()
        print(table(["run", "median", "peak RSS (tree)", "largest process", "outcome"], rows))
        from sentinel_hooks.commands.common import byte_size

        limit = byte_size(args.limit)
        limited = series[f"mcp-sentinel --memory-limit {args.limit}"]
        ok = limited.peak_rss <= limit and outcome[limited.name] == "completed"
        print(f"\ntarget: the scan completes with its peak ({mb(limited.peak_rss)}) under --memory-limit "
              f"{args.limit}: {verdict(ok)}")
        results.update({"corpus_bytes": total, "series": series, "limit_bytes": limit, "outcome": outcome,
                        "within_limit": ok})
    write_json(args.json, results)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
