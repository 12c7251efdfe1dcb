"""Cheap text checks that decide whether a JS/TS file is worth parsing for taint flows.

A flow needs a source (tool handler, request field, the whole environment or a credential file)
and a sink call; a file that names neither kind is never parsed.
"""
from __future__ import annotations

import re

SOURCE_MARKERS = re.compile(
    r"\.tool\s*\(|registerTool|CallToolRequestSchema|tools/call|\b(?:extends|implements)\s+[\w.]*Tool|\b(?:req|request)\b|\bprocess\.env\b|\.ssh|\.aws|"
    r"id_rsa|credentials|\.env\b")

SINK_MARKERS = re.compile(
    r"\b(?:exec\w*|spawn\w*|eval|Function|runIn\w*|Script|compileFunction|readFile\w*|writeFile\w*|"
    r"appendFile\w*|create(?:Read|Write)Stream|unlink\w*|rm\w*|rmdir\w*|readdir\w*|mkdir\w*|copyFile\w*|"
    r"rename\w*|sendFile|download|open\w*|query|raw|\$queryRawUnsafe|\$executeRawUnsafe|unsafe|prepare|"
    r"fetch|axios|got|ky|request|get|post|put|pdf|screenshot|saveAs)\s*[(<.]")


def may_flow(text: str) -> bool:
    return SOURCE_MARKERS.search(text) is not None and SINK_MARKERS.search(text) is not None
