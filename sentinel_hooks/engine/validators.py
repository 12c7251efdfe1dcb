"""Offline checks of token formats that carry a checksum, and other per-secret validators.

A validator is ``(secret: str) -> bool``; a rule names it with ``validator: name``. A token that
fails its checksum is still reported, with LOW confidence, since it may be a mangled real token.
"""
from __future__ import annotations

import base64
import binascii
import math
import re
import zlib
from typing import Callable, Optional

from sentinel_hooks.engine.filters import shannon_entropy
from sentinel_hooks.engine.patterns import lazy

Validator = Callable[[str], bool]
REGISTRY: dict[str, Validator] = {}

BASE62_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_BASE62_VALUE = {ch: i for i, ch in enumerate(BASE62_ALPHABET)}


def validator(name: str) -> Callable[[Validator], Validator]:
    def register(fn: Validator) -> Validator:
        REGISTRY[name] = fn
        return fn

    return register


# -- helpers ---------------------------------------------------------------------------------

def base62_encode(number: int, width: int = 0) -> str:
    """``number`` in base62 (digits, upper case, lower case), left-padded with '0' to ``width``."""
    digits = []
    while number:
        number, rest = divmod(number, 62)
        digits.append(BASE62_ALPHABET[rest])
    return "".join(reversed(digits)).rjust(width, "0") or "0"


def base62_decode(text: str) -> Optional[int]:
    number = 0
    for ch in text:
        value = _BASE62_VALUE.get(ch)
        if value is None:
            return None
        number = number * 62 + value
    return number


def crc32_base62(text: str) -> str:
    """The 6-character checksum GitHub and npm append to their tokens."""
    return base62_encode(zlib.crc32(text.encode("ascii")), 6)


def b64_decode(text: str, urlsafe: bool = True) -> Optional[bytes]:
    """Decode base64 with or without padding; None when it is not base64."""
    text = text.strip()
    padded = text + "=" * (-len(text) % 4)
    try:
        if urlsafe:
            return base64.urlsafe_b64decode(padded.encode("ascii"))
        return base64.b64decode(padded.encode("ascii"), validate=True)
    except (binascii.Error, ValueError, UnicodeEncodeError):
        return None


def _prefixed_crc_token(secret: str, prefix_len: int) -> bool:
    body = secret[prefix_len:]
    if len(body) != 36 or not body.isascii() or not body.isalnum():
        return False
    return base62_decode(body[30:]) == zlib.crc32(body[:30].encode("ascii"))


# -- validators ------------------------------------------------------------------------------

@validator("github_checksum")
def github_checksum(secret: str) -> bool:
    """``gh?_`` + 30 random base62 characters + base62(CRC32(random part)) in 6 characters."""
    if not re.fullmatch(r"gh[pousr]_[A-Za-z0-9]{36}", secret):
        return False
    return _prefixed_crc_token(secret, 4)


@validator("npm_checksum")
def npm_checksum(secret: str) -> bool:
    """``npm_`` + 30 random base62 characters + base62(CRC32(random part)) in 6 characters."""
    if not re.fullmatch(r"npm_[A-Za-z0-9]{36}", secret):
        return False
    return _prefixed_crc_token(secret, 4)


_PYPI_LOCATIONS = (b"pypi.org", b"test.pypi.org")


