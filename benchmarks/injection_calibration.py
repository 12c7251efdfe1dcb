"""Precision and recall of the prompt-injection score on a labelled set of descriptions.

``benchmarks/data/injection_descriptions.tsv`` holds tool, parameter, prompt and resource descriptions
written for this project, labelled ``injection`` or ``benign`` and split into ``tune`` (the rows the
weights and thresholds of ``engine/tool_metadata/injection_score.py`` were set on) and ``heldout``
(never looked at while tuning). A row is flagged when its score reaches the severity asked for
(MEDIUM by default). The text is read as the model reads it (``signals.model_view``).

Usage (from the repository root)::

    python benchmarks/injection_calibration.py              # figures per split, at MEDIUM and at LOW
    python benchmarks/injection_calibration.py --show       # and every miss and false alarm with its score
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sentinel_hooks.engine.tool_metadata.injection_score import score_text  # noqa: E402
from sentinel_hooks.engine.tool_metadata.signals import model_view  # noqa: E402
from sentinel_hooks.findings import Severity  # noqa: E402

DATA = ROOT / "benchmarks" / "data" / "injection_descriptions.tsv"


def load(path: Path = DATA) -> list[tuple[bool, str, str]]:
    rows = []
    for raw in path.read_text(encoding="utf-8").splitlines():
        if not raw.strip() or raw.startswith("#"):
            continue
        label, split, text = raw.split("\t", 2)
        rows.append((label == "injection", split, text.replace("\\n", "\n")))
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--show", action="store_true", help="list misses and false alarms")
    args = parser.parse_args(argv)
    rows = load()
    started = time.perf_counter()
    scored = [(malicious, split, text, score_text(model_view(text))) for malicious, split, text in rows]
    elapsed = time.perf_counter() - started
    print(f"{len(rows)} descriptions scored in {elapsed * 1000:.1f} ms "
          f"({elapsed / len(rows) * 1e6:.0f} µs each, patterns compiled in the run)")
    for floor in (Severity.MEDIUM, Severity.LOW):
        for split in ("tune", "heldout", "all"):
            chosen = [r for r in scored if split == "all" or r[1] == split]
            flagged = [r for r in chosen if r[3].severity is not None and r[3].severity >= floor]
            tp = sum(1 for r in flagged if r[0])
            fp = len(flagged) - tp
            positives = sum(1 for r in chosen if r[0])
            precision = tp / (tp + fp) if tp + fp else 1.0
            recall = tp / positives if positives else 1.0
            print(f"{floor.name:>6}+ {split:>7}: precision {precision:.2f} ({tp}/{tp + fp})  "
                  f"recall {recall:.2f} ({tp}/{positives})  false alarms {fp}/{len(chosen) - positives}")
    if args.show:
        for malicious, split, text, result in scored:
            severity = result.severity
            hit = severity is not None and severity >= Severity.MEDIUM
            if hit != malicious:
                kind = "MISS " if malicious else "ALARM"
                names = ", ".join(f"{e.name}={e.weight:g}" for e in result.evidence)
                print(f"{kind} {split:>7} {result.score:4.1f} [{names}] {text[:110]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
