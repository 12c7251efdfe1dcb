"""Filters applied to candidate secrets: entropy, placeholders, test paths."""
from __future__ import annotations

import math

import pytest

from sentinel_hooks.engine.filters import is_placeholder, is_test_path, shannon_entropy


def test_shannon_entropy():
    assert shannon_entropy("") == 0.0
    assert shannon_entropy("aaaa") == 0.0
    assert shannon_entropy("ab") == pytest.approx(1.0)
    assert shannon_entropy("0123456789abcdef") == pytest.approx(4.0)
    assert shannon_entropy("aab") == pytest.approx(-(2 / 3) * math.log2(2 / 3) - (1 / 3) * math.log2(1 / 3))


@pytest.mark.parametrize("value", [
    "${OPENAI_API_KEY}", "$OPENAI_API_KEY", "$(cat /run/secrets/token)", "{{ .Values.token }}",
    "{% raw %}", "<your-key>", "<API_TOKEN>", "%(password)s", "%DB_PASSWORD%", "@TOKEN@",
    "#{vault_token}", "__API_KEY__", "{api_key}",
    "xxxxxxxxxxxxxxxx", "XXXXXXXXXXXX", "********", "sk-proj-...", "changeme", "change-me",
    "replace_with_your_key", "your-openai-api-key", "YOUR_API_KEY", "my_secret_token", "example-token-value",
    "sample", "dummy-password", "placeholder", "REDACTED", "insert_key_here", "TODO", "not-a-real-token",
    "fake", "test_token", "password", "None", "null", "undefined", "string", "000000000000",
    "abcdef", "aaaaaaaa", "process.env.API_KEY", "os.environ['TOKEN']", "os.getenv('TOKEN')",
    "import.meta.env.VITE_KEY", "settings.SECRET_KEY", "secrets.GITHUB_TOKEN", "ENV['TOKEN']",
    "", "''",
])
def test_placeholders(value):
    assert is_placeholder(value)


@pytest.mark.parametrize("value", [
    "q7T!v9ZxK2mP4wL8", "ghp_R7n2Vq9XkLm4Tz8Wc1Ya6Bd3Fe5Gh0Jk2Pq7", "hunter2-Battery", "Kp9#mW2$vL",
    "AKIAQ3EGRZ6VJ4WNDM5T", "sk_live_51HbX9kQ2mZpR4tY",
])
def test_real_looking_values_are_not_placeholders(value):
    assert not is_placeholder(value)


@pytest.mark.parametrize("path", [
    "tests/test_auth.py", "test/fixtures/creds.json", "pkg/__tests__/client.ts", "src/client.test.ts",
    "src/client.spec.js", "internal/server_test.go", "testdata/config.yaml", "spec/auth_spec.rb",
    "a/b/fixtures/keys.pem", "__mocks__/api.js", "mocks/server.py", "test_config.py",
])
def test_test_paths(path):
    assert is_test_path(path)


@pytest.mark.parametrize("path", [
    "src/config.py", "server/index.ts", ".env", "deploy/settings.yaml", "latest/config.py",
    "contest/app.py", "src/attestation.py",
])
def test_non_test_paths(path):
    assert not is_test_path(path)


@pytest.mark.parametrize("value", ["AIzaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "sk-ZZZZZZZZZZZZZZZZ", "!!!invalid-base64!!!",
                                   "an-invalid-key"])
def test_masks_runs_and_marked_test_values_are_placeholders(value):
    assert is_placeholder(value)


@pytest.mark.parametrize("value", ["q7Rk2Lm9Vx4Tn8Wz3Pb6", "tokenizer-9f3Kq2"])
def test_random_values_with_word_fragments_are_not_placeholders(value):
    assert not is_placeholder(value)
