#!/usr/bin/env python3
"""Full-scan throughput (MB/s) on the interpreter's standard library, against peers.

Tools, all on the same plain folder (a copy of the standard library's .py files), without caches:
- mcp-sentinel: ``scan DIR --no-cache`` with the full built-in rule set (regex and detector rules);
- semgrep: a generated rule file with one ``pattern-regex`` rule per mcp-sentinel regex rule that
  runs on Python files and that semgrep accepts, on every file (an empty ``.semgrepignore`` at the
  project root turns off its default ignores, no size limit);
- ripgrep: the same regexes, one ``rg -c -e R1 -e R2 ...`` process per regex flavour (its default
  engine where the pattern compiles, ``-P`` PCRE2 otherwise), times summed: the practical upper bound;
- semgrep-24: semgrep with the 24 plain credential regexes of ``../shared/bench/semgrep-24.yaml``, run
  as ``semgrep scan --metrics off -j 2 --config semgrep-24.yaml DIR`` (plus ``--json --output``), the
  fixed peer workload the project's speed budget is stated against (skipped when the file is absent);
- detect-secrets: ``detect-secrets scan --all-files`` (once by default: minutes); bandit ``bandit -r``
  with ``--bandit`` and secretlint with its recommended preset with ``--secretlint`` (also once).

Targets (2 cores): faster than semgrep, at or under semgrep-24's time, at least 20x detect-secrets,
within 3x of ripgrep.
"""
from __future__ import annotations

import json
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _corpus  # noqa: E402
import _profile  # noqa: E402
import _rules  # noqa: E402
from _util import (BYTECODE_NOTE, Run, Series, announce_peer, base_parser, child_env, machine, mb,  # noqa: E402
                   measure, print_machine, scanner_command, scanner_version, secs, table, verdict,
                   write_json)

SCAN_OK = (0, 3, 4, 5, 6)
TARGET_SEMGREP = 1.0
TARGET_DETECT_SECRETS = 20.0
TARGET_RIPGREP = 3.0
SEMGREP_24 = Path(__file__).resolve().parents[1].parent / "shared" / "bench" / "semgrep-24.yaml"


Step = tuple[list[list[str]], dict]  # the commands that together make one measurement, and their options


def in_turns(steps: dict[str, Step], runs: int) -> dict[str, Series]:
    """One warm-up each, then ``runs`` rounds of every tool in turn (A B C A B C ...), so machine noise
    hits them alike. A tool of several commands counts their times summed and their largest peak."""
    for commands, kwargs in steps.values():
        for command in commands:
            measure(command, **kwargs)
    out = {name: Series(name) for name in steps}
    for _ in range(max(runs, 1)):
        for name, (commands, kwargs) in steps.items():
            parts = [measure(command, **kwargs) for command in commands]
            out[name].runs.append(Run(sum(p.seconds for p in parts), max(p.peak_rss for p in parts),
                                      max(p.largest_process for p in parts), parts[-1].returncode))
    return out


def timed(name: str, command: list[str], runs: int, warmups: int = 1, **kwargs) -> Series:
    series = Series(name)
    for _ in range(warmups):
        measure(command, **kwargs)
    for _ in range(max(runs, 1)):
        series.runs.append(measure(command, **kwargs))
    return series


def count_findings(kind: str, path: Path) -> tuple[str, str]:
    """(findings, files scanned) from a tool's JSON report, "?" where unknown."""
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return "?", "?"
    if kind == "sentinel":
        return str(len(doc.get("findings", []))), str(doc.get("summary", {}).get("files_scanned", "?"))
    if kind == "semgrep":
        return str(len(doc.get("results", []))), str(len(doc.get("paths", {}).get("scanned", [])))
    if kind == "detect-secrets":
        return str(sum(len(v) for v in doc.get("results", {}).values())), "?"
    if kind == "secretlint" and isinstance(doc, list):
        return str(sum(len(f.get("messages", [])) for f in doc)), str(len(doc))
    if kind == "bandit":
        scanned = len([k for k in doc.get("metrics", {}) if k != "_totals"]) or "?"
        return str(len(doc.get("results", []))), str(scanned)
    return "?", "?"


