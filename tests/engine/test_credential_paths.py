"""The one list of credential stores and the named sets the Python checks take from it."""
from __future__ import annotations

import pytest

from sentinel_hooks.engine.credential_paths import CREDENTIAL_FILE, CREDENTIAL_PATH, CREDENTIAL_TEXT
from sentinel_hooks.engine.detectors import python_outbound, python_tool_exposure
from sentinel_hooks.engine import python_sources

TOOL_FILES = ["~/.ssh/id_rsa", "/home/me/.ssh/config", "C:\\Users\\me\\.ssh\\id_ed25519", "keys/deploy_id_rsa",
              "id_ecdsa_sk", "~/.aws/credentials", "~/.aws/sso/cache/token.json", "~/.kube/config",
              "~/.docker/config.json", "~/.netrc", "~/.pgpass", "~/.git-credentials", "~/.npmrc", "~/.pypirc",
              ".env", "/srv/app/.env.production", "~/.SSH/ID_RSA"]
USER_STORES = ["~/.config/gcloud/application_default_credentials.json", "~/.gnupg/private-keys-v1.d/k.key",
               "service-credentials.json", "~/Library/Keychains/login.keychain-db",
               "Chrome/Default/Login Data", "~/.bitcoin/wallet.dat"]
NOT_CREDENTIALS = ["config.yaml", "~/.aws/models/s3.json", ".env/bin/activate", "decipher_kid_rsa", "valid_rsa",
                   "SecKeychainAttribute", "~/.kube/cache/discovery", "environment.py"]


@pytest.mark.parametrize("path", TOOL_FILES)
def test_credential_files_are_in_every_set(path):
    assert CREDENTIAL_FILE.search(path) and CREDENTIAL_PATH.search(path) and CREDENTIAL_TEXT.search(path)


@pytest.mark.parametrize("path", USER_STORES)
def test_other_stores_of_the_user_are_secret_data_but_not_a_tool_credential_file(path):
    assert CREDENTIAL_PATH.search(path) and CREDENTIAL_TEXT.search(path)
    assert not CREDENTIAL_FILE.search(path)


@pytest.mark.parametrize("text", NOT_CREDENTIALS)
def test_paths_that_only_resemble_a_store_are_in_no_set(text):
    assert not CREDENTIAL_TEXT.search(text)


def test_keychain_commands_name_no_path_and_count_only_as_text():
    args = "security find-generic-password -s github -w"
    assert CREDENTIAL_TEXT.search(args) and not CREDENTIAL_PATH.search(args)


def test_the_python_checks_take_their_sets_from_the_one_list():
    assert python_sources.CREDENTIAL_PATH is CREDENTIAL_PATH
    assert python_tool_exposure.CREDENTIAL_FILE is CREDENTIAL_FILE
    assert python_outbound.CREDENTIAL_TEXT is CREDENTIAL_TEXT
