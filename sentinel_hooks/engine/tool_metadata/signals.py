"""What a poisoned description says: hidden instructions, sensitive files, shadowing of other tools,
exfiltration through parameters, length and encoded payloads."""
from __future__ import annotations

import base64
import binascii
import re
from sentinel_hooks.records import record
from typing import Iterator, Optional

from sentinel_hooks.engine.filters import shannon_entropy
from sentinel_hooks.engine.patterns import lazy
from sentinel_hooks.engine.protective_text import is_protective
from sentinel_hooks.engine.tool_metadata.description_pattern import DescriptionPattern
from sentinel_hooks.engine.tool_metadata.injection_score import score_text
from sentinel_hooks.engine.tool_metadata.model import Span, ToolDecl
from sentinel_hooks.findings import Confidence, Severity


# -- what a poisoned description says --------------------------------------------------------------

def _rx(pattern: str, *literals: str) -> DescriptionPattern:
    return DescriptionPattern(pattern, literals)


_SENSITIVE_STRONG = _rx(
    r"~?/?\.ssh\b|\bid_(?:rsa|dsa|ecdsa|ed25519)\b|\.aws/(?:credentials|config)\b|\.gnupg\b|\.netrc\b|"
    r"\.git-credentials\b|\.docker/config\.json|\.kube/config\b|/etc/(?:passwd|shadow|sudoers)\b|"
    r"claude_desktop_config\.json|\.cursor/mcp\.json|(?<![\w-])mcp\.json\b|\bkeychains?\b|\.pypirc\b|"
    r"\.npmrc\b|wallet\.dat\b|\.config/gcloud\b|\.bash_history\b|\.zsh_history\b|\.password-store\b",
    ".ssh", "id_", ".aws/", ".gnupg", ".netrc", ".git-credentials", ".docker/", ".kube/", "/etc/",
    "claude_desktop_config.json", "mcp.json", "keychain", ".pypirc", ".npmrc", "wallet.dat", ".config/gcloud",
    "_history", ".password-store")
_SENSITIVE_WEAK = _rx(r"(?<![\w./-])(?:~/|\./)?\.env(?:\.(?:local|production|prod))?(?![\w-])", ".env")
# searched only around a sensitive path that was found: compiled when first needed
_READ_VERB = lazy(r"\b(?:read|reads|reading|cat|open|load|fetch|get|retrieve|include|attach|send|upload|pass|"
                  r"provide|copy|paste|dump|print|extract|contents?\s+of|output)\b", re.IGNORECASE | re.DOTALL)

_OTHER_TOOL = r"[`'\"]?([A-Za-z_][\w.-]*)[`'\"]?"
_SHADOW_INSTEAD = _rx(r"\binstead\s+of\s+(?:using\s+|calling\s+)?(?:the\s+)?" + _OTHER_TOOL + r"\s+tool\b",
                      "instead")
