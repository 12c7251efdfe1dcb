"""`mcp-sentinel merge-results`: combine SARIF files of parallel scans into one SARIF log.

Runs are grouped by ``tool.driver.name`` (and ``automationDetails.id``, so separate categories
stay separate runs); each group becomes one run with the union of the rules (``ruleIndex``
re-mapped), the union of artifacts (``artifactLocation.index`` re-mapped) and the results with
duplicates removed: same rule, location and partial fingerprints. Exit 2 for a file that is not
SARIF 2.1.0, exit 8 for one that cannot be read.
"""
from __future__ import annotations

import argparse
import copy
import json
import sys
from pathlib import Path
from typing import Any, Optional

from sentinel_hooks.errors import ConfigError, FileSystemError

SARIF_VERSION = "2.1.0"


def add_parser(sub) -> None:
    p = sub.add_parser("merge-results", help="merge SARIF files from parallel scans into one")
    p.add_argument("inputs", nargs="+", type=Path, metavar="FILE.sarif")
    p.add_argument("--output-file", type=Path, metavar="FILE", help="where to write (default stdout)")
    p.add_argument("--output", "-o", metavar="FILE",
                   help="where to write, as --output-file; a bare format name ('sarif') is taken as the format "
                        "(merge-results always writes SARIF), with a warning")
    p.add_argument("--debug", action="store_true")


def destination(args: argparse.Namespace) -> Optional[Path]:
    """The output file, or None for stdout. In `scan`, --output is a format: `--output sarif` here is
    read the same way (a warning says so) rather than writing a file named `sarif`."""
    from sentinel_hooks.report import format_names

    output = args.output
    if output is not None and output.lower() in format_names():
        if output.lower() != "sarif":
            raise ConfigError(f"merge-results writes SARIF only, not {output!r}")
        where = f"--output-file {args.output_file}" if args.output_file else "stdout"
        print(f"mcp-sentinel: warning: merge-results --output {output} names a format, not a file: writing "
              f"SARIF to {where} (use --output-file FILE for a file)", file=sys.stderr)
        output = None
    if output is not None and args.output_file is not None and Path(output) != args.output_file:
        raise ConfigError("merge-results: --output and --output-file name different files; give one")
    return args.output_file or (Path(output) if output is not None else None)


def run(args: argparse.Namespace) -> int:
    from sentinel_hooks.outputs import write_atomic, write_to_stdout

    target = destination(args)
    merged = merge([load(path) for path in args.inputs])

    def render(stream) -> None:
        json.dump(merged, stream, indent=2, ensure_ascii=False)
        stream.write("\n")

    if target is None:
        write_to_stdout(render, document=True)  # SARIF is UTF-8 whatever the console's encoding
    else:
        write_atomic(target, render)
    return 0


def load(path: Path) -> dict[str, Any]:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise FileSystemError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise FileSystemError(f"{path}: is a directory, not a SARIF file") from None
    except OSError as exc:
        raise FileSystemError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError):
        raise ConfigError(f"{path}: not a SARIF file (invalid JSON)") from None
    problem = sarif_problem(data)
    if problem:
        raise ConfigError(f"{path}: not a SARIF {SARIF_VERSION} file ({problem})")
    return data


def sarif_problem(data: Any) -> Optional[str]:
    if not isinstance(data, dict):
        return "the top level is not an object"
    if data.get("version") != SARIF_VERSION:
        return f"version is {data.get('version')!r}"
    runs = data.get("runs")
    if not isinstance(runs, list):
        return "no runs array"
    for i, run in enumerate(runs):
        driver = run.get("tool", {}).get("driver") if isinstance(run, dict) else None
        if not isinstance(driver, dict) or not isinstance(driver.get("name"), str):
            return f"runs[{i}] has no tool.driver.name"
        if not isinstance(run.get("results", []), list) or not isinstance(driver.get("rules", []), list):
            return f"runs[{i}] has results or rules that are not arrays"
    return None


def group_key(run: dict[str, Any]) -> tuple[str, str]:
    return run["tool"]["driver"]["name"], str((run.get("automationDetails") or {}).get("id", ""))


def merge(logs: list[dict[str, Any]]) -> dict[str, Any]:
    groups: dict[tuple[str, str], RunMerger] = {}
    for log in logs:
        for run in log["runs"]:
            key = group_key(run)
            if key not in groups:
                groups[key] = RunMerger(run)
            groups[key].add(run)
    schema = next((log["$schema"] for log in logs if isinstance(log.get("$schema"), str)), None)
    out: dict[str, Any] = {"$schema": schema} if schema else {}
    out.update({"version": SARIF_VERSION, "runs": [g.finish() for g in groups.values()]})
    return out


