"""Offline validators: each is tested with tokens built here, valid ones and mutated ones."""
from __future__ import annotations

import base64
import json
import random
import string
import zlib

import pytest

from sentinel_hooks.engine import validators as v

ALNUM = string.ascii_letters + string.digits
DIGITS_UPPER_LOWER = string.digits + string.ascii_uppercase + string.ascii_lowercase


def _b62(number: int) -> str:
    out = ""
    while number:
        number, rest = divmod(number, 62)
        out = DIGITS_UPPER_LOWER[rest] + out
    return out.rjust(6, "0")


def crc_token(prefix: str, seed: int) -> str:
    """A token in the GitHub/npm layout: prefix + 30 random + base62(CRC32(random)) in 6 chars."""
    rng = random.Random(seed)
    body = "".join(rng.choice(ALNUM) for _ in range(30))
    return prefix + body + _b62(zlib.crc32(body.encode()))


def mutate(token: str, index: int) -> str:
    ch = token[index]
    return token[:index] + ("b" if ch == "a" else "a") + token[index + 1:]


def b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def macaroon(location: bytes, identifier: bytes) -> bytes:
    return (b"\x02" + b"\x01" + bytes([len(location)]) + location + b"\x02" + bytes([len(identifier)])
            + identifier + b"\x00" + b"\x00" + b"\x06\x20" + bytes(range(32)))


# -- helpers -----------------------------------------------------------------------------------

def test_base62_round_trip_and_padding():
    for n in (0, 1, 61, 62, 3843, 2**32 - 1):
        assert v.base62_decode(v.base62_encode(n)) == n
    assert v.base62_encode(61) == "z"
    assert v.base62_encode(62, 6) == "000010"
    assert v.base62_decode("ab-") is None


def test_crc32_base62_matches_an_independent_computation():
    assert v.crc32_base62("hello") == _b62(zlib.crc32(b"hello"))


# -- GitHub and npm ----------------------------------------------------------------------------

@pytest.mark.parametrize("prefix", ["ghp_", "gho_", "ghu_", "ghs_", "ghr_"])
def test_github_checksum_accepts_valid_tokens(prefix):
    for seed in range(20):
        assert v.github_checksum(crc_token(prefix, seed))


@pytest.mark.parametrize("index", [4, 20, 33, 39])
def test_github_checksum_rejects_a_changed_character(index):
    token = crc_token("ghp_", 7)
    assert not v.github_checksum(mutate(token, index))


def test_github_checksum_rejects_wrong_shape():
    token = crc_token("ghp_", 3)
    assert not v.github_checksum(token[:-1])
    assert not v.github_checksum("npm_" + token[4:])
    assert not v.github_checksum("ghp_" + "x" * 36)


def test_npm_checksum():
    for seed in range(20):
        token = crc_token("npm_", seed)
        assert v.npm_checksum(token)
        assert not v.npm_checksum(mutate(token, 10))
    assert not v.npm_checksum(crc_token("ghp_", 1))


# -- PyPI --------------------------------------------------------------------------------------

def test_pypi_macaroon_accepts_pypi_and_testpypi():
    ident = bytes(range(40, 72))
    assert v.pypi_macaroon("pypi-" + b64url(macaroon(b"pypi.org", ident)))
    assert v.pypi_macaroon("pypi-" + b64url(macaroon(b"test.pypi.org", ident)))


def test_pypi_macaroon_rejects_other_locations_and_garbage():
    ident = bytes(range(40, 72))
    assert not v.pypi_macaroon("pypi-" + b64url(macaroon(b"evil.org", ident)))
    assert not v.pypi_macaroon("pypi-" + b64url(macaroon(b"pypi.org", b"")))  # empty identifier
    assert not v.pypi_macaroon("pypi-" + b64url(b"\x01" + macaroon(b"pypi.org", ident)[1:]))  # version 1
    assert not v.pypi_macaroon("pypi-AgEIcHlwaS5vcmc")  # location only, no identifier
    assert not v.pypi_macaroon("pypi-" + "A" * 80)
    assert not v.pypi_macaroon("pypi-!!!")
    token = "pypi-" + b64url(macaroon(b"pypi.org", ident))
    assert not v.pypi_macaroon(token[:20])  # truncated inside the identifier