def main() -> int:
    parser = base_parser(__doc__.splitlines()[0])
    parser.add_argument("--peer-runs", type=int, default=1,
                        help="timed runs of detect-secrets and bandit (default 1: they take a minute or more)")
    parser.add_argument("--files", type=int, help="only the first N standard-library files")
    parser.add_argument("--bandit", action="store_true", help="also run bandit (minutes; it parses Python, a reference)")
    parser.add_argument("--no-detect-secrets", action="store_true", help="leave detect-secrets out")
    parser.add_argument("--secretlint", action="store_true",
                        help="also run secretlint with its recommended preset (npm; several minutes)")
    parser.add_argument("--semgrep-24", type=Path, default=SEMGREP_24, metavar="FILE",
                        help="the 24-regex semgrep workload (default: ../shared/bench/semgrep-24.yaml)")
    parser.add_argument("--profile", type=int, metavar="FILES", default=0,
                        help="also print cProfile top entries of a one-process scan of the first FILES files")
    args = parser.parse_args()
    if args.quick:
        args.runs, args.peer_runs, args.files = 1, 1, 40

    print("== full-scan throughput: the standard library's .py files ==")
    info = machine()
    print_machine(info)
    print(f"mcp-sentinel: {scanner_version()} ({' '.join(scanner_command())})")
    installs = {"semgrep": "pip install semgrep", "rg": "apt-get install ripgrep",
                "detect-secrets": "pip install detect-secrets", "bandit": "pip install bandit",
                "secretlint": "npm install secretlint @secretlint/secretlint-rule-preset-recommend"}
    opted_out = {"bandit": not args.bandit, "secretlint": not args.secretlint}  # opt-in peers
    wanted = [name for name in installs if not opted_out.get(name)]
    peers = {} if args.no_peers else {name: announce_peer(name, installs[name], args) for name in wanted}
    print(BYTECODE_NOTE)

    results: dict = {"machine": info, "runs": args.runs, "peer_runs": args.peer_runs}
    with tempfile.TemporaryDirectory(prefix="mcp-sentinel-bench-") as tmp:
        work = Path(tmp)
        corpus = work / "stdlib"
        files, size = _corpus.copy_stdlib(corpus, args.files)
        print(f"corpus: {_corpus.describe(files, size)}, copied to a plain folder")
        results["corpus"] = {"files": files, "bytes": size}
        ruleset = _rules.python_rules()
        print(f"rules: {ruleset.total} built-in, {ruleset.python} run on .py files, "
              f"{len(ruleset.regexes)} of those are regex rules (the rest are structure-aware detectors)")
        env = child_env()
        series: dict[str, Series] = {}
        found: dict[str, str] = {}

        out = work / "sentinel.json"
        ours = scanner_command() + ["scan", str(corpus), "--no-cache", "-o", "json", "--output-file", str(out)]
        steps: dict[str, Step] = {"mcp-sentinel": ([ours], {"ok": SCAN_OK})}

        if peers.get("rg"):
            plan = _rules.rg_plan(peers["rg"], ruleset.regexes)
            method = ", ".join(f"{len(p)} with {' '.join(f) or 'the default engine'}" for f, p in plan.groups.items())
            print(f"ripgrep: {plan.translated} of {len(ruleset.regexes)} regexes translate ({method}); "
                  f"one rg process per flavour, times summed; untranslated: {', '.join(plan.failed) or 'none'}")
            results["rg_translated"] = plan.translated
            steps["ripgrep"] = (_rules.rg_commands(peers["rg"], plan, corpus), {"ok": (0, 1)})
        if peers.get("semgrep"):
            accepted, rejected = _rules.semgrep_translate(peers["semgrep"], ruleset.regexes, work, env)
            print(f"semgrep: {len(accepted)} of {len(ruleset.regexes)} regexes translate to pattern-regex rules; "
                  f"rejected: {', '.join(rejected) or 'none'}")
            results["semgrep_translated"] = len(accepted)
            config = work / "semgrep-rules.yaml"
            config.write_text(_rules.semgrep_yaml(accepted), encoding="utf-8")
            sg_out = work / "semgrep.json"
            sg_cmd = _rules.semgrep_base(peers["semgrep"], config, sg_out, project_root=work) + [str(corpus)]
            steps["semgrep"] = ([sg_cmd], {"ok": (0, 1)})
            if args.semgrep_24.is_file():
                sg24_out = work / "semgrep-24.json"
                steps["semgrep-24"] = ([[peers["semgrep"], "scan", "--metrics", "off", "-j", "2", "--config",
                                         str(args.semgrep_24), "--json", "--output", str(sg24_out), "--quiet",
                                         str(corpus)]], {"ok": (0, 1)})
                print(f"semgrep-24: the 24 regex rules of {args.semgrep_24}, semgrep's own defaults (-j 2)")
            else:
                print(f"semgrep-24: skipped ({args.semgrep_24} not found; pass --semgrep-24 FILE)")
        print(f"runs: {args.runs} of {', '.join(steps)} in turns after one warm-up each; "
              f"detect-secrets, bandit and secretlint: {args.peer_runs} without warm-up; medians shown")
        series.update(in_turns(steps, args.runs))
        found["mcp-sentinel"] = count_findings("sentinel", out)
        if "semgrep" in steps:
            found["semgrep"] = count_findings("semgrep", sg_out)
        if "semgrep-24" in steps:
            found["semgrep-24"] = count_findings("semgrep", sg24_out)
        if peers.get("detect-secrets") and not args.no_detect_secrets:
            ds_out = work / "detect-secrets.json"
            cmd = ["sh", "-c", 'exec "$0" scan --all-files . > "$1"', peers["detect-secrets"], str(ds_out)]
            series["detect-secrets"] = timed("detect-secrets", cmd, args.peer_runs, warmups=0, cwd=corpus)
            found["detect-secrets"] = count_findings("detect-secrets", ds_out)
        if peers.get("bandit"):
            b_out = work / "bandit.json"
            cmd = [peers["bandit"], "-r", str(corpus), "-q", "-f", "json", "-o", str(b_out)]
            series["bandit"] = timed("bandit", cmd, args.peer_runs, warmups=0, ok=(0, 1))
            found["bandit"] = count_findings("bandit", b_out)
        if peers.get("secretlint"):
            rc_file = work / "secretlintrc.json"
            rc_file.write_text('{"rules": [{"id": "@secretlint/secretlint-rule-preset-recommend"}]}', encoding="utf-8")
            cmd = [peers["secretlint"], "--secretlintrc", str(rc_file), "--format", "json", "--output",
                   str(work / "secretlint.json"), f"{corpus}/**/*"]
            series["secretlint"] = timed("secretlint", cmd, args.peer_runs, warmups=0, ok=(0, 1))
            found["secretlint"] = count_findings("secretlint", work / "secretlint.json")

        base = series["mcp-sentinel"].seconds
        rows = []
        for name, s in series.items():
            findings, scanned = found.get(name, ("-", "-"))
            rows.append([name, secs(s.seconds), f"{size / 1e6 / s.seconds:.1f}", f"{s.seconds / base:.2f}",
                         mb(s.peak_rss), findings, scanned, len(s.runs)])
        print()
        print(table(["tool", "median", "MB/s", "time vs mcp-sentinel", "peak RSS (tree)", "findings", "files",
                     "runs"], rows))
        print("\ntargets:")
        targets = {}
        if "semgrep" in series:
            r = series["semgrep"].seconds / base
            targets["vs_semgrep"] = r
            print(f"  faster than semgrep: {r:.2f}x: {verdict(r > TARGET_SEMGREP)}")
        if "semgrep-24" in series:
            r = base / series["semgrep-24"].seconds
            targets["time_vs_semgrep_24"] = r
            print(f"  every built-in rule at or under semgrep-24's time: {r:.2f}x its time: {verdict(r <= 1.0)}")
        if "detect-secrets" in series:
            r = series["detect-secrets"].seconds / base
            targets["vs_detect_secrets"] = r
            print(f"  >= {TARGET_DETECT_SECRETS:.0f}x detect-secrets: {r:.1f}x: {verdict(r >= TARGET_DETECT_SECRETS)}")
        if "ripgrep" in series:
            r = base / series["ripgrep"].seconds
            targets["slower_than_ripgrep"] = r
            print(f"  within {TARGET_RIPGREP:.0f}x of ripgrep: {r:.1f}x slower: {verdict(r <= TARGET_RIPGREP)}")
        results.update({"series": series, "targets": targets, "findings": found,
                        "mb_per_s": {n: size / 1e6 / s.seconds for n, s in series.items()},
                        "spread": {n: statistics.pstdev([r.seconds for r in s.runs]) for n, s in series.items()}})
        if args.profile:
            subset = work / "profiled"
            n, n_bytes = _corpus.copy_stdlib(subset, args.profile)
            print(f"\ncProfile of a one-process scan (--max-concurrent-files 1) of {n} files, {n_bytes / 1e6:.1f} MB:")
            print(_profile.cprofile(["scan", str(subset), "--no-cache", "--max-concurrent-files", "1", "-o", "json",
                                     "--output-file", str(work / "profiled.json")], work, top=25))
    write_json(args.json, results)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
