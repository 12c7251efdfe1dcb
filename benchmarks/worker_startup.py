#!/usr/bin/env python3
"""Worker start-up: what a scan pays for worker processes under fork (Linux) and spawn (macOS,
Windows), measured on one machine with both start methods.

1. One worker, from creating the pool to the first result (a one-line file scanned): the workers of
   every parallel scan and of every scan with ``--timeout`` start this way. Each spawned worker starts
   an interpreter, imports the scanning modules and builds its engine once, from the rules the parent
   loaded from the rule cache (sent pickled; the parts are timed separately).
2. The whole command on one small file: without a limit (scanned in-process) against ``--timeout``
   with forked and with spawned workers (``MCP_SENTINEL_START_METHOD``).
"""
from __future__ import annotations

import os
import pickle
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _util import (BYTECODE_NOTE, base_parser, child_env, interleaved, machine, ms, print_machine,  # noqa: E402
                   scanner_command, scanner_version, table, write_json)

START_ENV = "MCP_SENTINEL_START_METHOD"
SCAN_OK = (0, 3, 4, 5, 6)


def pool_startup(method: str, runs: int) -> list[float]:
    """Seconds from creating a one-worker pool to its first result, per run."""
    from sentinel_hooks import pool
    from sentinel_hooks.rule_cache import load_rules
    from sentinel_hooks.engine.matcher import Engine
    from sentinel_hooks.engine.units import TextUnit

    os.environ[START_ENV] = method
    engine = Engine(load_rules([], []))
    unit = [TextUnit(path="app.py", text="x = 1\n")]
    out = []
    for _ in range(runs + 1):  # the first run warms the page cache and is dropped
        started = time.perf_counter()
        workers = pool._start(engine, 1, None, 1 << 20, None)
        try:
            workers.apply(pool._scan_units, (unit,))
            out.append(time.perf_counter() - started)
        finally:
            workers.terminate()
            workers.join()
    return out[1:]


def worker_parts(runs: int) -> dict[str, float]:
    """Median milliseconds of what a spawned worker does before its first file."""
    probe = ("import time; t = time.perf_counter(); import sentinel_hooks.pool; "
             "print(time.perf_counter() - t)")
    imports = [float(subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                                    env=child_env(), check=True).stdout) for _ in range(runs)]
    bare = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", "pass"], env=child_env(), check=True)
        bare.append(time.perf_counter() - started)
    from sentinel_hooks.rule_cache import load_rules
    from sentinel_hooks.engine.matcher import Engine

    with tempfile.TemporaryDirectory() as tmp:
        load_rules([], [], cache_dir=Path(tmp))  # fills the rule cache
        from_cache, unpickle, build = [], [], []
        for _ in range(runs):
            started = time.perf_counter()
            rules = load_rules([], [], cache_dir=Path(tmp))
            from_cache.append(time.perf_counter() - started)
            data = pickle.dumps(rules)
            started = time.perf_counter()
            rules = pickle.loads(data)
            unpickle.append(time.perf_counter() - started)
            started = time.perf_counter()
            Engine(rules)
            build.append(time.perf_counter() - started)
    med = lambda xs: statistics.median(xs) * 1000  # noqa: E731
    return {"interpreter_ms": med(bare), "imports_ms": med(imports), "rules_pickled_bytes": len(data),
            "unpickle_rules_ms": med(unpickle), "rules_from_cache_file_ms": med(from_cache),
            "engine_build_ms": med(build)}


def main() -> int:
    parser = base_parser(__doc__.splitlines()[0], default_runs=10)
    args = parser.parse_args()
    if args.quick:
        args.runs = 1

    print("== worker start-up: fork versus spawn ==")
    info = machine()
    print_machine(info)
    print(f"mcp-sentinel: {scanner_version()} ({' '.join(scanner_command())})")
    print(BYTECODE_NOTE)
    print(f"runs: {args.runs}; medians shown\n")

    methods = ["fork", "spawn"] if hasattr(os, "fork") else ["spawn"]
    startup = {m: pool_startup(m, args.runs) for m in methods}
    rows = [[m, ms(statistics.median(t)), ms(min(t)), ms(max(t))] for m, t in startup.items()]
    print("one worker, pool created to first result:")
    print(table(["start method", "median", "min", "max"], rows))
    parts = worker_parts(max(args.runs, 3) if not args.quick else 1)
    print("\nwhat a spawned worker does first (medians):")
    print(table(["part", "ms"], [
        ["interpreter start (python -c pass)", f"{parts['interpreter_ms']:.1f}"],
        ["import sentinel_hooks.pool (multiprocessing and the engine)", f"{parts['imports_ms']:.1f}"],
        [f"unpickle the rules ({parts['rules_pickled_bytes'] / 1000:.0f} kB, as sent)", f"{parts['unpickle_rules_ms']:.1f}"],
        ["(read them from the rule cache file instead)", f"{parts['rules_from_cache_file_ms']:.1f}"],
        ["build the engine (once per worker)", f"{parts['engine_build_ms']:.1f}"],
    ]))

    with tempfile.TemporaryDirectory(prefix="mcp-sentinel-bench-") as tmp:
        work = Path(tmp)
        (work / "app.py").write_text('import os\nTOKEN = os.environ["TOKEN"]\n', encoding="utf-8")
        base = scanner_command() + ["scan", "app.py", "--cache-dir", str(work / "cache"), "-o", "json",
                                    "--output-file", str(work / "r.json")]
        commands = {"no --timeout (in-process)": (base, {"cwd": work, "ok": SCAN_OK})}
        for m in methods:
            commands[f"--timeout 60, {m}"] = (base + ["--timeout", "60"],
                                             {"cwd": work, "ok": SCAN_OK, "env": child_env(**{START_ENV: m})})
        series = interleaved(commands, args.runs)
    plain = series["no --timeout (in-process)"].seconds
    print("\nthe whole command, one small file:")
    print(table(["run", "median", "over in-process"],
                [[name, ms(s.seconds), f"+{ms(s.seconds - plain)}"] for name, s in series.items()]))
    write_json(args.json, {"machine": info, "runs": args.runs, "pool_startup_seconds": startup,
                           "spawned_worker_parts": parts, "command": series})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
