"""Provider credentials in the forms MCP servers hold them, and the other places secrets hide.

The matrix crosses every vector of ``benchmarks/_secret_vectors.py`` (values generated at run time from
each provider's published format) with the four forms: a Python assignment, the default of
``os.environ.get``, a ``.env`` line and the ``env`` block of an MCP client config. The rule the vector
names must report the line holding it, in every form.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from sentinel_hooks.engine.matcher import Engine
from sentinel_hooks.engine.rules import build_ruleset
from sentinel_hooks.engine.units import TextUnit
from sentinel_hooks.findings import Confidence

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
import _secret_vectors as sv  # noqa: E402

RULES = build_ruleset([], [])
ENGINE = Engine(RULES, inline_suppressions=False)
VECTORS = sv.vectors(seed=1505, per_spec=2)
SECRET_CATEGORIES = ("secrets", "mcp-config")


def scan(path: str, text: str) -> list:
    return [f for f in ENGINE.scan(TextUnit(path=path, text=text)) if f.category in SECRET_CATEGORIES]


def on_line(findings: list, line: int) -> list:
    return [f for f in findings if f.line <= line <= f.end_line]


@pytest.mark.parametrize("form", list(sv.FORMS))
@pytest.mark.parametrize("vector", VECTORS, ids=lambda v: f"{v.provider}")
def test_provider_rule_reports_each_form(vector, form):
    path, text, line = sv.FORMS[form](vector)
    found = on_line(scan(path, text), line)
    assert vector.rule in {f.rule_id for f in found}, (
        f"{vector.rule} missed {vector.provider} as {form}; found {[f.rule_id for f in found]}:\n{text}")


def test_every_name_anchored_rule_has_a_vector():
    keyed = {r.id for r in RULES if r.detector == "keyed_secret"}
    covered = {v.rule for v in VECTORS}
    assert keyed and not keyed - covered, f"keyed rules without a vector: {sorted(keyed - covered)}"


@pytest.mark.parametrize("form", list(sv.FORMS))
@pytest.mark.parametrize("vector", sv.placeholders(), ids=lambda v: f"{v.env}={v.value[:24]}")
def test_placeholders_are_never_reported(vector, form):
    path, text, _ = sv.FORMS[form](vector)
    assert scan(path, text) == []


# --- other contexts --------------------------------------------------------------------------------

RANDOM = "q7Rk2Lm9Vx4Tn8Wz3Pb6"


def rule_ids(path: str, text: str) -> set[str]:
    return {f.rule_id for f in scan(path, text)}


@pytest.mark.parametrize("text", [
    f'headers = {{"X-Ops-Auth": "{RANDOM}"}}',
    f'headers = {{"Authorization": "Bearer {RANDOM}"}}',
    f"session.headers.update({{'Proxy-Authorization': 'Basic {RANDOM}'}})",
])
def test_header_dicts(text):
    assert rule_ids("client.py", text) == {"secret-assignment-contexts"}


@pytest.mark.parametrize("text", [
    f'password = os.environ.get("DB_PASSWORD", "{RANDOM}")',
    f'password = os.getenv("DB_PASSWORD", default="{RANDOM}")',
    f'token = os.getenv("ACME_TOKEN") or "{RANDOM}"',
    f'os.environ.setdefault("ACME_TOKEN", "{RANDOM}")',
    f'os.environ["ACME_API_KEY"] = "{RANDOM}"',
])
def test_python_environment_defaults(text):
    assert rule_ids("server.py", text) == {"secret-assignment-contexts"}


@pytest.mark.parametrize("text", [
    f'const token = process.env.ACME_TOKEN ?? "{RANDOM}";',
    f"const token = process.env['ACME_TOKEN'] || '{RANDOM}';",
])
def test_javascript_fallbacks(text):
    assert rule_ids("server.ts", text) == {"secret-assignment-contexts"}


@pytest.mark.parametrize("path", [".env.production", ".env.local", "deploy/prod.env"])
def test_dotenv_variants(path):
    assert rule_ids(path, f"API_TOKEN={RANDOM}\n") == {"generic-secret-config"}


@pytest.mark.parametrize("path, text", [
    ("Dockerfile", f"FROM python:3.12\nENV API_TOKEN={RANDOM}\n"),
    ("Dockerfile.prod", f"FROM python:3.12\nARG DB_PASSWORD {RANDOM}\n"),
    ("docker/Dockerfile", f"FROM python:3.12\nENV LOG_LEVEL=info ACME_SECRET={RANDOM}\n"),
])
def test_dockerfile_env_and_arg(path, text):
    assert rule_ids(path, text) == {"secret-assignment-contexts"}


@pytest.mark.parametrize("text", [f"API_TOKEN := {RANDOM}\n", f"export DB_PASSWORD ?= {RANDOM}\n",
                                  f"SECRET_KEY = {RANDOM}  # prod\n"])
def test_makefiles(text):
    assert rule_ids("Makefile", "all:\n\techo ok\n" + text) == {"secret-assignment-contexts"}


def test_extension_less_shebang_script():
    text = f"#!/usr/bin/env bash\nset -e\nexport API_TOKEN={RANDOM}\ncurl -H \"x: $API_TOKEN\" acme.io\n"
    assert rule_ids("bin/deploy", text) == {"secret-assignment-contexts"}
    assert rule_ids("bin/notes", f"API_TOKEN={RANDOM}\n") == set()  # no shebang: not read as a script


def test_notebook_source_cells():
    cell = {"cell_type": "code", "metadata": {}, "outputs": [],
            "source": ["import os\n", f'DB_PASSWORD = "{RANDOM}"\n', f'key = os.getenv("ACME_TOKEN", "{RANDOM[::-1]}")\n']}
    text = json.dumps({"cells": [cell], "nbformat": 4}, indent=1)
    lines = text.splitlines()
    found = scan("analysis.ipynb", text)
    assert {f.rule_id for f in found} == {"secret-assignment-contexts"}
    assert {lines[f.line - 1].strip()[:14] for f in found} == {'"DB_PASSWORD =', '"key = os.gete'}
    assert all(RANDOM not in f.snippet for f in found)


@pytest.mark.parametrize("text", [
    f'API_TOKEN = "{RANDOM[:8]}" "{RANDOM[8:]}"',
    f'API_TOKEN = ("{RANDOM[:8]}"\n             "{RANDOM[8:]}")',
    f'API_TOKEN = "{RANDOM[:8]}" + "{RANDOM[8:]}"',
    f'secret = "".join(["{RANDOM[:6]}", "{RANDOM[6:13]}", "{RANDOM[13:]}"])',
])
def test_joined_fragments_are_one_value(text):
    found = scan("server.py", text)
    assert [f.rule_id for f in found] == ["secret-assignment-contexts"]


def test_joined_provider_token_is_one_value():
    token = sv.Gen(7).crc_token("ghp_")
    assert rule_ids("server.py", f'GH_TOKEN = "{token[:14]}" + "{token[14:]}"\n') == {"secret-assignment-contexts"}


def test_joined_placeholder_fragments_stay_quiet():
    assert rule_ids("server.py", 'API_TOKEN = "your-" "token-" "here"\n') == set()


# --- precision -------------------------------------------------------------------------------------

@pytest.mark.parametrize("path, text", [
    ("settings.py", 'SLACK_CONFIG_TOKEN = "xoxe.xoxp-1-PasteYourSlackAppConfigurationTokenFromTheAppManifestPageHere"'),
    ("settings.py", 'GOOGLE_API_KEY = "AIzaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"'),
    (".cursor/mcp.json", '{"mcpServers": {"g": {"command": "x", "env": {"GEMINI_API_KEY": "AIzaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"}}}}'),
    ("settings.py", 'GITLAB_TOKEN = "glpat-Tq3VxR8bLm2NwZ5cK"'),
    ("settings.py", 'GITLAB_TOKEN = "glpat-Tq3VxR8bLm2NwZ5cKd7HsQ2mX9"'),
    (".cursor/mcp.json", '{"mcpServers": {"c": {"command": "uvx", "args": ["acme-mcp==1.0"], "env": '
                         '{"CACHE_KEY": "9b74c9897bac770ffc029102a200c5de", '
                         '"IDEMPOTENCY_KEY": "3f2b8c1e-7d4a-4e9b-a1c6-5d8e2f7b9c0a", '
                         '"SORT_KEY": "0c3e7a1f9b2d4c6e8a0f1b3d5e7c9a2b4d6f8e0a"}}}}'),
    ("server.py", 'cache_key = os.getenv("CACHE_KEY", "5f4dcc3b5aa765d61d8327deb882cf99")'),
    ("server.py", 'idem = os.environ.get("IDEMPOTENCY_KEY", "3f2b8c1e-7d4a-4e9b-a1c6-5d8e2f7b9c0a")'),
])
def test_precision_cases_stay_quiet(path, text):
    assert scan(path, text) == []


def test_gitlab_token_of_the_documented_length_is_reported():
    assert rule_ids("settings.py", 'GITLAB_TOKEN = "glpat-Tq3VxR8bLm2NwZ5cKd7H"') == {"gitlab-pat"}


def test_firebase_web_config_key_is_reported_with_low_confidence():
    key = "AIza" + sv.Gen(3).s(sv.B64URL, 35)
    config = (f'const firebaseConfig = {{\n  apiKey: "{key}",\n  authDomain: "demo.firebaseapp.com",\n'
              f'  projectId: "demo",\n  messagingSenderId: "1234567890"\n}};\n')
    found = scan("web/firebase.js", config)
    assert [(f.rule_id, f.confidence) for f in found] == [("google-api-key", Confidence.LOW)]
    elsewhere = scan("server.py", f'GEMINI_API_KEY = "{key}"\n')
    assert [(f.rule_id, f.confidence) for f in elsewhere] == [("google-api-key", Confidence.HIGH)]


@pytest.mark.parametrize("key_id", ["AKIAZTODOQ4MPL7RWXE3", "AKIA2FIXMEK3HQ5LNW7P", "AKIAQ3SAMPLEB4N7KWZ2"])
def test_lone_aws_key_ids_are_not_taken_for_placeholders(key_id):
    assert rule_ids("notes.txt", key_id + "\n") == {"aws-access-key-id"}
    assert rule_ids("notes.txt", "AKIAIOSFODNN7EXAMPLE\n") == set()


@pytest.mark.parametrize("path, text", [
    ("server.py", f'ACME_KEY = "{RANDOM}"\n'),
    ("server.ts", f'const acmeKey = "{RANDOM}";\n'),
    (".env", f"ACME_KEY={RANDOM}\n"),
    ("config.yaml", f"acme:\n  license_key: {RANDOM}\n"),
])
def test_a_provider_key_under_a_plain_key_name(path, text):
    assert rule_ids(path, text) == {"secret-assignment-contexts"}


@pytest.mark.parametrize("text", [
    'CACHE_KEY = "a1b2c3d4e5f60718aa"\n',
    'REQUEST_KEY = "3f2b8c1e-7d4a-4e9b-a1c6-5d8e2f7b9c0a"\n',
    'signing_key = "a-string-secret-at-least-256-bits-long"\n',
    'sort_key = "created_at_desc_v2"\n',
    'public_key = "q7Rk2Lm9Vx4Tn8Wz3Pb6"\n',
    'ACME_KEY = "short1A"\n',
    'FINGERPRINT_KEY = "mcpSentinel/v1"\n',
])
def test_plain_key_names_need_a_machine_made_value(text):
    assert rule_ids("server.py", text) == set()


@pytest.mark.parametrize("name", ["ANALYTICS_WRITE_KEY", "SEGMENT_WRITE_KEY", "mixpanelToken", "POSTHOG_API_KEY"])
def test_analytics_write_keys_are_public_by_design(name):
    assert rule_ids("lib/config.ts", f'export const {name} = process.env.{name} ?? "{RANDOM}";') == set()


@pytest.mark.parametrize("name", ["ANALYTICS_API_SECRET", "MIXPANEL_SECRET", "POSTHOG_PERSONAL_API_KEY"])
def test_analytics_secrets_are_still_reported(name):
    assert rule_ids("lib/config.ts", f'export const {name} = process.env.{name} ?? "{RANDOM}";') == \
        {"secret-assignment-contexts"}
