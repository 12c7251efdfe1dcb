"""benchmarks/detection.py: label reading, the matching rule, and a quick run of MCP Sentinel alone."""
from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest
import test_corpus
import yaml

from sentinel_hooks.sources.files import decode

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "detection.py"


def load_script():
    spec = importlib.util.spec_from_file_location("detection_benchmark", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


bench = load_script()


def toy_dataset():
    files = {"a.py": Path("a.py"), "b.env": Path("b.env")}
    labels = {bench.Label("a.py", 3, 3, "injection"), bench.Label("a.py", 10, 14, "mcp-tools"),
              bench.Label("b.env", 2, 2, "secrets"), bench.Label("b.env", 5, 5, "secrets")}
    return bench.Dataset(name="toy", files=files, scan_as=dict(zip(files, files)), labels=labels,
                         ok_lines={("a.py", 7), ("b.env", 9)})


def test_matching_rule_counts_tp_fp_fn_and_other():
    data = toy_dataset()
    hits = [
        bench.Hit("a.py", 3, 3, "injection", "r1"),       # TP
        bench.Hit("a.py", 3, 3, "injection", "r2"),       # same line and category: counted once
        bench.Hit("a.py", 7, 7, "injection", "r1"),       # on an ok: line: FP
        bench.Hit("a.py", 12, 12, "mcp-tools", "r3"),     # inside a labelled span: TP
        bench.Hit("b.env", 2, 2, "injection", "r4"),      # on a line labelled secrets: other
        bench.Hit("b.env", 9, 9, "secrets", "s1"),        # on an ok: line: FP
        bench.Hit("b.env", 11, 11, "secrets", "s1"),      # unlabelled line: FP
        bench.Hit("c.py", 1, 1, "secrets", "s1"),         # not a file of this data set: ignored
    ]
    everything = {c: bench.every_file for c in bench.CATEGORIES}
    tallies = bench.score(hits, data, everything)
    inj, tools, secrets = tallies["injection"], tallies["mcp-tools"], tallies["secrets"]
    assert (inj.tp, inj.fp, inj.fn, inj.other) == (1, 1, 0, 1)
    assert (tools.tp, tools.fp, tools.fn) == (1, 0, 0)
    assert (secrets.tp, secrets.fp, secrets.fn, secrets.labels) == (0, 2, 2, 2)
    assert secrets.precision == 0.0 and secrets.recall == 0.0
    assert inj.precision == 0.5 and inj.recall == 1.0
    total = bench.overall(tallies)
    assert (total.tp, total.fp, total.fn, total.labels) == (2, 3, 2, 4)
    assert sorted((lb.path, lb.line) for lb in secrets.missed) == [("b.env", 2), ("b.env", 5)]


def test_a_multi_line_finding_covers_each_label_inside_it_once():
    data = toy_dataset()
    data.labels.add(bench.Label("a.py", 4, 4, "injection"))
    tallies = bench.score([bench.Hit("a.py", 2, 5, "injection", "r")], data, {"injection": bench.every_file})
    assert set(tallies) == {"injection"}
    assert (tallies["injection"].tp, tallies["injection"].found, tallies["injection"].fn) == (1, 2, 0)


def test_scope_limits_a_peer_to_its_categories_and_files():
    data = toy_dataset()
    tallies = bench.score([bench.Hit("b.env", 2, 2, "secrets", "s"), bench.Hit("a.py", 3, 3, "injection", "b")],
                          data, {"injection": bench.python_file})
    assert set(tallies) == {"injection"}
    assert (tallies["injection"].tp, tallies["injection"].labels) == (1, 1)


def test_example_labels_name_real_lines_of_the_example():
    spec = yaml.safe_load(bench.EXAMPLE_LABELS.read_text(encoding="utf-8"))
    data = bench.load_example()
    assert len(data.labels) == len(spec["labels"]) > 0
    for label in data.labels:
        lines = data.files[label.path].read_text(encoding="utf-8").splitlines()
        assert 1 <= label.line <= label.end_line <= len(lines), label
        assert lines[label.line - 1].strip(), label


def test_semgrep_rules_declare_a_compared_category():
    rules = yaml.safe_load(bench.SEMGREP_RULES.read_text(encoding="utf-8"))["rules"]
    assert rules
    assert {r["metadata"]["category"] for r in rules} <= set(bench.CATEGORIES)
    assert bench.semgrep_categories() == ["secrets", "injection", "xss"]


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("detection") / "figures.json"
    proc = subprocess.run([sys.executable, str(SCRIPT), "--quick", "--json-out", str(out), "--no-clean-code",
                           "--forms-per-format", "1"],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return proc.stdout, json.loads(out.read_text(encoding="utf-8"))


def test_quick_run_prints_a_row_per_category_for_both_data_sets(quick_run):
    stdout, figures = quick_run
    for category in bench.CATEGORIES + ["overall"]:
        assert stdout.count(f"| {category} |") == 2, category
    assert "detect-secrets" not in stdout and "| mcp-sentinel |" in stdout
    assert set(figures) == {"corpus", "example", "secret_forms"}
    assert set(figures["corpus"]) == {"mcp-sentinel"}


def test_quick_run_measures_every_secret_form_and_group(quick_run):
    stdout, figures = quick_run
    forms = figures["secret_forms"]["mcp-sentinel"]
    assert set(forms["form"]) == {"python assignment", "os.environ.get default", ".env line", "client config env"}
    assert set(forms["group"]) == {"AI / LLM", "developer SaaS and data", "cloud", "generic (URLs, JWT)"}
    total = forms["overall"]["all"]
    assert total["total"] == sum(f["total"] for f in forms["form"].values()) > 0
    assert forms["fp"]["placeholders"]["found"] == 0 and forms["fp"]["placeholders"]["total"] > 0
    assert "| os.environ.get default |" in stdout and "| placeholder files |" in stdout


def test_quick_run_agrees_with_the_corpus_test(quick_run):
    """The corpus test passes exactly when MCP Sentinel has no FN or FP there, so the figures must say so."""
    _, figures = quick_run
    categories = {r.id: r.category for r in test_corpus.RULES}
    labelled = set()
    for path in test_corpus.corpus_files():
        expect, _ = test_corpus.expectations(path, decode(path.read_bytes()))
        labelled.update((path, line, categories[rule]) for line, rule in expect
                        if categories[rule] in bench.CATEGORIES)  # the compared categories (not 'policy')
    ours = figures["corpus"]["mcp-sentinel"]["overall"]
    assert ours["labels"] == len(labelled)
    assert (ours["tp"], ours["fp"], ours["fn"]) == (ours["labels"], 0, 0)
    assert ours["precision"] == 1.0 and ours["recall"] == 1.0
    example = figures["example"]["mcp-sentinel"]["overall"]
    assert example["labels"] == len(bench.load_example().labels)
    assert example["tp"] + example["fn"] == example["labels"]
