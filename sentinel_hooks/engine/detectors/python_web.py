"""Web flaws of HTTP routes: HTML built from request input and returned (reflected XSS), redirects to a
URL taken from input (open redirect), and XML parsed with external entities enabled (XXE).

* XSS: a route returns, or wraps in ``HTMLResponse``/``make_response``/``Response``/``HttpResponse``, a
  string built (f-string, ``+``, ``%``, ``.format``) from its input whose constant text holds markup
  (``<``). A FastAPI route's plain return value is sent as JSON, so only its explicit HTML responses count.
* Open redirect: ``redirect(x)``, ``RedirectResponse(x)``, ``HttpResponseRedirect(x)`` of input, in a
  function that parses or allow-lists no URL, unless the value starts with a constant path.
* XXE: lxml's ``XMLParser(resolve_entities=True)`` or ``no_network=False``, SAX features for external
  entities turned on, and request or tool input parsed by lxml's default parser (which resolves entities
  in lxml before 5).
"""
from __future__ import annotations

import ast
import re
from typing import TYPE_CHECKING, Iterable, Optional

from sentinel_hooks.engine.detectors import detector
from sentinel_hooks.engine.detectors.python_ast import Analysis, Scope, first_argument, \
    is_tainted, keyword, literal_text, lookup, make_hit, passes, scoped_calls, string_kind, survives_deep_nesting
from sentinel_hooks.engine.detectors.python_full_analysis import full_analysis, gated_analysis, whole_files
from sentinel_hooks.engine.detectors.python_sinks import BUILT, INPUT_GATE, ROUTE_DECORATORS
from sentinel_hooks.engine.hits import Hit
from sentinel_hooks.engine.text_gate import Gate
from sentinel_hooks.findings import Confidence

if TYPE_CHECKING:
    from sentinel_hooks.engine.rule import Rule
    from sentinel_hooks.engine.units import TextUnit

HTML_RESPONSES = {"HTMLResponse", "fastapi.responses.HTMLResponse", "starlette.responses.HTMLResponse",
                  "flask.make_response", "make_response", "flask.Response", "werkzeug.Response",
                  "werkzeug.wrappers.Response", "django.http.HttpResponse", "HttpResponse",
                  "aiohttp.web.Response", "web.Response", "Response"}
REDIRECTS = {"flask.redirect", "redirect", "werkzeug.utils.redirect", "django.shortcuts.redirect",
             "RedirectResponse", "fastapi.responses.RedirectResponse", "starlette.responses.RedirectResponse",
             "django.http.HttpResponseRedirect", "HttpResponseRedirect", "HttpResponsePermanentRedirect",
             "django.http.HttpResponsePermanentRedirect", "aiohttp.web.HTTPFound", "web.HTTPFound"}
REDIRECT_GUARDS = re.compile(r"(?i)url_has_allowed_host_and_scheme|is_safe_url|urlparse|urlsplit|netloc|"
                             r"allowed|whitelist|trusted|same_origin|startswith")
LXML_PARSES = {"lxml.etree.parse", "lxml.etree.fromstring", "lxml.etree.XML", "lxml.etree.iterparse",
               "lxml.objectify.fromstring", "lxml.objectify.parse"}
EXTERNAL_FEATURES = {"feature_external_ges", "feature_external_pes",
                     "http://xml.org/sax/features/external-general-entities",
                     "http://xml.org/sax/features/external-parameter-entities"}
WEB_GATE = Gate(re.compile(r"redirect|Redirect|HTTPFound|Response|make_response|return\s+f?[\"'(]|return\s+\w+"),
                ("redirect", "Redirect", "HTTPFound", "Response", "make_response", "return"), anchored=True)
XML_GATE = Gate(re.compile(r"resolve_entities|no_network|feature_external|external-\w+-entities|etree|objectify"),
                ("resolve_entities", "no_network", "feature_external", "external-", "etree", "objectify"),
                anchored=True)

XML_CONFIG_GATE = Gate(re.compile(r"resolve_entities|no_network|feature_external|external-\w+-entities"),
                       ("resolve_entities", "no_network", "feature_external", "external-"), anchored=True)


def _route_kind(scope: Scope) -> Optional[str]:
    """"flask" or "fastapi"-like for an HTTP route (a decorator with a "/path"), else None."""
    node = scope.node
    for dec in getattr(node, "decorator_list", []):
        if isinstance(dec, ast.Call) and isinstance(dec.func, ast.Attribute) and dec.func.attr in ROUTE_DECORATORS \
                and dec.args and isinstance(dec.args[0], ast.Constant) and str(dec.args[0].value).startswith("/"):
            return "route"
    return None


