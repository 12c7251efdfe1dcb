"""Server-side template injection: template *source* that comes from tool or request input, compiled by
Jinja2 (``Template``, ``Environment().from_string``), Mako, Tornado, Django or Flask's
``render_template_string``. Values passed to ``render()`` are data and are not reported; a sandboxed Jinja2
environment is not reported either; ``string.Template`` only substitutes and is left alone."""
from __future__ import annotations

import ast
import re
from typing import TYPE_CHECKING, Iterable, Optional

from sentinel_hooks.engine.detectors import detector
from sentinel_hooks.engine.detectors.python_ast import Analysis, Scope, direct_input, first_argument, \
    is_tainted, lookup, make_hit, qualified_name, scoped_calls, survives_deep_nesting
from sentinel_hooks.engine.detectors.python_sinks import INPUT_GATE
from sentinel_hooks.engine.detectors.python_full_analysis import gated_analysis, whole_files
from sentinel_hooks.engine.hits import Hit
from sentinel_hooks.engine.text_gate import Gate
from sentinel_hooks.findings import Confidence

if TYPE_CHECKING:
    from sentinel_hooks.engine.rule import Rule
    from sentinel_hooks.engine.units import TextUnit

TEMPLATE_CLASSES = {"jinja2.Template", "jinja2.environment.Template", "mako.template.Template",
                    "tornado.template.Template", "django.template.Template", "chameleon.PageTemplate"}
TEMPLATE_FUNCS = {"flask.render_template_string", "render_template_string", "jinja2.Environment.from_string",
                  "django.template.engines.from_string"}
SANDBOXES = {"SandboxedEnvironment", "ImmutableSandboxedEnvironment", "jinja2.sandbox.SandboxedEnvironment",
             "jinja2.sandbox.ImmutableSandboxedEnvironment"}
TEMPLATE_GATE = Gate(re.compile(r"Template|from_string|render_template_string"),
                     ("Template", "from_string", "render_template_string"), anchored=True)
DEPTH = 5


@detector("python-template-injection")
@survives_deep_nesting
@whole_files
def template_sources(unit: TextUnit, rule: Rule) -> Iterable[Hit]:
    analysis = gated_analysis(unit, TEMPLATE_GATE, INPUT_GATE)
    if analysis is None:
        return
    for scope, call, name in scoped_calls(analysis):
        engine = _template_engine(call, name, scope, analysis)
        if engine is None:
            continue
        source = first_argument(call, "source", "text", "template_string", "template")
        if source is None or not is_tainted(source, scope.tainted, analysis.aliases):
            continue
        yield make_hit(analysis, call, f"{engine} compiles template text that comes from tool or request input",
                       Confidence.HIGH if direct_input(source, scope) else Confidence.MEDIUM, True)


def _template_engine(call: ast.Call, name: str, scope: Scope, analysis: Analysis) -> Optional[str]:
    """The engine a call compiles a template with, or None."""
    if name in TEMPLATE_CLASSES:
        return name
    if name in TEMPLATE_FUNCS or (name.endswith(".render_template_string") and name.startswith("flask")):
        return name.rsplit(".", 1)[-1] + "()"
    if isinstance(call.func, ast.Attribute) and call.func.attr == "from_string":
        made = _made_by(call.func.value, scope, analysis)
        if made is None or made in SANDBOXES or made.rsplit(".", 1)[-1] in SANDBOXES:
            return None
        if made.startswith("jinja2") or made.rsplit(".", 1)[-1] in ("Environment", "Engine"):
            return f"{made}().from_string()"
    return None


def _made_by(node: ast.expr, scope: Scope, analysis: Analysis, depth: int = 0) -> Optional[str]:
    """The qualified name of the call that built an object (``Environment(...)``), following locals and
    ``self.env = Environment(...)`` in the class's functions."""
    if isinstance(node, ast.Call):
        return qualified_name(node.func, analysis.aliases) or None
    if depth >= DEPTH:
        return None
    if isinstance(node, ast.Name):
        for value in lookup(node.id, scope):
            made = _made_by(value, scope, analysis, depth + 1)
            if made:
                return made
        if node.id in ("jinja_env", "env", "environment", "jinja"):
            return "Environment" if "jinja2" in "".join(analysis.aliases.values()) else None
    if isinstance(node, ast.Attribute) and node.attr in ("jinja_env",):
        return "jinja2.Environment"  # Flask's application environment
    return None