def _read_varint(data: bytes, pos: int) -> tuple[Optional[int], int]:
    value = shift = 0
    while pos < len(data):
        byte = data[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return value, pos
        shift += 7
        if shift > 28:
            break
    return None, pos


def _macaroon_fields(data: bytes, pos: int, limit: int = 2) -> list[tuple[int, bytes]]:
    """The first ``limit`` (type, value) fields of a version-2 binary macaroon section."""
    fields: list[tuple[int, bytes]] = []
    while pos < len(data) and len(fields) < limit:
        kind = data[pos]
        pos += 1
        if kind == 0:
            break
        length, pos = _read_varint(data, pos)
        if length is None or pos + length > len(data):
            return []
        fields.append((kind, data[pos:pos + length]))
        pos += length
    return fields


@validator("pypi_macaroon")
def pypi_macaroon(secret: str) -> bool:
    """``pypi-`` + base64url of a version-2 macaroon located at pypi.org (or test.pypi.org)
    whose next field is a non-empty identifier."""
    if not secret.startswith("pypi-"):
        return False
    data = b64_decode(secret[5:])
    if not data or data[0] != 2:
        return False
    fields = _macaroon_fields(data, 1)
    if len(fields) != 2:
        return False
    (loc_kind, location), (id_kind, identifier) = fields
    return loc_kind == 1 and location in _PYPI_LOCATIONS and id_kind == 2 and len(identifier) >= 8


def _json_segment(segment: str) -> Optional[dict]:
    from sentinel_hooks.engine import jsonc  # only when a token is checked

    raw = b64_decode(segment)
    if raw is None:
        return None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return jsonc.strict_object(text)


@validator("jwt_structure")
def jwt_structure(secret: str) -> bool:
    """Three base64url segments; the header is a JSON object naming an ``alg`` and the payload
    is a JSON object; a signed token (alg other than none) has a non-empty signature."""
    parts = secret.split(".")
    if len(parts) != 3:
        return False
    header, payload = _json_segment(parts[0]), _json_segment(parts[1])
    if header is None or payload is None or not isinstance(header.get("alg"), str):
        return False
    return header["alg"].lower() == "none" or b64_decode(parts[2]) not in (None, b"")


@validator("discord_bot_token")
def discord_bot_token(secret: str) -> bool:
    """The first segment of a Discord bot token is the base64 of the bot's numeric user id."""
    first = secret.split(".", 1)[0]
    raw = b64_decode(first)
    return raw is not None and 15 <= len(raw) <= 20 and raw.isdigit()


_PEM_LINE_NOISE = lazy(r"\\[rn]|[\s\"'+,\\]")
_PEM_HEADER = lazy(r"^[A-Za-z-]+:.*$", re.M)


@validator("private_key_body")
def private_key_body(secret: str) -> bool:
    """The text between the BEGIN and END lines decodes as base64 to at least 64 bytes."""
    begin = secret.find("-----", secret.find("-----BEGIN") + 10)
    end = secret.rfind("-----END")
    if begin < 0 or end <= begin:
        return False
    body = secret[begin + 5:end]
    body = body.replace("\\r", "\n").replace("\\n", "\n")
    body = _PEM_HEADER.sub("", body)
    lines = [ln for ln in body.splitlines() if not ln.strip().startswith("=")]  # PGP armor checksum
    compact = _PEM_LINE_NOISE.sub("", "".join(lines))
    raw = b64_decode(compact, urlsafe=False)
    return raw is not None and len(raw) >= 64


_WORD = r"(?:[A-Z]?[a-z]+|[A-Z]+)"
# each word is a maximal run (the lookaheads), so the repetition cannot backtrack into splits of a run
_CAMEL_WORDS = r"(?:(?:[A-Z][a-z]+(?![a-z])|[a-z]{2,}(?![a-z])|\d+(?!\d))[_.@-]?)+[^A-Za-z0-9]{0,3}"
_WORD_LIKE = lazy(rf"{_WORD}[^A-Za-z]{{0,6}}|[^A-Za-z]{{0,6}}{_WORD}|{_CAMEL_WORDS}")


@validator("strong_entropy")
def strong_entropy(secret: str) -> bool:
    """High confidence only for values random enough to be machine-made: not a single word with a
    short affix (``Summer2024!``) nor a run of words (``PassWordMustBe6Chars.``), two or more character classes, and a Shannon entropy of at least 3.5 bits per character (or 85% of the most a
    value that short can reach)."""
    if not secret or _WORD_LIKE.fullmatch(secret):
        return False
    classes = sum(bool(re.search(p, secret)) for p in (r"[a-z]", r"[A-Z]", r"[0-9]", r"[^A-Za-z0-9]"))
    needed = min(3.5, 0.85 * math.log2(len(secret)))
    return classes >= 2 and shannon_entropy(secret) >= needed


_AZURE_KEY_BYTES = {"accountkey": (64,), "sharedaccesskey": (32,), "secret": (32, 33, 48, 64)}


def azure_connection_fields(text: str) -> dict[str, str]:
    """``Key=Value;`` pairs of an Azure connection string, keys lower-cased (a value may hold '=')."""
    fields: dict[str, str] = {}
    for part in text.split(";"):
        key, sep, value = part.strip().partition("=")
        if sep and key:
            fields[key.lower()] = value
    return fields


@validator("azure_connection_string")
def azure_connection_string(secret: str) -> bool:
    """The fields a real connection string of its kind has, each key the base64 of the documented
    number of random bytes: Storage and Cosmos DB ``AccountKey`` 64 bytes (with ``AccountName`` or an
    ``AccountEndpoint`` on documents.azure.*), Service Bus / Event Hubs ``SharedAccessKey`` 32 bytes
    (with an ``sb://`` endpoint and a key name), App Configuration ``Secret`` (with an azconfig.io
    endpoint and an ``Id``)."""
    fields = azure_connection_fields(secret)
    if "accountkey" in fields:
        kind_ok = "accountname" in fields or ".documents.azure." in fields.get("accountendpoint", "")
        key = "accountkey"
    elif "sharedaccesskey" in fields:
        kind_ok = fields.get("endpoint", "").startswith("sb://") and bool(fields.get("sharedaccesskeyname"))
        key = "sharedaccesskey"
    elif "secret" in fields:
        kind_ok = ".azconfig.io" in fields.get("endpoint", "") and bool(fields.get("id"))
        key = "secret"
    else:
        return False
    raw = b64_decode(fields[key], urlsafe=False)
    return kind_ok and raw is not None and len(raw) in _AZURE_KEY_BYTES[key]


@validator("azure_account_key")
def azure_account_key(secret: str) -> bool:
    """A storage or Cosmos DB account key: base64 of 64 random bytes."""
    raw = b64_decode(secret, urlsafe=False)
    return raw is not None and len(raw) == 64


_SA_FIELD = r'\\?"{0}\\?"\s*:\s*\\?"([^"\\]*(?:\\.[^"\\]*)*?)\\?"'


def service_account_fields(text: str) -> dict[str, str]:
    """The string fields of a (possibly JSON-escaped) service-account key file."""
    out = {}
    for name in ("type", "project_id", "private_key_id", "private_key", "client_email", "token_uri"):
        m = re.search(_SA_FIELD.format(name), text)
        if m:
            out[name] = m.group(1)
    return out


@validator("gcp_service_account")
def gcp_service_account(secret: str) -> bool:
    """A Google Cloud service-account key: ``type`` service_account, a 40-hex ``private_key_id``, a
    ``client_email`` of an iam.gserviceaccount.com (or developer) account when present, and a PEM
    private key whose body decodes to a key."""
    fields = service_account_fields(secret)
    if fields.get("type") != "service_account":
        return False
    key_id = fields.get("private_key_id")
    if key_id is not None and not re.fullmatch(r"[0-9a-f]{40}", key_id):
        return False
    email = fields.get("client_email")
    if email is not None and not re.search(r"@[a-z0-9-]+\.iam\.gserviceaccount\.com$|gserviceaccount\.com$", email):
        return False
    start = secret.find("-----BEGIN")
    return start >= 0 and private_key_body(secret[start:])


@validator("aws_key_id")
def aws_key_id(secret: str) -> bool:
    """AWS key ids are a four-letter prefix and 16 characters of base32 (A-Z, 2-7)."""
    return re.fullmatch(r"A[A-Z]{3}[A-Z2-7]{16}", secret) is not None