# Tools a client provides itself, named as a model knows them from its client's own instructions: the analysis
# tool (its JavaScript REPL) and artifacts of Claude's apps, ChatGPT's canvas. Steering away from one of them
# names no other server's tool (whose calls a malicious server could take over).
CLIENT_BUILTIN_TOOLS = frozenset({"analysis", "repl", "artifacts", "artifact", "canvas"})
_SHADOW_NAMED = [
    _rx(r"\bwhen(?:ever)?\s+(?:the|a|any)\s+" + _OTHER_TOOL + r"\s+tool\s+is\s+(?:used|called|invoked|executed|run)",
        "when"),
    _rx(r"\bwhen(?:ever)?\s+(?:you|the\s+assistant|the\s+model|the\s+agent)\s+(?:use|call|invoke|run)s?\s+"
        r"(?:the\s+)?" + _OTHER_TOOL + r"\s+tool\b", "when"),
    _SHADOW_INSTEAD,
    _rx(r"\bthe\s+" + _OTHER_TOOL + r"\s+tool\s+(?:must|should|has\s+to|needs\s+to)\s+(?:also\s+|always\s+|now\s+)?"
        r"(?:send|forward|include|add|use|bcc|cc|call|be\s+called)", "must", "should", "has", "needs"),
]
_SHADOW_GENERIC = [
    _rx(r"\bside[- ]effects?\s+on\s+(?:the\s+)?(?:also\s+present\s+|other\s+|all\s+)?[\w`'\"-]*\s*tools?\b",
        "side"),
    _rx(r"\bbefore\s+(?:calling|using|invoking)\s+(?:any|every|all)\s+(?:other\s+)?tools?\b", "before"),
    _rx(r"\b(?:all|any|every)\s+(?:outgoing\s+)?(?:e-?mails?|messages)\s+(?:must|should|need\s+to|have\s+to)\s+"
        r"(?:be\s+sent|go|be\s+(?:forwarded|copied|bcc'?d))\s+to\b", "mail", "message"),
    _rx(r"\b(?:bcc|cc|forward|redirect|send)\b[^.]{0,60}?\b(?:all|every|each|a\s+copy\s+of)\b[^.]{0,60}?"
        r"[\w.+-]+@[\w-]+\.[\w.]+", "@"),
    _rx(r"\b(?:change|replace|set)\s+the\s+(?:recipient|to[- ]address|destination\s+address)\b[^.]{0,40}?"
        r"[\w.+-]+@[\w-]+\.[\w.]+", "@"),
]

_EXFIL_PAYLOAD_DATA = (
    r"(?:(?:entire|full|whole|complete|previous|prior|all)\s+)?(?:conversation|chat)(?:\s+history)?\b|"
    r"\bmessage\s+history\b|\bprevious\s+messages\b|\bsystem\s+prompt\b|\b(?:your|the)\s+instructions\b|"
    r"\bcontents?\s+of\s+(?:the\s+)?(?:file|~|/|\.|any|all|every)|\bfile\s+contents?\b|"
    r"\bprivate\s+keys?\b|\benvironment\s+variables\b|\benv\s+vars\b|~/\.|/etc/|\.ssh\b|"
    r"\bits\s+contents?\b|\bthe\s+contents?\b"
)
_EXFIL_PAYLOAD_CREDENTIALS = r"\bcredentials?\b|\bapi[\s_-]?keys?\b|\bsecrets?\b|\bpasswords?\b"
_EXFIL_PAYLOAD = _EXFIL_PAYLOAD_DATA + "|" + _EXFIL_PAYLOAD_CREDENTIALS
# one of these lies in every match of _EXFIL_PAYLOAD
_EXFIL_PAYLOAD_LITERALS = ("conversation", "chat", "message", "system", "instructions", "content", "private", "env",
                           "~/.", "/etc/", ".ssh", "credential", "api", "secret", "password")
_EXFIL_PARAM_DESC = _rx(
    r"\b(?:include|put|pass|provide|add|insert|paste|copy|fill|append|place|send|write|attach|dump|"
    r"enter|supply|store)\b[^.]{0,80}?(?:" + _EXFIL_PAYLOAD + r")", *_EXFIL_PAYLOAD_LITERALS)
_EXFIL_PARAM_DESC_PASSIVE = _rx(
    r"(?:" + _EXFIL_PAYLOAD + r")[^.]{0,60}?\b(?:goes|go|belongs?|should\s+be\s+(?:placed|put|included|passed)|"
    r"must\s+be\s+(?:placed|put|included|passed))\b", *_EXFIL_PAYLOAD_LITERALS)
_CREDENTIAL_PARAM = lazy(r"(?:key|token|secret|password|passwd|pwd|credential|auth)", re.IGNORECASE | re.DOTALL)
_DATA_WORDS = lazy(_EXFIL_PAYLOAD_DATA, re.IGNORECASE | re.DOTALL)
_EXFIL_INTO = (r"\b(?:pass|put|include|send|provide|add|insert|place|append|paste|copy|write)\b([^.]{0,100}?)"
               r"\b(?:as|in|into|inside|via|through|to|using)\s+(?:the\s+)?[`'\"]?(NAMES)[`'\"]?"
               r"(?![\w-])")
# a match of _EXFIL_INTO signals only when its middle holds a payload or a sensitive path
_EXFIL_INTO_LITERALS = _EXFIL_PAYLOAD_LITERALS + _SENSITIVE_STRONG.literals

