"""Credentials given to a name, in the forms MCP servers hold them.

Two detectors share one grammar of "a name, then a value":

``keyed_secret``: a provider whose keys carry no distinctive prefix is recognised by the name the key
is stored under (``DEEPGRAM_API_KEY``, ``X-Deepgram-Key``) together with the key's published shape.
Options of a rule using it:

  name    regex (case-insensitive) that the variable, key or header name contains, e.g. ``deepgram``
  value   regex (case-sensitive) of the secret itself, e.g. ``[a-f0-9]{40}``

The name may be followed by more name characters (``_API_KEY``) and then by any of the connectors of
:data:`CONNECTOR`: an assignment (``=``, ``:``, ``:=``, ``?=``, ``=>``), a type annotation, the
default of ``os.environ.get("NAME", "…")`` / ``os.getenv``, a JavaScript fallback
(``process.env.NAME ?? "…"`` / ``||``), a Dockerfile ``ENV NAME value``, a JSON or YAML member, a
header dict entry; quotes may be escaped (``\\"``, as in notebook JSON).

``secret_assignment_contexts``: a credential-like name (password, secret, token, api key, …) given a
literal in the contexts the plain assignment rules do not read: environment defaults, JavaScript
fallbacks, ``Authorization``-style headers, unquoted values in Dockerfiles, Makefiles and
extension-less shebang scripts, notebook source cells, values split into literal fragments
(implicit concatenation, ``+``, ``"".join([...])``), which are joined and judged as one value, and a
machine-made value under a plain ``<PROVIDER>_KEY`` name (digests, UUIDs and phrases are not).
Each form is gated by literals it must contain, or anchored on one, so that code full of "key" and
"token" costs little.

``token_public_in_context`` (a token that is public beside given words, e.g. a Firebase web config) and
``service_account_key`` (a Google Cloud key file, checked field by field) complete the module.

All apply the rule's ``allow`` / ``allow_line`` patterns, ``entropy``, the placeholder filter and the
rule's ``validator`` (a failed validator lowers the confidence to LOW).
"""
from __future__ import annotations

import functools
import posixpath
import re
import string
from typing import TYPE_CHECKING, Iterable, Iterator, Optional

from sentinel_hooks.engine import validators
from sentinel_hooks.engine.detectors import detector
from sentinel_hooks.engine.filters import is_placeholder, is_test_path, shannon_entropy
from sentinel_hooks.engine.hits import Hit
from sentinel_hooks.engine.keyword_positions import SHARED as KEYWORD_POSITIONS
from sentinel_hooks.engine.languages import language_of
from sentinel_hooks.engine.patterns import lazy
from sentinel_hooks.engine.text_gate import Found, keyword_windows, merged_windows
from sentinel_hooks.engine.units import TextUnit
from sentinel_hooks.findings import Confidence

if TYPE_CHECKING:
    from sentinel_hooks.engine.rules import Rule

_QUOTE = r"""(?:\\?["'`])"""
CONNECTOR = (
    rf"""{_QUOTE}?\]?[ \t]*"""  # the name's closing quote or bracket
    r"""(?:\)[ \t]*(?:or|\?\?|\|\|)"""  # os.getenv("NAME") or "…"
    r"""|:[ \t]*(?:str|string)[ \t]*="""  # NAME: str = "…"
    r"""|,[ \t]*(?:default[ \t]*=[ \t]*)?"""  # os.environ.get("NAME", "…")
    r"""|=>|:=|\?=|\+=|==?|:|\?\?|\|\||[ \t])"""  # assignments, members, fallbacks, ENV NAME value
    rf"""[ \t]*(?:[rbuf]{{1,2}}(?=["']))?{_QUOTE}?"""  # the value's opening quote
    r"""(?:(?i:bearer|token|basic|apikey|api-key)[ \t]+)?"""  # an Authorization scheme
)
_VALUE_END = r"(?![A-Za-z0-9_+/=-])"
_DEFAULT_REACH = 256


