"""Covert destinations: data sent (HTTP with a body, POST/PUT/PATCH, e-mail, a socket) to an address the
code hides - a URL or host decoded at run time from an encoded constant (base64, hex, rot13, zlib), so that
a reader of the source, or a scanner looking for hosts, never sees where the data goes.

Code that talks to a real service names its URL, or reads it from configuration; encoding the address of
a webhook is how droppers and exfiltrating "helpers" keep it out of review. The address is followed
through the assignments of its function and of the module, a few steps deep. A file without tool input
is looked at only when its text holds the encoded start of a URL (base64, hex or rot13 of "http").
"""
from __future__ import annotations

import ast
import re
from typing import TYPE_CHECKING, Iterable, Optional

from sentinel_hooks.engine.detectors import detector
from sentinel_hooks.engine.detectors.python_ast import Analysis, Scope, first_argument, lookup, make_hit, \
    passes, qualified_name, scoped_calls, survives_deep_nesting
from sentinel_hooks.engine.detectors.python_backdoors import DECODERS
from sentinel_hooks.engine.detectors.python_exfiltration import SEND_GATE, _in_tool
from sentinel_hooks.engine.detectors.python_full_analysis import full_analysis, gated_analysis, whole_files
from sentinel_hooks.engine.detectors.python_sinks import INPUT_GATE
from sentinel_hooks.engine.detectors.python_outbound import outbound_send
from sentinel_hooks.engine.hits import Hit
from sentinel_hooks.engine.text_gate import Gate
from sentinel_hooks.findings import Severity

if TYPE_CHECKING:
    from sentinel_hooks.engine.rule import Rule
    from sentinel_hooks.engine.units import TextUnit

DECODE_GATE = Gate(re.compile(r"b(?:64|32|16|85)decode|a85decode|decodebytes|decompress|fromhex|unhexlify|a2b_|"
                              r"rot_?13"),
                   ("b64decode", "b32decode", "b16decode", "b85decode", "a85decode", "decodebytes", "decompress",
                    "fromhex", "unhexlify", "a2b_", "rot"), anchored=True)
# a file without tool input needs the encoded address in its own text to be worth analysing whole: the
# start of "http" in base64, hex or rot13
ENCODED_URL_GATE = Gate(re.compile(r"aHR0c|68747470|uggcf?:"), ("aHR0c", "68747470", "uggc"))
DEPTH = 4


@detector("python-covert-destination")
@survives_deep_nesting
@whole_files
def covert_destinations(unit: TextUnit, rule: Rule) -> Iterable[Hit]:
    if passes(unit, INPUT_GATE):  # every function of a file with tool input is analysed already
        analysis = gated_analysis(unit, SEND_GATE, DECODE_GATE)
    else:
        analysis = full_analysis(unit, SEND_GATE, DECODE_GATE, ENCODED_URL_GATE)
    if analysis is None:
        return
    for scope, call, name in scoped_calls(analysis):
        send = outbound_send(call, name, scope, analysis)
        if send is None or not send.sends_data:
            continue
        for address in _addresses(call, send.family, scope, analysis):
            decoder = _decoded_by(address, scope, analysis, 0, set())
            if decoder:
                hit = make_hit(analysis, call, f"data is sent ({send.family}) to an address decoded at run time "
                               f"({decoder.rsplit('.', 1)[-1]}): the source does not show where it goes", None, False)
                if _in_tool(scope):
                    hit.severity = Severity.CRITICAL
                yield hit
                break


def _addresses(call: ast.Call, family: str, scope: Scope, analysis: Analysis) -> list[ast.expr]:
    """The expressions that say where a send goes: the URL (or the Request wrapping it), the socket address."""
    if family == "http":
        url = first_argument(call, "url", "uri")
        if isinstance(url, ast.Name):  # req = Request(url, ...); urlopen(req)
            url = next(iter(lookup(url.id, scope)), url)
        if isinstance(url, ast.Call) and qualified_name(url.func, analysis.aliases).endswith("Request"):
            url = first_argument(url, "url")
        return [url] if url is not None else []
    if family == "socket":
        sock = call.func.value if isinstance(call.func, ast.Attribute) else None
        out = [a for c in scope.calls if isinstance(c.func, ast.Attribute) and c.func.attr in ("connect", "sendto")
               and isinstance(sock, ast.Name) and isinstance(c.func.value, ast.Name) and c.func.value.id == sock.id
               for a in c.args[:1]]
        made = [a for v in (lookup(sock.id, scope) if isinstance(sock, ast.Name) else [])
                if isinstance(v, ast.Call) and qualified_name(v.func, analysis.aliases).endswith("create_connection")
                for a in v.args[:1]]
        return out + made + call.args[1:2]
    return []


def _decoded_by(node: ast.expr, scope: Scope, analysis: Analysis, depth: int, seen: set[str]) -> Optional[str]:
    """The decoder the value was computed with (``base64.b64decode``), through assignments; None if none."""
    for n in ast.walk(node):
        if isinstance(n, ast.Call):
            name = "bytes.fromhex" if isinstance(n.func, ast.Attribute) and n.func.attr == "fromhex" else \
                qualified_name(n.func, analysis.aliases)
            if name in DECODERS and (name != "codecs.decode" or _codec_hides(n)):
                return name
        elif isinstance(n, ast.Name) and depth < DEPTH and n.id not in seen:
            seen.add(n.id)
            for value in lookup(n.id, scope):
                found = _decoded_by(value, scope, analysis, depth + 1, seen)
                if found:
                    return found
    return None


def _codec_hides(call: ast.Call) -> bool:
    """``codecs.decode(x, "rot13")`` or a hex/base64 codec; not a plain text encoding."""
    codec = call.args[1] if len(call.args) > 1 else next((k.value for k in call.keywords if k.arg == "encoding"), None)
    return isinstance(codec, ast.Constant) and isinstance(codec.value, str) and bool(
        re.fullmatch(r"(?i)rot[_-]?13|hex(?:_codec)?|base64(?:_codec)?|zlib(?:_codec)?|bz2(?:_codec)?", codec.value))