_BASE64_RUN = lazy(r"(?<![A-Za-z0-9+/_-])[A-Za-z0-9+/]{40,}={0,2}(?![A-Za-z0-9+/_-])")


@record(frozen=True)
class Signal:
    """One reason a description is suspicious."""

    kind: str  # hidden, sensitive-file, shadowing, exfiltration, long, encoded
    phrase: str
    span: Span
    confidence: Confidence
    detail: str = ""
    decoded: str = ""
    severity: Optional[Severity] = None  # None: the rule's


def shorten(text: str, limit: int = 80) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[:limit - 1] + "…"


_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)
_TAGS_TO_ASCII = {code: code - 0xE0000 for code in range(0xE0020, 0xE007F)}


def model_view(text: str) -> str:
    """The text as a model reads it: tag characters become the ASCII they encode, zero-width
    characters disappear."""
    if text.isascii():
        return text
    return text.translate(_INVISIBLE).translate(_TAGS_TO_ASCII)


def hidden_instruction_signals(tool: ToolDecl) -> Iterator[Signal]:
    """The description and each parameter description whose injection score reaches a severity
    (``injection_score``): one signal per text, naming its strongest signals. A text that speaks to
    the model nowhere (no tag, override, secrecy, role play or address to the model) and that a
    narrower signal (sensitive file, shadowing, exfiltration) already reports is left to that one,
    so one text does not raise two findings for one reason."""
    covered: Optional[set[Span]] = None
    for text, span in _texts(tool):
        result = score_text(text)
        severity = result.severity
        if severity is None:
            continue
        if not result.instructs():
            if covered is None:
                covered = {signal.span for check in (sensitive_file_signals, shadowing_signals, exfiltration_signals)
                           for signal in check(tool)}
            if span in covered:
                continue
        top = result.top()
        names = ", ".join(e.name for e in top)
        confidence = Confidence.HIGH if severity >= Severity.HIGH else Confidence.MEDIUM
        yield Signal("hidden", top[0].phrase.strip(" .,:;!\n"), span, confidence, detail=f"score {result.score:g}: {names}",
                     severity=severity)


def _instructs(tool: ToolDecl) -> bool:
    """Whether the tool's description speaks to the model (tags, overrides, secrecy, role play)."""
    return score_text(model_view(tool.description or "")).instructs()


def _texts(tool: ToolDecl) -> Iterator[tuple[str, Span]]:
    if tool.description:
        yield model_view(tool.description), tool.report_span
    for param in tool.params:
        if param.description and param.span is not None:
            yield model_view(param.description), param.span


def sensitive_file_signals(tool: ToolDecl) -> Iterator[Signal]:
    instructed = _instructs(tool)
    for text, span in _texts(tool):
        strong = _SENSITIVE_STRONG.search(text)
        match = strong or _SENSITIVE_WEAK.search(text)
        if match is None or is_protective(text, match.start(), match.end()):
            continue
        window = text[max(match.start() - 120, 0):match.end() + 120]
        verb = _READ_VERB.search(window)
        if strong and (verb or instructed):
            confidence = Confidence.HIGH if instructed or _EXFIL_PARAM_DESC.search(window) else Confidence.MEDIUM
        elif strong:
            confidence = Confidence.LOW
        elif verb and instructed:
            confidence = Confidence.HIGH
        else:
            continue
        yield Signal("sensitive-file", match.group(0), span, confidence)
        return