@functools.lru_cache(maxsize=512)
def keyed_pattern(name: str, value: str) -> re.Pattern[str]:
    """NAME (case-insensitive), more name characters, a connector, then the secret as group ``secret``."""
    return re.compile(rf"(?i:{name})[A-Za-z0-9_.-]{{0,40}}{CONNECTOR}(?P<secret>{value}){_VALUE_END}")


def _windows(unit: TextUnit, rule: Rule) -> list[tuple[int, int]]:
    text = unit.text
    if not rule.keywords:
        return [(0, len(text))]
    windows = keyword_windows(text, unit.lowered(), rule.keywords, rule.keyword_reach or _DEFAULT_REACH)
    return [(0, len(text))] if windows is None else windows


def _judge(unit: TextUnit, rule: Rule, secret: str, line_text: str) -> Optional[Confidence] | bool:
    """False when the value is dropped; else the confidence to report (None: the rule's own)."""
    if any(a.search(secret) for a in rule.compiled_allow):
        return False
    if rule.compiled_allow_line and any(a.search(line_text) for a in rule.compiled_allow_line):
        return False
    if rule.entropy is not None and shannon_entropy(secret) < rule.entropy:
        return False
    if rule.placeholder_filter and is_placeholder(secret):
        return False
    if rule.validator is not None and not validators.REGISTRY[rule.validator](secret):
        return Confidence.LOW
    if "generic" in rule.tags and is_test_path(unit.path):
        return Confidence.LOW
    return None


def _hit(unit: TextUnit, rule: Rule, start: int, end: int, secret: str, content: str,
         message: str = "") -> Optional[Hit]:
    line, col = unit.position(start)
    verdict = _judge(unit, rule, secret, unit.line_text(line))
    if verdict is False:
        return None
    end_line, end_col = unit.position(end)
    return Hit(line, col, end_line, end_col, content, secret=secret, message=message,
               confidence=verdict if isinstance(verdict, Confidence) else None)


@detector("keyed_secret")
def detect_keyed_secret(unit: TextUnit, rule: Rule) -> Iterable[Hit]:
    pattern = keyed_pattern(rule.options["name"], rule.options["value"])
    text = unit.text
    seen: set[int] = set()
    for start, end in _windows(unit, rule):
        for m in pattern.finditer(text, start, end):
            s, e = m.span("secret")
            if s in seen:
                continue
            seen.add(s)
            hit = _hit(unit, rule, s, e, m.group("secret"), m.group(0))
            if hit is not None:
                yield hit


# -- credential-like names ------------------------------------------------------------------------

_STRONG_WORDS = {"token", "secret", "password", "passwd", "pwd", "apikey", "credential", "credentials",
                 "passphrase", "privatekey", "accesskey", "secretkey", "authorization", "bearer", "pat"}
_WEAK_WORDS = {"key", "auth", "cookie", "session"}
_NOT_SECRET_WORDS = {"path", "file", "dir", "url", "uri", "endpoint", "host", "port", "type", "mode", "id",
                     "name", "user", "username", "limit", "max", "min", "count", "region", "expiry", "expires",
                     "ttl", "length", "size", "format", "version", "enabled", "required", "public", "env", "var",
                     "scope", "scopes", "provider", "method", "location", "field", "prefix", "timeout", "tokens",
                     "budget", "issuer", "audience", "algorithm", "kind", "header", "cache", "idempotency",
                     "sort", "primary", "partition", "foreign", "hash", "lookup", "index", "label", "display",
                     "publishable", "anon", "pub", "client_id", "next", "page", "cursor", "csrf", "xsrf"}
