"""Reports: one module per format. A reporter writes what it is given and never filters."""
from __future__ import annotations

import importlib
from typing import Callable, TextIO

# format name -> "module:function"; imported on use so the hot path loads only what it needs
REPORTERS: dict[str, str] = {
    "terminal": "sentinel_hooks.report.terminal:write",
    "json": "sentinel_hooks.report.json:write",
    "sarif": "sentinel_hooks.report.sarif:write",
    "gitlab-sast": "sentinel_hooks.report.gitlab:write",
    "html": "sentinel_hooks.report.html:write",
}


def get_reporter(name: str) -> Callable[..., None]:
    module, func = REPORTERS[name].split(":")
    return getattr(importlib.import_module(module), func)


def format_names() -> list[str]:
    return list(REPORTERS)


Writer = Callable[["object", TextIO], None]
