"""Server-side template injection: template source from tool or request input."""
from __future__ import annotations

from python_detector_kit import TOOL_HEADER, hits, lines

CHECK = "python-template-injection"


def test_jinja_template_and_environment_from_string_of_tool_input():
    source = TOOL_HEADER + """
import jinja2
from jinja2 import Environment
env = Environment()

@mcp.tool()
def render(template: str, layout: str) -> str:
    a = jinja2.Template(template).render()
    b = env.from_string(layout).render()
    return a + b
"""
    assert lines(CHECK, source) == [11, 12]


def test_flask_render_template_string_of_request_input():
    source = """
from flask import Flask, request, render_template_string
app = Flask(__name__)

@app.route("/preview")
def preview():
    return render_template_string(request.args["t"])
"""
    found = hits(CHECK, source)
    assert [h.line for h in found] == [7] and "render_template_string" in found[0].message


def test_mako_and_tornado_templates():
    source = TOOL_HEADER + """
from mako.template import Template
import tornado.template

@mcp.tool()
def render(body: str) -> str:
    return Template(text=body).render() + tornado.template.Template(body).generate().decode()
"""
    assert lines(CHECK, source) == [10, 10]


def test_input_as_render_data_sandbox_and_string_template_are_not_reported():
    source = TOOL_HEADER + """
import string
import jinja2
from jinja2.sandbox import SandboxedEnvironment
sandbox = SandboxedEnvironment()

@mcp.tool()
def render(name: str, template: str) -> str:
    a = jinja2.Template("Hello {{ name }}").render(name=name)
    b = sandbox.from_string(template).render()
    c = string.Template(template).substitute(name=name)
    return a + b + c
"""
    assert lines(CHECK, source) == []


def test_constant_template_outside_a_tool_is_not_reported():
    source = """
import jinja2
def render(template):
    return jinja2.Template(template).render()
"""
    assert lines(CHECK, source) == []