# client-side analytics services: their write keys and project tokens are embedded in every page that reports
# events, public by design; their secrets (an "API secret", a "private" key) are not
_PUBLIC_ANALYTICS_WORDS = {"analytics", "segment", "mixpanel", "amplitude", "posthog", "rudderstack"}
_PRIVATE_WORDS = {"secret", "password", "passwd", "private", "admin", "personal"}
_STRONG_SUFFIXES = ("apikey", "secret", "password", "token", "privatekey", "accesskey", "secretkey", "passwd",
                    "authkey", "auth")


def name_words(name: str) -> list[str]:
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", name)
    return [w for w in re.split(r"[^a-z0-9]+", spaced.lower()) if w]


def name_strength(name: str) -> str:
    """'strong' for names that hold credentials, 'weak' for names that often do (KEY, AUTH), else ''."""
    words = name_words(name)
    if not words or any(w in _NOT_SECRET_WORDS for w in words):
        return ""
    if any(w in _PUBLIC_ANALYTICS_WORDS for w in words) and not any(w in _PRIVATE_WORDS for w in words):
        return ""  # an analytics write key or project token: public by design
    joined = "".join(words)
    if any(w in _STRONG_WORDS for w in words) or joined.endswith(_STRONG_SUFFIXES):
        return "strong"
    return "weak" if any(w in _WEAK_WORDS for w in words) else ""