# -- JWT, Discord, private keys ------------------------------------------------------------------

def jwt(header: dict, payload: dict, signature: bytes = b"s" * 32) -> str:
    enc = lambda d: b64url(json.dumps(d).encode())  # noqa: E731
    return f"{enc(header)}.{enc(payload)}.{b64url(signature)}"


def test_jwt_structure():
    assert v.jwt_structure(jwt({"alg": "HS256", "typ": "JWT"}, {"sub": "svc"}))
    assert v.jwt_structure(jwt({"alg": "none"}, {"sub": "svc"}, b""))
    assert not v.jwt_structure(jwt({"typ": "JWT"}, {"sub": "svc"}))  # no alg
    assert not v.jwt_structure(jwt({"alg": "HS256"}, {"sub": "svc"}, b""))  # signed but no signature
    assert not v.jwt_structure("eyJhbGciOiJIUzI1NiJ9.eyJub3QganNvbg.c2ln")  # payload is not JSON
    assert not v.jwt_structure("a.b")


def test_discord_bot_token_first_part_is_a_user_id():
    first = b64url(b"812345678901234567")
    assert v.discord_bot_token(f"{first}.GaBcDe.{'x1' * 19}")
    assert not v.discord_bot_token(f"{b64url(b'not-a-user-id-at-all')}.GaBcDe.{'x1' * 19}")


def pem(kind: str, size: int, escaped: bool = False) -> str:
    body = base64.b64encode(bytes(random.Random(size).randrange(256) for _ in range(size))).decode()
    lines = [body[i:i + 64] for i in range(0, len(body), 64)]
    sep = "\\n" if escaped else "\n"
    return sep.join([f"-----BEGIN {kind}PRIVATE KEY-----", *lines, f"-----END {kind}PRIVATE KEY-----"])


def test_private_key_body():
    assert v.private_key_body(pem("RSA ", 600))
    assert v.private_key_body(pem("", 120, escaped=True))
    encrypted = pem("RSA ", 600).replace("-----\n", "-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00FF\n\n", 1)
    assert v.private_key_body(encrypted)
    assert not v.private_key_body("-----BEGIN RSA PRIVATE KEY-----\n...\n-----END RSA PRIVATE KEY-----")
    assert not v.private_key_body("-----BEGIN PRIVATE KEY-----\nnot base64 at all, just words here!\n"
                                  "-----END PRIVATE KEY-----")
    assert not v.private_key_body(pem("", 20))  # too short to be a key


def test_private_key_body_reads_pgp_armor():
    block = pem("PGP ", 400).replace("PRIVATE KEY-----", "PRIVATE KEY BLOCK-----")
    block = block.replace("-----\n", "-----\nVersion: GnuPG v2\nComment: build key\n\n", 1)
    block = block.replace("\n-----END", "\n=Zm9v\n-----END")
    assert v.private_key_body(block)


# -- entropy-based confidence for generic matches ----------------------------------------------

def test_strong_entropy():
    assert v.strong_entropy("q7T!v9ZxK2mP4wL8")
    assert v.strong_entropy("Xk9mP2vL")  # short but every character differs
    assert not v.strong_entropy("password12")
    assert not v.strong_entropy("Summer2024!")
    assert not v.strong_entropy("2024Winterfell")
    assert not v.strong_entropy("PassWordMustBeAtLeast6Chars.")
    assert v.strong_entropy("AKIAQ3EGRZ6VJ4WNDM5T")
    assert not v.strong_entropy("abcdefghijklmnop")  # one class only
    assert not v.strong_entropy("")


