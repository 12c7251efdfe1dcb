"""Reports: one module per format. A reporter writes what it is given and never filters."""
from __future__ import annotations

import importlib
from typing import Callable, Optional, TextIO

# format name -> "module:function"; imported on use so the hot path loads only what it needs
REPORTERS: dict[str, str] = {
    "terminal": "sentinel_hooks.report.terminal:write",
    "json": "sentinel_hooks.report.json:write",
    "sarif": "sentinel_hooks.report.sarif:write",
    "gitlab-sast": "sentinel_hooks.report.gitlab:write",
    "html": "sentinel_hooks.report.html:write",
    "markdown": "sentinel_hooks.report.markdown:write",
}


def get_reporter(name: str) -> Callable[..., None]:
    module, func = REPORTERS[name].split(":")
    return getattr(importlib.import_module(module), func)


def format_names() -> list[str]:
    return list(REPORTERS)


# report file extension -> the formats written to such files; the first is taken for an --output-file
# given without its --output (GitLab's SAST report and SARIF are JSON documents too)
EXTENSION_FORMATS = {".json": ("json", "gitlab-sast", "sarif"), ".sarif": ("sarif",), ".html": ("html",),
                     ".htm": ("html",), ".md": ("markdown",)}


def formats_for_file(path) -> tuple[str, ...]:
    """The formats a report file's extension stands for (the usual one first); empty when unknown."""
    from pathlib import PurePath

    return EXTENSION_FORMATS.get(PurePath(path).suffix.lower(), ())


Writer = Callable[["object", TextIO], None]
