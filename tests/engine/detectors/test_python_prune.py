"""Pruning Python sources before parsing: candidate-free functions become ``pass``, nothing else moves."""
from __future__ import annotations

import ast
import sysconfig
import textwrap
from pathlib import Path

from sentinel_hooks.rule_cache import load_rules
from sentinel_hooks.engine import python_analysis
from sentinel_hooks.engine.detectors import python_ast
from sentinel_hooks.engine.detectors.python_prune import prune, string_spans
from sentinel_hooks.engine.matcher import Engine
from sentinel_hooks.engine.units import TextUnit


def offsets_of(source: str, *needles: str) -> list[int]:
    return sorted(source.index(n) for n in needles)


def check_shape(source: str, pruned: str) -> None:
    """Same number of lines; every line is kept verbatim, blank, or a ``pass`` replacing a def."""
    before, after = source.split("\n"), pruned.split("\n")
    assert len(before) == len(after)
    for old, new in zip(before, after):
        assert new in (old, "") or new.strip() == "pass"


def test_functions_without_candidates_are_blanked_and_line_numbers_kept():
    src = textwrap.dedent('''\
        import os

        @decorated
        def quiet(a):
            return a * 2

        def loud(cmd):
            os.system(cmd)

        async def also_quiet():
            await thing()
        ''')
    pruned, names = prune(src, offsets_of(src, "os.system"))
    check_shape(src, pruned)
    assert names == {"quiet", "also_quiet"}
    assert "return a * 2" not in pruned and "@decorated" not in pruned and "await thing" not in pruned
    assert pruned.split("\n")[7] == "    os.system(cmd)"
    tree = ast.parse(pruned)
    assert [getattr(n, "name", None) for n in tree.body] == [None, None, "loud", None]


def test_classes_with_a_candidate_stay_and_their_methods_are_pruned_one_by_one_others_go_whole():
    src = textwrap.dedent('''\
        class Store:
            kind = "sql"

            def get(self, key):
                return self.data[key]

            def find(self, name):
                return self.db.execute("select * from t where n = '%s'" % name)

        class Empty:
            def nothing(self):
                pass
        ''')
    pruned, names = prune(src, offsets_of(src, "execute"))
    check_shape(src, pruned)
    assert names == {"get", "Empty"}
    tree = ast.parse(pruned)
    store, empty = tree.body
    assert [type(n).__name__ for n in store.body] == ["Assign", "Pass", "FunctionDef"]
    assert isinstance(empty, ast.Pass)  # the class and its methods: nothing of it can be reported
    assert pruned.count("\n") == src.count("\n")


def test_signatures_closing_at_the_def_indent_and_strings_at_column_zero_stay_in_their_function():
    src = textwrap.dedent('''\
        class A:
            def long_signature(
                self, a, b,
            ):
                text = """
        Column-zero text inside a string
        def not_a_function():
        """
                return text

            def target(self, q):
                eval(q)
        ''')
    pruned, names = prune(src, offsets_of(src, "eval(q)"))
    check_shape(src, pruned)
    assert names == {"long_signature"}
    assert "Column-zero" not in pruned and "not_a_function" not in pruned
    ast.parse(pruned)


def test_decorators_with_arguments_over_several_lines_go_with_their_function():
    src = textwrap.dedent('''\
        @app.route(
            "/x",
        )
        def view():
            return 1

        def sink(x):
            eval(x)
        ''')
    pruned, names = prune(src, offsets_of(src, "eval(x)"))
    assert names == {"view"}
    assert "app.route" not in pruned
    ast.parse(pruned)


def test_triple_quoted_strings_are_paired_by_quote_kind():
    src = 'a = """x \'\'\' y"""\nb = \'\'\'z\'\'\'\n'
    spans = string_spans(src)
    assert [src[s:e] for s, e in spans] == ['"""x \'\'\' y"""', "'''z'''"]


def test_a_misread_block_makes_analysis_parse_the_whole_file_instead():
    # a continuation line at column 0 ends the first function early for the indentation reader
    src = textwrap.dedent('''\
        import os
        def first(a):
            x = call(a,
        a)
            return x

        def second(cmd):
            os.system("ls " + cmd)
        ''')
    pruned, _ = prune(src, python_ast.candidate_offsets(src))
    try:
        ast.parse(pruned)
        parsed = True
    except SyntaxError:
        parsed = False
    assert not parsed  # the reader's mistake shows up as a syntax error ...
    analysis = python_ast.analyse(src, python_ast.candidate_offsets(src))
    assert analysis is not None  # ... and the analysis falls back to the original source
    assert sorted(getattr(s.node, "name", "<module>") for s in analysis.scopes) == ["<module>", "second"]


def test_pruning_changes_no_finding_on_real_code(monkeypatch):
    rules = [r for r in load_rules([], []) if (r.detector or "").startswith("python-")]
    stdlib = sorted(p for p in Path(sysconfig.get_paths()["stdlib"]).rglob("*.py") if "site-packages" not in p.parts)
    sources = [(str(p), p.read_text(encoding="utf-8", errors="replace")) for p in stdlib[::8]]

    def run() -> set[tuple]:
        engine = Engine(rules)
        return {(f.rule_id, f.path, f.line, f.column, f.confidence.name, f.message)
                for path, text in sources for f in engine.scan(TextUnit(path, text))}

    pruned = run()
    parsed = []
    monkeypatch.setattr(python_analysis, "prune", lambda source, candidates: (parsed.append(1), (source, set()))[1])
    whole = run()
    assert parsed, "the pruning step was not reached"
    assert pruned == whole
    assert len(pruned) > 5  # the sample does hold findings to compare
