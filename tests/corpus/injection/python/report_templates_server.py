"""A report server whose tools render templates: some compile caller-written template text."""
import jinja2
from jinja2.sandbox import SandboxedEnvironment
from mako.template import Template as MakoTemplate
from mcp.server.fastmcp import FastMCP

mcp = FastMCP("reports")
env = jinja2.Environment(autoescape=True)
sandbox = SandboxedEnvironment()


@mcp.tool()
def render_report(template: str, title: str) -> str:
    """Render a report from a template the caller writes."""
    return jinja2.Template(template).render(title=title)  # expect: python-template-injection


@mcp.tool()
def render_with_env(layout: str, rows: list[str]) -> str:
    """Render rows with a caller-supplied layout."""
    compiled = env.from_string("<h1>Report</h1>" + layout)  # expect: python-template-injection
    return compiled.render(rows=rows)


@mcp.tool()
def render_mako(body: str) -> str:
    """Render a Mako body."""
    return MakoTemplate(text=body).render()  # expect: python-template-injection


@mcp.tool()
def render_fixed(title: str) -> str:
    """Render the standard report with the caller's title as data."""
    return jinja2.Template("<h1>{{ title }}</h1>").render(title=title)  # ok: python-template-injection


@mcp.tool()
def render_sandboxed(template: str) -> str:
    """Render a caller template in the sandbox."""
    return sandbox.from_string(template).render()  # ok: python-template-injection
