"""Exfiltration: secret data (the whole environment, credential files) sent to a fixed external host over
HTTP, e-mail, a socket or a DNS lookup; and tool input smuggled out through DNS names or to hosts that
exist to collect data (request bins, chat webhooks, tunnels).

An API key read from one environment variable and sent to its own API is how clients authenticate, and
tool input sent to a fixed API is what API wrappers do: neither is reported here (the capability check
reports sends a tool's description does not disclose). Inside an MCP tool a hit is critical.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Iterable

from sentinel_hooks.engine.detectors import detector
from sentinel_hooks.engine.detectors.python_ast import analysis_of, is_tainted, passes, make_hit, scoped_calls, \
    survives_deep_nesting
from sentinel_hooks.engine.detectors.python_full_analysis import gated_analysis, whole_files
from sentinel_hooks.engine.detectors.python_sinks import EXFILTRATION_GATE, INPUT_GATE, SEND_GATE
from sentinel_hooks.engine.detectors.python_outbound import carries_secret_data, foreign_secret_variable, \
    is_collector, is_external, outbound_send
from sentinel_hooks.engine.hits import Hit
from sentinel_hooks.findings import Severity

if TYPE_CHECKING:
    from sentinel_hooks.engine.rule import Rule
    from sentinel_hooks.engine.units import TextUnit


def _in_tool(scope) -> bool:
    while scope is not None:
        if scope.is_entry:
            return True
        scope = scope.parent
    return False


@detector("python-exfiltration")
@survives_deep_nesting
@whole_files
def exfiltration_calls(unit: TextUnit, rule: Rule) -> Iterable[Hit]:
    if passes(unit, INPUT_GATE):
        analysis = gated_analysis(unit, SEND_GATE)  # every function is analysed already
    else:  # without tool input only secrets can leave, in files that name one: the functions that send
        analysis = analysis_of(unit, EXFILTRATION_GATE)  # are candidates
    if analysis is None:
        return
    for scope, call, name in scoped_calls(analysis):
        send = outbound_send(call, name, scope, analysis)
        if send is None:
            continue
        secret = next((s for s in (carries_secret_data(v, scope, analysis) for v in send.payload) if s), None)
        tool_data = any(is_tainted(v, scope.tainted, analysis.aliases) for v in send.payload)
        where = f" to {send.host}" if send.host else ""
        foreign = None if secret or not is_external(send.host) else next(
            (v for v in (foreign_secret_variable(p, send.host, scope, analysis) for p in send.payload) if v), None)
        if secret and (send.family != "http" or is_external(send.host)):
            message = f"{secret} is sent out ({send.family}){where}"
        elif foreign:
            message = f"the secret {foreign} is sent to a host of another service ({send.family}){where}"
        elif tool_data and (send.family == "dns" or is_collector(send.host)):
            message = f"tool input is sent out ({send.family}){where}"
        else:
            continue
        hit = make_hit(analysis, call, message, None, tool_data)
        if _in_tool(scope):
            hit.severity = Severity.CRITICAL
        yield hit