def _route_scope(scope: Optional[Scope]) -> Optional[Scope]:
    while scope is not None:
        if _route_kind(scope):
            return scope
        scope = scope.parent
    return None


def _uses_fastapi(analysis: Analysis) -> bool:
    return any(v.startswith(("fastapi", "starlette")) for v in analysis.aliases.values())


def _markup_built(node: ast.expr, scope: Scope, analysis: Analysis) -> bool:
    for value in [node, *(lookup(node.id, scope) if isinstance(node, ast.Name) else [])]:
        if string_kind(value, scope) == BUILT and "<" in literal_text(value) and \
                is_tainted(value, scope.tainted, analysis.aliases):
            return True
    return False


@detector("python-xss-response")
@survives_deep_nesting
@whole_files
def html_responses(unit: TextUnit, rule: Rule) -> Iterable[Hit]:
    analysis = gated_analysis(unit, WEB_GATE, INPUT_GATE)
    if analysis is None:
        return
    fastapi = _uses_fastapi(analysis)
    for scope, call, name in scoped_calls(analysis):
        if name in HTML_RESPONSES and _route_scope(scope) is not None:
            body = first_argument(call, "content", "response", "body", "text")
            if body is not None and _markup_built(body, scope, analysis):
                yield make_hit(analysis, call, "HTML built from request input is sent without escaping",
                               Confidence.HIGH, True)
    if fastapi:
        return
    for scope in analysis.scopes:
        if _route_kind(scope) is None:
            continue
        for node in ast.walk(scope.node):
            if isinstance(node, ast.Return) and node.value is not None and not isinstance(node.value, ast.Call) and \
                    _markup_built(node.value, scope, analysis):
                yield make_hit(analysis, node, "HTML built from request input is returned without escaping",
                               Confidence.HIGH, True)


@detector("python-open-redirect")
@survives_deep_nesting
@whole_files
def open_redirects(unit: TextUnit, rule: Rule) -> Iterable[Hit]:
    analysis = gated_analysis(unit, WEB_GATE, INPUT_GATE)
    if analysis is None:
        return
    for scope, call, name in scoped_calls(analysis):
        if name not in REDIRECTS:
            continue
        target = first_argument(call, "location", "url", "to", "redirect_to")
        if target is None or not is_tainted(target, scope.tainted, analysis.aliases):
            continue
        if isinstance(target, ast.JoinedStr) and target.values and isinstance(target.values[0], ast.Constant) \
                and len(str(target.values[0].value)) > 1:
            continue  # f"/items/{x}": the host is fixed
        if isinstance(target, ast.BinOp) and isinstance(target.left, ast.Constant) and len(str(target.left.value)) > 1:
            continue
        if REDIRECT_GUARDS.search(ast.unparse(scope.node) if scope.node is not analysis.module.node else ""):
            continue
        yield make_hit(analysis, call, "the redirect target comes from request input without a host check",
                       Confidence.HIGH, True)


@detector("python-xxe")
@survives_deep_nesting
@whole_files
def xml_external_entities(unit: TextUnit, rule: Rule) -> Iterable[Hit]:
    analysis = full_analysis(unit, XML_GATE, XML_CONFIG_GATE) if passes(unit, XML_CONFIG_GATE) else \
        gated_analysis(unit, XML_GATE, INPUT_GATE)  # lxml's default parser matters for input only
    if analysis is None:
        return
    for scope, call, name in scoped_calls(analysis):
        last = name.rsplit(".", 1)[-1]
        if last == "XMLParser" and ("lxml" in name or "etree" in name):
            resolve, network = keyword(call, "resolve_entities"), keyword(call, "no_network")
            if _is_constant(resolve, True) or _is_constant(network, False):
                yield make_hit(analysis, call, "lxml parser resolves external entities", Confidence.HIGH,
                               False)
        elif last == "setFeature" and len(call.args) == 2 and _is_constant(call.args[1], True) and \
                _feature_name(call.args[0]) in EXTERNAL_FEATURES:
            yield make_hit(analysis, call, "the XML parser is told to load external entities", Confidence.HIGH,
                           False)
        elif name in LXML_PARSES and keyword(call, "parser") is None and len(call.args) < 2:
            source = first_argument(call, "source", "text")
            if source is not None and is_tainted(source, scope.tainted, analysis.aliases):
                yield make_hit(analysis, call, "request or tool input is parsed by lxml's default parser, "
                               "which resolves entities", Confidence.MEDIUM, True)


def _is_constant(node: Optional[ast.expr], value: object) -> bool:
    return isinstance(node, ast.Constant) and node.value is value


def _feature_name(node: ast.expr) -> str:
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Name):
        return node.id
    return str(node.value) if isinstance(node, ast.Constant) else ""