def test_every_validator_named_by_a_rule_exists():
    from sentinel_hooks.engine.rules import load_builtin_packs

    named = {r.validator for p in load_builtin_packs() for r in p.rules if r.validator}
    assert named <= set(v.REGISTRY)
    assert {"github_checksum", "npm_checksum", "pypi_macaroon"} <= named


# --- Azure connection strings and GCP service-account key files ------------------------------------

def _b64(n: int, seed: int) -> str:
    rng = random.Random(seed)
    return base64.b64encode(bytes(rng.randrange(256) for _ in range(n))).decode()


@pytest.mark.parametrize("conn", [
    f"DefaultEndpointsProtocol=https;AccountName=mcpfiles;AccountKey={_b64(64, 1)};EndpointSuffix=core.windows.net",
    f"AccountEndpoint=https://acct.documents.azure.com:443/;AccountKey={_b64(64, 2)};",
    f"Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey={_b64(32, 3)}",
    f"Endpoint=https://store.azconfig.io;Id=Ab3d-l1-s0:Qx7Lm2Vn9Tr4Wz8Kp3Ys;Secret={_b64(32, 4)}",
])
def test_azure_connection_string_accepts_each_kind(conn):
    assert v.azure_connection_string(conn)


@pytest.mark.parametrize("conn", [
    f"DefaultEndpointsProtocol=https;AccountName=mcpfiles;AccountKey={_b64(48, 1)};",  # key of the wrong size
    f"AccountKey={_b64(64, 2)};",  # no account name or endpoint
    f"Endpoint=https://ns.servicebus.windows.net/;SharedAccessKeyName=Root;SharedAccessKey={_b64(32, 3)}",  # not sb://
    f"Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKey={_b64(32, 3)}",  # no key name
    f"Endpoint=https://store.example.io;Id=x:y;Secret={_b64(32, 4)}",  # not an App Configuration endpoint
    "Endpoint=https://store.azconfig.io;Id=Ab3d-l1-s0:Qx7L;Secret=not*base64",
    "UseDevelopmentStorage=true",
])
def test_azure_connection_string_rejects_broken_fields(conn):
    assert not v.azure_connection_string(conn)


def _service_account(key_id: str = "a" * 8 + "0123456789abcdef0123456789abcdef", email: str = "mcp@demo-1.iam.gserviceaccount.com",
                     body: str = "") -> str:
    body = body or _b64(600, 9)
    pem = "-----BEGIN PRIVATE KEY-----\n" + "\n".join(body[i:i + 64] for i in range(0, len(body), 64)) + "\n-----END PRIVATE KEY-----\n"
    return json.dumps({"type": "service_account", "project_id": "demo-1", "private_key_id": key_id,
                       "private_key": pem, "client_email": email})


def test_gcp_service_account_accepts_a_key_file_plain_and_escaped():
    key_file = _service_account()
    assert v.gcp_service_account(key_file)
    assert v.gcp_service_account(json.dumps(key_file))  # pasted into a JSON string (an env value)


@pytest.mark.parametrize("key_file", [
    _service_account(key_id="not-a-key-id"),
    _service_account(email="someone@gmail.com"),
    _service_account(body="c2hvcnQ="),  # a body too short to be a key
    _service_account().replace("service_account", "authorized_user"),
])
def test_gcp_service_account_rejects_wrong_fields(key_file):
    assert not v.gcp_service_account(key_file)


@pytest.mark.parametrize("key_id, valid", [("AKIAQ3MZ7KXL2WPR5TNB", True), ("ASIAZ2Y3X4W5V6U7T2S3", True),
                                           ("AKIA1Q3MZ7KXL2WPR5TN", False), ("AKIAQ3MZ7KXL8WPR9TN0", False)])
def test_aws_key_id_alphabet_is_base32(key_id, valid):
    assert v.aws_key_id(key_id) is valid