def shadowing_signals(tool: ToolDecl) -> Iterator[Signal]:
    """Instructions about other tools. "Use this instead of the X tool" where X is a tool the client itself
    provides (``CLIENT_BUILTIN_TOOLS``) steers the model from the client's own capability to this tool: a
    preference the tool states for itself, reported LOW, and only when nothing in the description names
    another server's tool or redirects what other tools do."""
    text = model_view(tool.description or "")
    own = {tool.name.lower(), "this", "current", "same"}
    steering: Optional[Signal] = None
    for pattern in _SHADOW_NAMED:
        for m in pattern.finditer(text):
            other = m.group(1).lower().strip("`'\"")
            if other in own:
                continue
            if pattern is _SHADOW_INSTEAD and _names_client_builtin(m.group(1), m.group(0)):
                steering = steering or Signal("shadowing", m.group(0), tool.report_span, Confidence.LOW,
                                              detail=f"prefers itself to the client's built-in {m.group(1)} tool",
                                              severity=Severity.LOW)
                continue
            confidence = Confidence.MEDIUM if pattern is _SHADOW_INSTEAD else Confidence.HIGH
            yield Signal("shadowing", m.group(0), tool.report_span, confidence, detail=f"names tool {m.group(1)}")
            return
    for pattern in _SHADOW_GENERIC:
        m = pattern.search(text)
        if m:
            yield Signal("shadowing", m.group(0), tool.report_span, Confidence.HIGH)
            return
    if steering is not None:
        yield steering


def _names_client_builtin(name: str, phrase: str) -> bool:
    """A plain word (not quoted like a tool's identifier) naming a tool a client ships."""
    return name.lower() in CLIENT_BUILTIN_TOOLS and name.isalpha() and not any(q in phrase for q in "`'\"")


def exfiltration_signals(tool: ToolDecl) -> Iterator[Signal]:
    for param in tool.params:
        if not param.description or param.span is None:
            continue
        described = model_view(param.description)
        m = _EXFIL_PARAM_DESC.search(described) or _EXFIL_PARAM_DESC_PASSIVE.search(described)
        if m is None or is_protective(described, m.start(), m.end()):
            continue
        if _CREDENTIAL_PARAM.search(param.name) and not _DATA_WORDS.search(m.group(0)):
            continue  # a credential parameter that asks for a credential is not exfiltration
        yield Signal("exfiltration", m.group(0), param.span, Confidence.HIGH, detail=f"parameter {param.name}")
        return
    names = [re.escape(p.name) for p in tool.params if len(p.name) > 1]
    if tool.description and names:
        pattern = _rx(_EXFIL_INTO.replace("NAMES", "|".join(sorted(names, key=len, reverse=True))),
                      *_EXFIL_INTO_LITERALS)
        for m in pattern.finditer(model_view(tool.description)):
            if is_protective(model_view(tool.description), m.start(), m.end()):
                continue
            if re.search(_EXFIL_PAYLOAD, m.group(1), re.IGNORECASE) or _SENSITIVE_STRONG.search(m.group(1)):
                yield Signal("exfiltration", m.group(0), tool.report_span, Confidence.HIGH,
                             detail=f"parameter {m.group(2)}")
                return


def long_description_signals(tool: ToolDecl, max_chars: int) -> Iterator[Signal]:
    if tool.description and len(tool.description) > max_chars:
        yield Signal("long", "", tool.report_span, Confidence.LOW,
                     detail=f"{len(tool.description)} characters (limit {max_chars})")


def _decoded_base64(run: str) -> Optional[str]:
    try:
        raw = base64.b64decode(run + "=" * (-len(run) % 4), validate=True)
        text = raw.decode("utf-8")
    except (binascii.Error, ValueError, UnicodeDecodeError):
        return None
    printable = sum(ch.isprintable() or ch in "\n\t" for ch in text)
    return text if text and printable / len(text) > 0.95 else None


def encoded_payload_signals(tool: ToolDecl, min_length: int) -> Iterator[Signal]:
    for text, span in _texts(tool):
        if len(text) < 40:
            continue  # a run is 40 characters or more
        for m in _BASE64_RUN.finditer(text):
            run = m.group(0)
            if len(run) < min_length or "/" in run.strip("/") and run.count("/") > len(run) // 12:
                continue
            classes = sum(bool(re.search(p, run)) for p in (r"[a-z]", r"[A-Z]", r"\d"))
            if classes < 3 or shannon_entropy(run) < 4.0:
                continue
            decoded = _decoded_base64(run.rstrip("="))
            confidence = Confidence.HIGH if decoded else Confidence.MEDIUM
            yield Signal("encoded", run, span, confidence, decoded=shorten(decoded, 200) if decoded else "")
            return
