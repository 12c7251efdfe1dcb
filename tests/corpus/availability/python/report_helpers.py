"""A reporting server whose tools hand counts from the caller to helper functions."""
import json

from fastapi import FastAPI
from mcp.server.fastmcp import FastMCP

mcp = FastMCP("reports")
app = FastAPI()
PAGE_LIMIT = 200


def build_pages(title, pages):
    out = []
    for n in range(pages):  # expect: python-resource-exhaustion
        out.append(f"{title} page {n}")
    return out


def build_pages_capped(title, pages):
    pages = min(pages, PAGE_LIMIT)
    return [f"{title} page {n}" for n in range(pages)]  # ok: python-resource-exhaustion


def pad_line(line, width):
    return line + " " * width  # expect: python-resource-exhaustion


def render(request_body, width):
    lines = []
    for entry in json.loads(request_body):
        lines.append(pad_line(entry, width))
    return lines


@mcp.tool()
def report(title: str, spec: str) -> list[str]:
    """Build a report of as many pages as the spec asks."""
    pages = int(json.loads(spec)["pages"])
    return build_pages(title, pages)


@mcp.tool()
def capped_report(title: str, spec: str) -> list[str]:
    """Build a report of at most PAGE_LIMIT pages."""
    pages = int(json.loads(spec)["pages"])
    return build_pages_capped(title, pages)


@app.post("/render")
async def render_route(payload: dict):
    width = int(payload.get("width", 80))
    return render(payload.get("body", "[]"), width)
