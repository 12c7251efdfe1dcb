#!/usr/bin/env python3
"""Pre-commit latency: a one-file, 20-line staged change in a small and a large generated repository,
and a realistic MCP commit in the large one.

Measures the whole ``mcp-sentinel scan --staged FILE...`` process (as the pre-commit hook runs it: the
hook's entry plus the staged file names) against ``detect-secrets-hook FILE...`` on the same staged
files, in turns, and prints where the hook's start-up time goes (``-X importtime``, cProfile).

The MCP commit (``_mcp_commit.py``) stages a Python FastMCP server with tools, a TypeScript MCP server,
``claude_desktop_config.json`` and ``.mcp.json`` in a clone of the large repository; both tools report
findings on it. The rule-set cache is warm (written by the warm-up run); there is no result cache
for staged scans.

Targets: median <= 200 ms on the large repository for both changes, faster than detect-secrets-hook
on both, and large/small <= 1.3.
"""
from __future__ import annotations

import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _mcp_commit  # noqa: E402
import _profile  # noqa: E402
import _repo  # noqa: E402
from _util import (BYTECODE_NOTE, announce_peer, base_parser, git, interleaved, machine, mb, ms,  # noqa: E402
                   print_machine, scanner_command, scanner_version, table, verdict, write_json)

TARGET_SECONDS = 0.200
TARGET_RATIO = 1.3


def staged_repo(root: Path, files: int) -> str:
    """A repository of ``files`` committed files with a 20-line addition to one Python file staged."""
    paths = _repo.make_repo(root, files)
    pythons = _repo.python_paths(paths)
    target = pythons[len(pythons) // 2]
    _repo.append_change(root, target, tag=1, lines=20)
    git(root, "add", "--", target)
    return target


def mcp_commit_repo(root: Path, source: Path) -> list[str]:
    """A clone of ``source`` (the large repository) with the realistic MCP commit staged."""
    git(root.parent, "clone", "-q", "--local", str(source), root.name)
    staged = _mcp_commit.write_mcp_commit(root)
    git(root, "add", "--", *staged)
    return staged


def main() -> int:
    parser = base_parser(__doc__.splitlines()[0], default_runs=10)
    parser.add_argument("--small", type=int, default=20, help="files in the small repository (default 20)")
    parser.add_argument("--large", type=int, default=20000, help="files in the large repository (default 20000)")
    parser.add_argument("--no-profile", action="store_true", help="skip the importtime and cProfile reports")
    args = parser.parse_args()
    if args.quick:
        args.runs, args.large = 1, 200

    print("== pre-commit latency: one staged file with 20 added lines; a realistic MCP commit ==")
    info = machine()
    print_machine(info)
    print(f"mcp-sentinel: {scanner_version()} ({' '.join(scanner_command())})")
    ds_hook = announce_peer("detect-secrets-hook", "pip install detect-secrets", args)
    print(BYTECODE_NOTE + " mcp-sentinel's warm-up run also writes its rule-set cache in the per-user cache folder.")
    print(f"runs: {args.runs} timed per command after 1 warm-up, in turns; medians shown\n")

    results: dict = {"machine": info, "runs": args.runs, "repos": {}}
    with tempfile.TemporaryDirectory(prefix="mcp-sentinel-bench-") as tmp:
        commands = {}
        for label, count in (("small", args.small), ("large", args.large)):
            root = Path(tmp) / label
            target = staged_repo(root, count)
            results["repos"][label] = {"files": count, "staged": target}
            print(f"{label} repository: {count} files, staged change in {target}")
            commands[f"mcp-sentinel {label}"] = (scanner_command() + ["scan", "--staged", target],
                                                 {"cwd": root})
            if ds_hook:
                commands[f"detect-secrets-hook {label}"] = ([ds_hook, target], {"cwd": root})
        mcp_root = Path(tmp) / "mcp"
        staged = mcp_commit_repo(mcp_root, Path(tmp) / "large")
        results["repos"]["mcp"] = {"files": args.large + len(staged), "staged": staged}
        print(f"MCP commit: a clone of the large repository with {len(staged)} new files staged: {', '.join(staged)}")
        # both tools must find something: CRITICAL is exit 3 for us, a secret is exit 1 for detect-secrets-hook
        commands["mcp-sentinel mcp-commit"] = (scanner_command() + ["scan", "--staged", *staged],
                                               {"cwd": mcp_root, "ok": (3,)})
        if ds_hook:
            commands["detect-secrets-hook mcp-commit"] = ([ds_hook, *staged], {"cwd": mcp_root, "ok": (1,)})
        series = interleaved(commands, args.runs)

        ours = {label: series[f"mcp-sentinel {label}"] for label in ("small", "large", "mcp-commit")}
        rows = []
        for name, s in series.items():
            rows.append([name, ms(s.seconds), ms(min(r.seconds for r in s.runs)), mb(s.peak_rss)])
        print()
        print(table(["command", "median", "fastest", "peak RSS (tree)"], rows))
        ratio = ours["large"].seconds / ours["small"].seconds
        print("\ntargets:")
        print(f"  mcp-sentinel large median {ms(ours['large'].seconds)} <= {ms(TARGET_SECONDS)}: "
              f"{verdict(ours['large'].seconds <= TARGET_SECONDS)}")
        print(f"  mcp-sentinel MCP commit median {ms(ours['mcp-commit'].seconds)} <= {ms(TARGET_SECONDS)}: "
              f"{verdict(ours['mcp-commit'].seconds <= TARGET_SECONDS)}")
        print(f"  large/small ratio {ratio:.2f} <= {TARGET_RATIO}: {verdict(ratio <= TARGET_RATIO)}")
        results["targets"] = {"large_seconds": ours["large"].seconds, "ratio_large_small": ratio,
                              "mcp_commit_seconds": ours["mcp-commit"].seconds}
        if ds_hook:
            for label in ("small", "large", "mcp-commit"):
                theirs = series[f"detect-secrets-hook {label}"].seconds
                speedup = theirs / ours[label].seconds
                print(f"  faster than detect-secrets-hook ({label}): {speedup:.2f}x "
                      f"({ms(ours[label].seconds)} vs {ms(theirs)}): {verdict(speedup > 1)}")
                results["targets"][f"vs_detect_secrets_{label}"] = speedup
        results["series"] = series

        if not args.no_profile:
            large = Path(tmp) / "large"
            hook_args = ["scan", "--staged", results["repos"]["large"]["staged"]]
            entries = _profile.importtime(hook_args, large)
            modules = _profile.loaded_modules(hook_args, large)
            print("\nimports of the hook's path (python -X importtime and sys.modules at exit, large repository):")
            print(_profile.import_report(entries, modules))
            results["imports"] = {"modules": len(modules), "heavy": _profile.heavy_imports(modules),
                                  "import_ms": sum(e.self_us for e in entries) / 1000}
            print("\ncProfile of one hook run (large repository):")
            print(_profile.cprofile(hook_args, large))
            mcp_args = ["scan", "--staged", *results["repos"]["mcp"]["staged"]]
            mcp_modules = _profile.loaded_modules(mcp_args, mcp_root)
            print("\nimports of the hook's path on the MCP commit (sys.modules at exit):")
            print(_profile.import_report(_profile.importtime(mcp_args, mcp_root), mcp_modules))
            results["imports_mcp_commit"] = {"modules": len(mcp_modules),
                                             "heavy": _profile.heavy_imports(mcp_modules)}
            print("\ncProfile of one hook run (MCP commit):")
            print(_profile.cprofile(mcp_args, mcp_root))
    write_json(args.json, results)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
