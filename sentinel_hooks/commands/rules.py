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
    rules = common.load_rules(args, cfg, rule_paths, disabled, root)
    for r in sorted(rules, key=lambda r: (r.category, r.id)):
        print(f"{r.id:<40} {r.severity.name:<8} {r.confidence.name:<6} {r.cwe:<8} {r.category:<14} {r.title}")
    print(f"{len(rules)} rules")
    return 0
