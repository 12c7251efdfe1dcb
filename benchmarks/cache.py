#!/usr/bin/env python3
"""Cold versus warm cache: the same full scan of the standard library twice with the cache on.

Each run starts from an empty cache folder (cold: every file is scanned and its result stored),
then repeats the identical scan (warm: results are read back by content hash).
Target: the warm scan at least 5x faster than the cold one.
"""
from __future__ import annotations

import json
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _corpus  # noqa: E402
from _util import (BYTECODE_NOTE, Series, base_parser, machine, mb, measure, print_machine,  # noqa: E402
                   scanner_command, scanner_version, secs, table, verdict, write_json)

SCAN_OK = (0, 3, 4, 5, 6)
TARGET = 5.0


def cache_counts(report: Path) -> str:
    """The hit and miss counts the JSON report gives (counted in the scanning process only)."""
    try:
        meta = json.loads(report.read_text(encoding="utf-8")).get("scan", {})
    except (OSError, ValueError):
        return "?"
    cache = meta.get("cache") if isinstance(meta, dict) else None
    if not isinstance(cache, dict):
        return "not reported"
    if cache.get("hits", 0) + cache.get("misses", 0) == 0 and meta.get("workers", 1) > 1:
        return f"0 hits / 0 misses reported ({meta['workers']} workers)"
    return f"{cache['hits']} hits / {cache['misses']} misses"


def stored_entries(cache_dir: Path) -> int:
    return sum(1 for _ in cache_dir.rglob("*.json"))


def main() -> int:
    parser = base_parser(__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, help="only the first N standard-library files")
    args = parser.parse_args()
    if args.quick:
        args.runs, args.files = 1, 40

    print("== cold versus warm result cache: full scan of the standard library ==")
    info = machine()
    print_machine(info)
    print(f"mcp-sentinel: {scanner_version()} ({' '.join(scanner_command())})")
    print(BYTECODE_NOTE)
    print(f"runs: {args.runs} pairs (empty cache, then the same scan again); medians shown\n")

    results: dict = {"machine": info, "runs": args.runs}
    with tempfile.TemporaryDirectory(prefix="mcp-sentinel-bench-") as tmp:
        work = Path(tmp)
        corpus = work / "stdlib"
        files, size = _corpus.copy_stdlib(corpus, args.files)
        print(f"corpus: {_corpus.describe(files, size)}, copied to a plain folder")
        cache_dir = work / "cache"
        report = work / "report.json"
        cmd = scanner_command() + ["scan", str(corpus), "--cache-dir", str(cache_dir), "-o", "json",
                                   "--output-file", str(report)]
        measure(scanner_command() + ["scan", str(corpus), "--no-cache", "-o", "json", "--output-file",
                                     str(report)], ok=SCAN_OK)  # warm-up: .pyc files, page cache
        cold, warm = Series("cold"), Series("warm")
        counts, entries = {}, {}
        for _ in range(max(args.runs, 1)):
            shutil.rmtree(cache_dir, ignore_errors=True)
            cold.runs.append(measure(cmd, ok=SCAN_OK))
            counts["cold"], entries["cold"] = cache_counts(report), stored_entries(cache_dir)
            warm.runs.append(measure(cmd, ok=SCAN_OK))
            counts["warm"], entries["warm"] = cache_counts(report), stored_entries(cache_dir)
        stored = sum(f.stat().st_size for f in cache_dir.rglob("*") if f.is_file())
        rows = [[s.name, secs(s.seconds), f"{size / 1e6 / s.seconds:.1f}", mb(s.peak_rss), counts[s.name],
                 entries[s.name]] for s in (cold, warm)]
        print()
        print(table(["scan", "median", "MB/s", "peak RSS (tree)", "cache (from the report)", "entries after"], rows))
        ratio = cold.seconds / warm.seconds
        print(f"\ncache folder: {stored / 1e6:.1f} MB")
        print(f"target: warm scan >= {TARGET:.0f}x faster than cold: {ratio:.1f}x: {verdict(ratio >= TARGET)}")
        results.update({"corpus": {"files": files, "bytes": size}, "cold": cold, "warm": warm,
                        "ratio": ratio, "cache_bytes": stored, "cache_counts": counts,
                        "cache_entries": entries})
    write_json(args.json, results)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
