"""Generated git repositories of realistic, finding-free Python, TypeScript and JSON files.

The files look like an ordinary service: modules with imports, classes, functions and docstrings,
typed TypeScript handlers, JSON configuration and package manifests. Names and sizes vary with a
fixed seed, so the same arguments always build the same repository.
"""
from __future__ import annotations

import json
import random
from pathlib import Path

from _util import git

WORDS = ("account", "order", "invoice", "customer", "report", "session", "profile", "catalog", "shipment",
         "payment", "review", "message", "ticket", "project", "schedule", "metric", "document", "inventory",
         "address", "region", "channel", "license", "device", "warehouse", "contract", "budget", "audit")
VERBS = ("load", "build", "update", "render", "compute", "merge", "split", "validate", "format", "collect",
         "resolve", "apply", "summarise", "normalise", "archive", "refresh")


def _name(rng: random.Random, parts: int = 2) -> str:
    return "_".join(rng.choice(WORDS) for _ in range(parts))


def _camel(snake: str) -> str:
    head, *rest = snake.split("_")
    return head + "".join(p.title() for p in rest)


def python_function(rng: random.Random) -> str:
    verb, noun = rng.choice(VERBS), _name(rng, 1)
    arg = _name(rng, 1)
    body = [f"def {verb}_{noun}({arg}s: list[dict], limit: int = {rng.randint(5, 500)}) -> dict[str, int]:",
            f'    """{verb.title()} the {noun} records and count them by {arg}."""',
            "    counts: dict[str, int] = {}"]
    body += [f"    for item in {arg}s[:limit]:",
             f"        key = str(item.get(\"{noun}\", \"unknown\")).strip().lower()",
             "        if not key:",
             "            continue",
             "        counts[key] = counts.get(key, 0) + 1"]
    for _ in range(rng.randint(0, 4)):
        field = _name(rng, 1)
        body.append(f"    counts[\"{field}_total\"] = sum(1 for item in {arg}s if item.get(\"{field}\"))")
    body.append("    return counts")
    return "\n".join(body)


def python_class(rng: random.Random) -> str:
    cls = "".join(p.title() for p in _name(rng, 2).split("_"))
    fields = [_name(rng, 1) for _ in range(rng.randint(2, 6))]
    lines = ["@dataclass", f"class {cls}:", f'    """A {cls} as stored in the database."""']
    lines += [f"    {f}: str = \"\"" for f in dict.fromkeys(fields)]
    lines += ["", "    def describe(self) -> str:",
              f"        return \", \".join(f\"{{k}}={{v}}\" for k, v in sorted(vars(self).items()))",
              "", "    def is_complete(self) -> bool:",
              "        return all(getattr(self, name) for name in vars(self))"]
    return "\n".join(lines)


def python_file(rng: random.Random) -> str:
    parts = ['"""Helpers for the {} service."""'.format(_name(rng).replace("_", " ")),
             "from __future__ import annotations", "", "import logging",
             "from dataclasses import dataclass", "from typing import Iterable", "",
             "log = logging.getLogger(__name__)", ""]
    for _ in range(rng.randint(2, 6)):
        parts += ["", python_class(rng) if rng.random() < 0.3 else python_function(rng), ""]
    return "\n".join(parts) + "\n"


def typescript_file(rng: random.Random) -> str:
    iface = "".join(p.title() for p in _name(rng, 2).split("_"))
    fields = list(dict.fromkeys(_name(rng, 1) for _ in range(rng.randint(3, 7))))
    lines = [f"import {{ Router }} from \"express\";", "", f"export interface {iface} {{"]
    lines += [f"  {f}: {rng.choice(['string', 'number', 'boolean', 'string[]'])};" for f in fields]
    lines += ["}", ""]
    for _ in range(rng.randint(1, 4)):
        fn = _camel(f"{rng.choice(VERBS)}_{_name(rng, 1)}")
        lines += [f"export function {fn}(items: {iface}[], limit = {rng.randint(5, 200)}): {iface}[] {{",
                  "  return items",
                  f"    .filter((item) => item.{fields[0]} !== undefined)",
                  "    .slice(0, limit);", "}", ""]
    lines += ["export const router = Router();", "",
              f"router.get(\"/{_name(rng, 1)}s\", async (_req, res) => {{",
              "  res.json({ ok: true, items: [] });", "});", ""]
    return "\n".join(lines)


def json_file(rng: random.Random, index: int) -> str:
    if index % 5 == 0:
        doc = {"name": f"@acme/{_name(rng).replace('_', '-')}", "version": f"1.{rng.randint(0, 30)}.0",
               "private": True, "scripts": {"build": "tsc -p .", "test": "vitest run"},
               "dependencies": {"express": "^4.19.2", "zod": "^3.23.8"}}
    else:
        doc = {_name(rng, 1): {"enabled": rng.random() < 0.5, "retries": rng.randint(0, 5),
                               "regions": [rng.choice(WORDS) for _ in range(rng.randint(1, 4))],
                               "timeout_ms": rng.randint(100, 30000)} for _ in range(rng.randint(2, 8))}
    return json.dumps(doc, indent=2) + "\n"


def file_path(rng: random.Random, index: int) -> tuple[str, str]:
    """(relative path, kind) of the index-th file: about 55% Python, 30% TypeScript, 15% JSON."""
    folder = f"{rng.choice(('services', 'lib', 'api', 'jobs', 'web'))}/{_name(rng, 1)}{index % 97}"
    roll = index % 20
    if roll < 11:
        return f"{folder}/{_name(rng)}_{index}.py", "py"
    if roll < 17:
        return f"{folder}/{_camel(_name(rng))}{index}.ts", "ts"
    return f"{folder}/{_name(rng, 1)}_{index}.json", "json"


def write_files(root: Path, count: int, seed: int = 7) -> list[str]:
    rng = random.Random(seed)
    paths = []
    for i in range(count):
        rel, kind = file_path(rng, i)
        text = python_file(rng) if kind == "py" else typescript_file(rng) if kind == "ts" else json_file(rng, i)
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        paths.append(rel)
    return paths


def make_repo(root: Path, count: int, seed: int = 7) -> list[str]:
    """A git repository on branch ``main`` with ``count`` files in one commit; returns their paths."""
    root.mkdir(parents=True, exist_ok=True)
    git(root, "init", "-q", "-b", "main")
    git(root, "config", "commit.gpgsign", "false")
    paths = write_files(root, count, seed)
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", f"{count} files")
    return paths


def python_paths(paths: list[str]) -> list[str]:
    return [p for p in paths if p.endswith(".py")]


def change_block(tag: int, lines: int = 20) -> str:
    """``lines`` plain added lines of Python (one function), free of findings."""
    body = [f"def summarise_batch_{tag}(values: list[int]) -> dict[str, float]:",
            '    """Basic statistics of one batch."""',
            "    if not values:",
            "        return {\"count\": 0.0}"]
    filler = [f"    part_{i} = sum(v for v in values if v % {i + 2} == 0)" for i in range(max(lines - 6, 0))]
    body += filler
    body += ["    total = sum(values)", "    return {\"count\": float(len(values)), \"mean\": total / len(values)}"]
    return "\n".join(body[:lines]) + "\n"


def append_change(root: Path, rel: str, tag: int, lines: int = 20) -> None:
    path = root / rel
    path.write_text(path.read_text(encoding="utf-8") + "\n\n" + change_block(tag, lines), encoding="utf-8")