class RunMerger:
    """Accumulates the runs of one tool (and category) into one run."""

    def __init__(self, first: dict[str, Any]):
        self.run = {k: copy.deepcopy(v) for k, v in first.items()
                    if k not in ("results", "invocations", "artifacts")}
        self.run["tool"]["driver"]["rules"] = []
        self.rule_index: dict[str, int] = {}
        self.artifacts: list[dict[str, Any]] = []
        self.artifact_index: dict[str, int] = {}
        self.results: list[dict[str, Any]] = []
        self.seen: set[str] = set()
        self.invocations: list[dict[str, Any]] = []
        self.base_ids: dict[str, Any] = {}
        self.runs = 0

    def add(self, run: dict[str, Any]) -> None:
        self.runs += 1
        rules = run["tool"]["driver"].get("rules") or []
        local_rules = [self._rule(r) for r in rules]
        local_artifacts = [self._artifact(a) for a in run.get("artifacts") or []]
        for key, value in (run.get("originalUriBaseIds") or {}).items():
            self.base_ids.setdefault(key, copy.deepcopy(value))
        self.invocations += copy.deepcopy(run.get("invocations") or [])
        for result in run.get("results") or []:
            self._result(copy.deepcopy(result), rules, local_rules, local_artifacts)

    def _rule(self, rule: dict[str, Any]) -> int:
        rule_id = str(rule.get("id", ""))
        if rule_id not in self.rule_index:
            self.rule_index[rule_id] = len(self.run["tool"]["driver"]["rules"])
            self.run["tool"]["driver"]["rules"].append(copy.deepcopy(rule))
        return self.rule_index[rule_id]

    def _artifact(self, artifact: dict[str, Any]) -> int:
        location = artifact.get("location") or {}
        key = json.dumps([location.get("uri"), location.get("uriBaseId")])
        if key not in self.artifact_index:
            self.artifact_index[key] = len(self.artifacts)
            self.artifacts.append(copy.deepcopy(artifact))
        return self.artifact_index[key]

    def _result(self, result: dict[str, Any], rules: list, local_rules: list[int],
                local_artifacts: list[int]) -> None:
        index = result.get("ruleIndex")
        if isinstance(index, int) and 0 <= index < len(local_rules):
            result.setdefault("ruleId", rules[index].get("id"))
            result["ruleIndex"] = local_rules[index]
        elif result.get("ruleId") in self.rule_index:
            result["ruleIndex"] = self.rule_index[result["ruleId"]]
        else:
            result.pop("ruleIndex", None)
        for loc in result.get("locations") or []:
            artifact = (loc.get("physicalLocation") or {}).get("artifactLocation") or {}
            old = artifact.get("index")
            if isinstance(old, int) and 0 <= old < len(local_artifacts):
                artifact["index"] = local_artifacts[old]
        key = identity(result)
        if key in self.seen:
            return
        self.seen.add(key)
        self.results.append(result)

    def finish(self) -> dict[str, Any]:
        run = self.run
        if self.artifacts:
            run["artifacts"] = self.artifacts
        if self.base_ids:
            run["originalUriBaseIds"] = self.base_ids
        if self.invocations:
            run["invocations"] = [merged_invocation(self.invocations)]
        run["results"] = self.results
        if self.runs > 1:
            run.pop("properties", None)  # per-scan figures no longer describe the merged run
        return run


def identity(result: dict[str, Any]) -> str:
    """Rule, physical locations and partial fingerprints: equal for the same finding of two scans."""
    locations = []
    for loc in result.get("locations") or []:
        physical = loc.get("physicalLocation") or {}
        artifact = physical.get("artifactLocation") or {}
        region = physical.get("region") or {}
        locations.append([artifact.get("uri"), artifact.get("uriBaseId"), artifact.get("index"),
                          [region.get(k) for k in ("startLine", "startColumn", "endLine", "endColumn")]])
    return json.dumps([result.get("ruleId"), locations, result.get("partialFingerprints") or {},
                       result.get("fingerprints") or {}], sort_keys=True)


def merged_invocation(invocations: list[dict[str, Any]]) -> dict[str, Any]:
    """One invocation: successful only when all were; the earliest start, the latest end."""
    out: dict[str, Any] = {"executionSuccessful": all(i.get("executionSuccessful", False) for i in invocations)}
    starts = [i["startTimeUtc"] for i in invocations if isinstance(i.get("startTimeUtc"), str)]
    ends = [i["endTimeUtc"] for i in invocations if isinstance(i.get("endTimeUtc"), str)]
    if starts:
        out["startTimeUtc"] = min(starts)
    if ends:
        out["endTimeUtc"] = max(ends)
    notes = [n for i in invocations for n in i.get("toolExecutionNotifications") or []]
    if notes:
        out["toolExecutionNotifications"] = notes
    return out
