"""The analysis of every function of a file, for checks that need no tool input (a secret sent out, an
XML parser configured to load entities): ``python_ast.analysis_of`` analyses only the functions that
may hold its own sinks when the file shows no tool or request input."""
from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Callable, Iterable, Iterator, Optional

from sentinel_hooks.engine import python_tree
from sentinel_hooks.engine.detectors.python_ast import Analysis, analyse, analysis_of, passes
from sentinel_hooks.engine.python_analysis import release_with
from sentinel_hooks.engine.detectors.python_sinks import INPUT_GATE

if TYPE_CHECKING:
    from sentinel_hooks.engine.text_gate import Gate
    from sentinel_hooks.engine.units import TextUnit

MEMO_KEY = "python_full_analysis"


def whole_files(check: Callable[..., Iterable]) -> Callable[..., Iterator]:
    """The check sees no piece of a huge file: its text gates would read the whole file into memory."""
    @functools.wraps(check)
    def run(unit, rule) -> Iterator:
        if unit.partial:
            return
        yield from check(unit, rule)
    return run


def gated_analysis(unit: TextUnit, *gates: Gate) -> Optional[Analysis]:
    """``analysis_of`` when every gate passes, else None: ``analysis_of`` checks its prechecks only when it
    builds the analysis, and another detector may have built it already."""
    if unit.partial or not all(passes(unit, gate) for gate in gates):
        return None
    return analysis_of(unit)


def full_analysis(unit: TextUnit, *prechecks: Gate) -> Optional[Analysis]:
    """Like ``analysis_of``, with every function analysed; None when a precheck fails or the file does
    not parse. A file with tool or request input shares ``analysis_of``'s (already complete) analysis."""
    if unit.partial or not all(passes(unit, gate) for gate in prechecks):
        return None
    if passes(unit, INPUT_GATE):
        return analysis_of(unit)
    if MEMO_KEY not in unit.memo:
        analysis = analyse(unit.full_text(), None, whole_tree=lambda: python_tree.tree_of(unit))
        if analysis is not None and unit.full_text_loader is None:
            analysis.line_offset = unit.first_line - 1
            analysis.column_offset = getattr(unit, "first_column", 1) - 1
        unit.memo[MEMO_KEY] = analysis
        release_with(unit.memo, analysis)
    return unit.memo[MEMO_KEY]
