"""`mcp-sentinel rules`: list the rules that would run with the current configuration."""
from __future__ import annotations

import argparse

from sentinel_hooks.commands import common


def add_parser(sub) -> None:
    p = sub.add_parser("rules", help="list the rules that would run")
    common.add_rule_options(p)
    p.add_argument("--debug", action="store_true")


def run(args: argparse.Namespace) -> int:
    root, cfg, rule_paths, disabled = common.settings(args)
    from sentinel_hooks import policy_changes
    from sentinel_hooks.printable import printable

    # policy-change judges the configuration itself: diff scans always report it, whatever disables rules
    rules = [*common.load_rules(args, cfg, rule_paths, disabled, root), policy_changes.rule()]
    print(_row("ID", "SEVERITY", "CONFIDENCE", "CWE", "CATEGORY", "TITLE"))
    for r in sorted(rules, key=lambda r: (r.category, r.id)):  # packs may come from the scanned repository
        print(printable(_row(r.id, r.severity.name, r.confidence.name, r.cwe, r.category, r.title)))
    print(f"{len(rules)} rules")
    return 0


def _row(rule_id: str, severity: str, confidence: str, cwe: str, category: str, title: str) -> str:
    return f"{rule_id:<40} {severity:<8} {confidence:<10} {cwe:<8} {category:<14} {title}"