# digests, hex ids and UUIDs are what non-secret *_KEY names (cache keys, request ids) usually hold
_HASH_OR_UUID = lazy(r"[0-9a-f]{16,}|[0-9A-F]{16,}|"
                           r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


_PHRASE = lazy(r"(?i)[a-z]{3,}[-_. ][a-z]{2,}[-_. ][a-z]{3,}")  # words joined: a made-up test value


def looks_random(value: str) -> bool:
    return len(value) >= 12 and re.search(r"\d", value) is not None and re.search(r"[A-Za-z]", value) is not None \
        and shannon_entropy(value) >= 3.0


def credential_value(name: str, value: str) -> bool:
    """A literal given to ``name`` that a scanner should read as a credential (before the rule's filters)."""
    strength = name_strength(name)
    if not strength:
        return False
    if strength == "weak":  # a key under a plain *_KEY name: long, with digits, random, not a digest or phrase
        return len(value) >= 16 and sum(c.isdigit() for c in value) >= 2 and looks_random(value) \
            and not _HASH_OR_UUID.fullmatch(value) and not _PHRASE.search(value) and validators.strong_entropy(value)
    return True


# -- the contexts ---------------------------------------------------------------------------------

_LITERAL_VALUE = r"""(?P<secret>[^"'`\s\\]{8,400})"""
_NAME = r"(?P<name>[A-Za-z_][A-Za-z0-9_.-]{1,80})"
_ENV_DEFAULTS = lazy(
    rf"""(?:environ\.get|getenv|environ\.setdefault|env\.get|Env\.get)\(\s*{_QUOTE}{_NAME}{_QUOTE}\s*"""
    rf"""(?:,\s*(?:default\s*=\s*)?|\)\s*(?:or|\?\?|\|\|)\s*)(?:[rbuf]{{1,2}}(?=["']))?(?P<q>\\?["'`]){_LITERAL_VALUE}(?P=q)"""
)
_ENV_SET = lazy(
    rf"""environ\[\s*{_QUOTE}{_NAME}{_QUOTE}\s*\]\s*=\s*(?:[rbuf]{{1,2}}(?=["']))?(?P<q>\\?["'`]){_LITERAL_VALUE}(?P=q)"""
)
_JS_FALLBACK = lazy(
    rf"""(?:process\.env|import\.meta\.env)(?:\.{_NAME}|\[\s*["'`](?P<name2>[A-Za-z_][A-Za-z0-9_.-]*)["'`]\s*\])"""
    rf"""\s*(?:\?\?|\|\|)\s*(?P<q>["'`]){_LITERAL_VALUE}(?P=q)"""
)
_HEADER = lazy(
    r"""(?P<nq>\\?["'])(?P<name>(?:Proxy-)?Authorization|Cookie|X-[A-Za-z0-9-]*?(?:Auth|Token|Key|Secret|Signature)"""
    r"""[A-Za-z0-9-]*|[A-Za-z0-9-]+-(?:Auth|Authorization))(?P=nq)\s*:\s*(?P<q>\\?["'`])"""
    r"""(?:(?i:bearer|token|basic|bot|apikey|api-key|key|sso-key|splunk|dsn)[ \t]+)?"""
    rf"""{_LITERAL_VALUE}(?P=q)""",
    re.I,
)
_UNQUOTED = r"""(?P<secret>[^\s"'`$#;&|<>(){}\\]{8,400})"""
_DOCKERFILE = lazy(
    rf"""(?im)^[ \t]*(?:ENV|ARG)[ \t]+{_NAME}(?:[ \t]*=[ \t]*|[ \t]+){_UNQUOTED}[ \t]*(?:\\)?$"""
)
_DOCKERFILE_PAIRS = lazy(rf"""(?im)^[ \t]*(?:ENV|ARG)[ \t]+.*?[ \t]{_NAME}={_UNQUOTED}""")
_MAKEFILE = lazy(
    rf"""(?m)^[ \t]*(?:export[ \t]+|override[ \t]+)?{_NAME}[ \t]*(?::{{1,3}}=|\?=|\+=|!=|=)[ \t]*{_UNQUOTED}[ \t]*(?:#.*)?$"""
)
_SHELL = lazy(
    rf"""(?m)^[ \t]*(?:(?:export|readonly|local|declare(?:[ \t]+-\w+)*)[ \t]+)?{_NAME}={_UNQUOTED}[ \t]*(?:#.*|;.*)?$"""
)
# NAME_KEY = "…" (a provider's key under <PROVIDER>_KEY): the plain assignment rules read only names such
# as API_KEY or SECRET_KEY; here a weak name counts only for a machine-made value (see credential_value).
# Matched from each "key" followed by an assignment (_KEY_ASSIGNED), the name read backwards from there.
_AFTER_KEY_QUOTED = lazy(
    r"""key["']?[ \t]*(?::[ \t]*str[ \t]*)?(?:=|:)[ \t]*(?:[rbuf]{1,2}(?=["']))?(?P<q>["'`])"""
    r"""(?P<secret>[^"'`\s\\]{12,400})(?P=q)""", re.I)
_AFTER_KEY_UNQUOTED = lazy(
    r"""key[ \t]*[=:][ \t]*(?P<secret>[^\s"'`$#;&|<>(){}\\]{12,400})[ \t]*(?:#[^\n]*)?(?=\r?\n|$)""", re.I)
_KEY_ASSIGNED = lazy(r"""key["']?[ \t]*(?::[ \t]*str[ \t]*)?[=:]""")  # tried at each "key" of the lower-cased text
_LINE_START = lazy(r"[ \t]*(?:export[ \t]+)?")
_NAME_CHARS = frozenset(string.ascii_letters + string.digits + "_.-")
_UNQUOTED_LANGUAGES = {"dotenv", "shell", "ini", "yaml", "dockerfile", "makefile"}
_PY_ASSIGN = lazy(
    rf"""(?P<name>[A-Za-z_][A-Za-z0-9_.]*(?:\[\s*["'][A-Za-z0-9_.-]+["']\s*\])?)\s*(?::\s*str\s*)?=\s*"""
    rf"""(?:[rbuf]{{1,2}}(?=["']))?(?P<q>["']){_LITERAL_VALUE}(?P=q)"""
)
# a literal, then more literals joined by whitespace (implicit concatenation), `+` or commas in a join
_FRAGMENT = r"""(?:[rbuf]{1,2}(?=["']))?(?:"[^"\\\n]*"|'[^'\\\n]*')"""
_JOINED = lazy(
    rf"""{_NAME}["']?\]?\s*(?::\s*str\s*)?(?:=|:)\s*(?P<expr>\(?\s*{_FRAGMENT}(?:\s*\+?\s*{_FRAGMENT})+\s*\)?"""
    rf"""|(?:""|'')\.join\(\s*[\[(]\s*{_FRAGMENT}(?:\s*,\s*{_FRAGMENT})+\s*,?\s*[\])]\s*\))"""
)
_FRAGMENT_TEXT = lazy(r"""(?:[rbuf]{1,2})?(?:"([^"\\\n]*)"|'([^'\\\n]*)')""")

_SHEBANG_SHELL = lazy(r"#![^\n]*\b(?:sh|bash|zsh|ksh|dash|ash)\b")


def _is_shebang_script(unit: TextUnit) -> bool:
    name = posixpath.basename(unit.path)
    return "." not in name and unit.first_line == 1 and unit.text.startswith("#!")


def _forms(unit: TextUnit) -> list[re.Pattern[str]]:
    """The context patterns that apply to this file."""
    lang = language_of(unit.path)
    forms: list[re.Pattern[str]] = [_ENV_DEFAULTS, _ENV_SET, _JS_FALLBACK, _HEADER]
    if lang == "dockerfile":
        forms += [_DOCKERFILE, _DOCKERFILE_PAIRS]
    elif lang == "makefile" or posixpath.basename(unit.path).lower().endswith((".mk", ".mak")):
        forms.append(_MAKEFILE)
    elif _is_shebang_script(unit) and _SHEBANG_SHELL.match(unit.text):
        forms.append(_SHELL)
    return forms


def _name_of(m: re.Match[str]) -> str:
    groups = m.groupdict()
    return groups.get("name") or groups.get("name2") or ""


# each form runs only around the literals every match of it contains (lower-case), within the reach;
# their offsets come from the reading of the text shared with the rules (``keyword_positions``)
_GATES: dict[re.Pattern[str], tuple[tuple[str, ...], int]] = {
    _ENV_DEFAULTS: (("getenv", "environ", "env.get"), 300), _ENV_SET: (("environ",), 300),
    _JS_FALLBACK: ((".env",), 300),
    _HEADER: (("authorization", '"x-', "'x-", "-auth"), 300),
}
KEYWORD_POSITIONS.add(literal for literals, _ in _GATES.values() for literal in literals)


def _gate_windows(text: str, literals: tuple[str, ...], reach: int, positions: Found) -> list[tuple[int, int]]:
    """Merged windows of ``reach`` characters around the literals."""
    return list(merged_windows(positions.offsets_of(literals), reach, len(text)))


def _context_hits(unit: TextUnit, text: str, forms: list[re.Pattern[str]]) -> Iterator[tuple[int, int, str, str]]:
    lowered = unit.lowered()
    same_length = len(lowered) == len(text)
    positions = KEYWORD_POSITIONS.of(lowered) if same_length else None
    for pattern in forms:
        gate = _GATES.get(pattern)
        windows = _gate_windows(text, *gate, positions) if gate and positions is not None else [(0, len(text))]
        for start, end in windows:
            for m in pattern.finditer(text, start, end):
                secret = m.group("secret")
                if credential_value(_name_of(m), secret):
                    yield m.start("secret"), m.end("secret"), secret, m.group(0)
    if positions is not None:
        unquoted = language_of(unit.path) in _UNQUOTED_LANGUAGES
        key_assigned = _KEY_ASSIGNED.match
        candidates = [pos for pos in positions.offsets("key") if key_assigned(lowered, pos)]
        yield from _weak_key_hits(text, candidates, unquoted)
        yield from _joined_hits(text, lowered, positions)


def _weak_key_hits(text: str, candidates: Iterable[int], unquoted: bool) -> Iterator[tuple[int, int, str, str]]:
    """``<NAME>_KEY = "…"`` (and, in .env/shell/YAML-like files, unquoted): weak names only (strong ones
    are the plain assignment rules' own), with a machine-made value. ``candidates``: the offsets where
    ``_KEY_ASSIGNED`` matches the lower-cased text."""
    for pos in candidates:
        name_start = pos
        while name_start > 0 and text[name_start - 1] in _NAME_CHARS:
            name_start -= 1
        name = text[name_start:pos + 3]
        if name_start < pos and name_strength(name) == "weak":
            m = _AFTER_KEY_QUOTED.match(text, pos)
            if m is None and unquoted:
                line_start = text.rfind("\n", 0, name_start) + 1
                if _LINE_START.fullmatch(text, line_start, name_start):
                    m = _AFTER_KEY_UNQUOTED.match(text, pos)
            if m is not None and credential_value(name, m.group("secret")):
                yield m.start("secret"), m.end("secret"), m.group("secret"), text[name_start:m.end()]


# a joined value is read from the start of a statement that assigns to a credential name: after the
# credential word come the rest of the name, an assignment and the start of a joined value
_JOIN_AFTER_WORD = lazy(
    r"""[a-z0-9_.-]{0,30}["']?\]?[ \t]*(?::[ \t]*str[ \t]*)?[=:][ \t]*"""
    r"""(?:\([ \t\r\n]*[rbuf]{0,2}["']|[rbuf]{0,2}(?:"[^"\n]*"|'[^'\n]*')[ \t]*(?:\+|[rbuf]{0,2}["'])|(?:""|'')\.join)""")
# one pattern per credential word, tried where the word occurs (``keyword_positions``)
_CREDENTIAL_JOINS = tuple((word, lazy(word + _JOIN_AFTER_WORD.pattern))
                          for word in ("key", "token", "secret", "pass", "auth"))
KEYWORD_POSITIONS.add(word for word, _ in _CREDENTIAL_JOINS)


def _statement_start(text: str, pos: int) -> int:
    """Start of the name assigned on the line holding ``pos`` (after indentation and `export`/`const`…)."""
    line_start = text.rfind("\n", 0, pos) + 1
    m = _STATEMENT_LEAD.match(text, line_start, pos)
    return m.end() if m else line_start


_STATEMENT_LEAD = lazy(r"[ \t]*(?:(?:export|const|let|var|final|static|public|private)[ \t]+)*")


def _joined_hits(text: str, lowered: str, positions: Found) -> Iterator[tuple[int, int, str, str]]:
    # tried at each occurrence of the word: a match that finditer would skip lies inside another on the
    # same line (after a newline a match holds only spaces, quotes and string prefixes), same statement
    starts = {_statement_start(text, pos) for word, pattern in _CREDENTIAL_JOINS
              for match in (pattern.match,) for pos in positions.offsets(word) if match(lowered, pos)}
    for start in sorted(starts):
        m = _JOINED.match(text, start)
        if m is None:
            continue
        parts = [a or b for a, b in _FRAGMENT_TEXT.findall(m.group("expr"))]
        value = "".join(parts)
        if len(parts) < 2 or not re.fullmatch(r"[^\s\"'`\\]{8,400}", value):
            continue
        if credential_value(m.group("name"), value):
            yield m.start("expr"), m.end("expr"), value, m.group(0)


_JSON_LINE = lazy(r'^[ \t]*("(?:[^"\\]|\\.)*")[ \t]*,?[ \t]*$', re.M)


def _notebook_hits(unit: TextUnit, windows: list[tuple[int, int]]) -> Iterator[tuple[int, int, str, str]]:
    """Source lines of notebook cells are JSON strings: decode each, then read it as Python."""
    from sentinel_hooks.engine import jsonc  # notebooks only

    text = unit.text
    for start, end in windows:
        for m in _JSON_LINE.finditer(text, start, end):
            line = jsonc.string_literal(m.group(1))
            if line is None:
                continue
            for pattern in (_PY_ASSIGN, _ENV_DEFAULTS, _ENV_SET, _JS_FALLBACK, _HEADER):
                for inner in pattern.finditer(line):
                    secret = inner.group("secret")
                    if credential_value(_name_of(inner), secret):
                        yield m.start(1), m.end(1), secret, inner.group(0)
            if line.isascii():
                candidates = [m.start() for m in _KEY_ASSIGNED.finditer(line.lower())]
                for _, _, secret, content in _weak_key_hits(line, candidates, False):
                    yield m.start(1), m.end(1), secret, content


@detector("secret_assignment_contexts")
def detect_secret_contexts(unit: TextUnit, rule: Rule) -> Iterable[Hit]:
    text = unit.text
    if unit.path.endswith(".ipynb"):
        found: Iterable[tuple[int, int, str, str]] = _notebook_hits(unit, _windows(unit, rule))
    else:
        found = _context_hits(unit, text, _forms(unit))
    seen: set[tuple[int, str]] = set()
    for start, end, secret, content in found:
        line = unit.position(start)[0]
        if (line, secret) in seen:
            continue
        seen.add((line, secret))
        hit = _hit(unit, rule, start, end, secret, content)
        if hit is not None:
            yield hit


# -- tokens that are public in some contexts ------------------------------------------------------

@functools.lru_cache(maxsize=64)
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


@detector("token_public_in_context")
def detect_token_public_in_context(unit: TextUnit, rule: Rule) -> Iterable[Hit]:
    """A token regex (``pattern``, secret in group ``secret``) reported with LOW confidence when
    ``public_context`` occurs within ``public_reach`` characters (e.g. a Firebase web config, whose
    API key is shipped to browsers by design and protected by restrictions, not secrecy)."""
    opts = rule.options
    pattern = _compiled(opts["pattern"])
    context = _compiled(opts["public_context"])
    reach = int(opts.get("public_reach", 400))
    text = unit.text
    for start, end in _windows(unit, rule):
        for m in pattern.finditer(text, start, end):
            s, e = m.span("secret")
            hit = _hit(unit, rule, s, e, m.group("secret"), m.group(0))
            if hit is None:
                continue
            if context.search(text, max(s - reach, 0), min(e + reach, len(text))):
                hit.confidence = Confidence.LOW
                hit.message = opts.get("public_message", "")
            yield hit


# -- Google Cloud service-account key files -------------------------------------------------------

_ESCAPED_QUOTE = r'\\?"'
_SERVICE_ACCOUNT = lazy(
    r"\{(?=[^{}]{0,4000}?" + _ESCAPED_QUOTE + "type" + _ESCAPED_QUOTE + r"\s*:\s*" + _ESCAPED_QUOTE
    + "service_account" + _ESCAPED_QUOTE + r")[^{}]{0,4000}?" + _ESCAPED_QUOTE + "private_key" + _ESCAPED_QUOTE
    + r"\s*:\s*" + _ESCAPED_QUOTE
    + r"(?P<secret>-----BEGIN (?:RSA )?PRIVATE KEY-----[A-Za-z0-9+/=\\\s]{64,}?-----END (?:RSA )?PRIVATE KEY-----)"
    + r"[^{}]{0,4000}\}?"
)


@detector("service_account_key")
def detect_service_account_key(unit: TextUnit, rule: Rule) -> Iterable[Hit]:
    """A service-account key file (plain, or pasted with escaped quotes into a string or env value):
    the private key is reported and redacted; the whole object's fields are checked offline
    (``gcp_service_account``) and a file failing them is reported with LOW confidence."""
    text = unit.text
    for m in _SERVICE_ACCOUNT.finditer(text):
        s, e = m.span("secret")
        hit = _hit(unit, rule, s, e, m.group("secret"), m.group("secret"))
        if hit is None:
            continue
        hit.confidence = None if validators.gcp_service_account(m.group(0)) else Confidence.LOW
        yield hit
