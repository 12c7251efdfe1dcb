"""Containment checked as a string prefix without a separator."""
from __future__ import annotations

from python_detector_kit import TOOL_HEADER, hits, lines

CHECK = "python-prefix-containment"


def test_unresolved_prefix_check_guarding_an_open_is_high_resolved_is_medium():
    source = TOOL_HEADER + """
import os
ROOT = "/srv/data"

@mcp.tool()
def read(path: str) -> str:
    full = os.path.abspath(os.path.join(ROOT, path))
    if not full.startswith(ROOT):
        raise ValueError(path)
    return open(full).read()

@mcp.tool()
def read_real(path: str) -> str:
    full = os.path.realpath(os.path.join(ROOT, path))
    if not full.startswith(ROOT):
        raise ValueError(path)
    return open(full).read()
"""
    found = hits(CHECK, source)
    assert [(h.line, h.confidence.name) for h in found] == [(11, "HIGH"), (18, "MEDIUM")]
    assert "symbolic links" in found[0].message and "symbolic links" not in found[1].message


def test_validator_helper_is_reported_without_tool_input():
    source = """
import os
def ensure_within_root(requested, root):
    absolute = os.path.abspath(requested)
    if not absolute.startswith(root):
        raise PermissionError(requested)
    return absolute
"""
    assert lines(CHECK, source) == [5]


def test_separators_component_checks_urls_and_other_delimiters_are_not_reported():
    source = TOOL_HEADER + """
import os
ROOT = "/srv/data"

@mcp.tool()
def a(path: str) -> str:
    full = os.path.realpath(os.path.join(ROOT, path))
    if not full.startswith(ROOT + os.sep) or not full.startswith(f"{ROOT}/"):
        raise ValueError(path)
    return open(full).read()

@mcp.tool()
def b(path: str) -> str:
    full = os.path.realpath(os.path.join(ROOT, path))
    if os.path.commonpath([full, ROOT]) != ROOT or not full.startswith(ROOT):
        raise ValueError(path)
    return open(full).read()

@mcp.tool()
def c(url: str) -> str:
    if not url.startswith("https://"):
        raise ValueError(url)
    return open("/srv/cache/index").read()

def validate_host(host, base_host):
    return host.startswith(base_host + ":")
"""
    assert lines(CHECK, source) == []
