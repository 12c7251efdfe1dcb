"""mcp-sentinel's own regex rules, translated for peers: ripgrep patterns and semgrep rules.

Only rules that run on Python files are translated (the throughput corpus is Python). A rule's
``flags`` become inline flags. Whatever a peer's regex engine rejects is left out and counted.
"""
from __future__ import annotations

import json
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

INLINE = {"ignorecase": "i", "multiline": "m", "dotall": "s", "verbose": "x"}
# ripgrep flag sets tried in order: its default (Rust) engine, multi-line, then PCRE2
RG_MODES = ((), ("-U",), ("-P",), ("-U", "-P"))


@dataclass
class RuleSet:
    total: int                 # rules of every kind in the built-in set
    python: int                # rules that run on .py files (regex and detector rules)
    regexes: dict[str, str]    # rule id -> pattern with inline flags, regex rules on .py files


@dataclass
class RgPlan:
    groups: dict[tuple[str, ...], list[str]] = field(default_factory=dict)  # flags -> patterns
    failed: list[str] = field(default_factory=list)                        # rule ids

    @property
    def translated(self) -> int:
        return sum(len(p) for p in self.groups.values())


def python_rules() -> RuleSet:
    from sentinel_hooks.engine.matcher import Engine
    from sentinel_hooks.engine.rules import build_ruleset

    rules = build_ruleset([], [])
    applicable = Engine(rules).rules_for("pkg/module.py")
    regexes = {}
    for rule in applicable:
        if rule.regex is None:
            continue
        flags = "".join(INLINE[f] for f in rule.flags)
        regexes[rule.id] = (f"(?{flags})" if flags else "") + rule.regex
    return RuleSet(total=len(rules), python=len(applicable), regexes=regexes)


def _rg_accepts(rg: str, flags: tuple[str, ...], pattern: str, probe: Path) -> bool:
    out = subprocess.run([rg, "-q", *flags, "-e", pattern, "--", str(probe)], capture_output=True)
    return out.returncode in (0, 1)


def rg_plan(rg: str, regexes: dict[str, str]) -> RgPlan:
    plan = RgPlan()
    with tempfile.NamedTemporaryFile("w", suffix=".py") as probe:
        probe.write("x = 1\n")
        probe.flush()
        for rule_id, pattern in regexes.items():
            for flags in RG_MODES:
                if _rg_accepts(rg, flags, pattern, Path(probe.name)):
                    plan.groups.setdefault(flags, []).append(pattern)
                    break
            else:
                plan.failed.append(rule_id)
    return plan


def rg_commands(rg: str, plan: RgPlan, target: Path) -> list[list[str]]:
    """One ripgrep process per flag set, all patterns of the set as -e (ripgrep joins them)."""
    commands = []
    for flags, patterns in plan.groups.items():
        cmd = [rg, "--no-ignore", "--hidden", "--no-messages", "-c", *flags]
        for p in patterns:
            cmd += ["-e", p]
        commands.append(cmd + ["--", str(target)])
    return commands


def semgrep_yaml(regexes: dict[str, str]) -> str:
    """A semgrep rule file (JSON is valid YAML) with one ``pattern-regex`` rule per regex."""
    rules = [{"id": rule_id, "languages": ["regex"], "severity": "WARNING",
              "message": f"mcp-sentinel rule {rule_id}", "pattern-regex": pattern}
             for rule_id, pattern in regexes.items()]
    return json.dumps({"rules": rules}, indent=1)


def semgrep_project(root: Path) -> Path:
    """An empty ``.semgrepignore`` at ``root``: without one semgrep skips its default set of paths
    (tests, docs, ...), a third of the standard library."""
    (root / ".semgrepignore").write_text("", encoding="utf-8")
    return root


def semgrep_base(semgrep: str, config: Path, output: Path, jobs: Optional[int] = None,
                 project_root: Optional[Path] = None) -> list[str]:
    """Every file under the targets: no size limit, no git or default ignores, no network."""
    cmd = [semgrep, "scan", "--config", str(config), "--json", "--output", str(output), "--metrics", "off",
           "--disable-version-check", "--no-git-ignore", "--max-target-bytes", "0", "--quiet"]
    if project_root is not None:
        cmd += ["--project-root", str(semgrep_project(project_root))]
    if jobs:
        cmd += ["--jobs", str(jobs)]
    return cmd


def semgrep_translate(semgrep: str, regexes: dict[str, str], workdir: Path, env: dict) -> tuple[dict[str, str], list[str]]:
    """The rules semgrep accepts (checked on a one-line file), and the ids it rejected."""
    accepted = dict(regexes)
    rejected: list[str] = []
    probe = workdir / "probe"
    probe.mkdir(exist_ok=True)
    (probe / "x.py").write_text("x = 1\n", encoding="utf-8")
    for _ in range(len(regexes) + 1):
        config = workdir / "probe-rules.yaml"
        config.write_text(semgrep_yaml(accepted), encoding="utf-8")
        out = workdir / "probe.json"
        subprocess.run(semgrep_base(semgrep, config, out) + [str(probe)], env=env, capture_output=True)
        bad = _rejected_ids(out, accepted)
        if not bad:
            return accepted, rejected
        for rule_id in bad:
            accepted.pop(rule_id, None)
            rejected.append(rule_id)
    return accepted, rejected


def _rejected_ids(output: Path, rules: dict[str, str]) -> list[str]:
    try:
        doc = json.loads(output.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return list(rules)[:1] if rules else []  # no report at all: drop rules one by one
    bad = []
    for err in doc.get("errors", []):
        text = json.dumps(err)
        bad += [rule_id for rule_id in rules if rule_id in text and rule_id not in bad]
    return bad
