"""Where credentials live on disk: the one list of credential stores the Python checks look for in path text.

Each store is a regular expression for the path as written after a path separator, ``~`` or the start of
the text (``~/.ssh/id_rsa``; ``Path.home() / ".aws" / "credentials"`` read as ``.aws/credentials``), in
any case. Two named sets are built from the one list:

* ``CREDENTIAL_FILE``: the files in which a command-line tool or library keeps its credentials
  (``python-tool-returns-secrets``: a tool that returns one hands the secrets to the model);
* ``CREDENTIAL_PATH``: those and the other stores of the machine's user (key folders, keychains, browser
  logins, wallets), for the "secret data" label of the taint analysis and of the exfiltration checks.

``CREDENTIAL_TEXT`` adds the ``security`` command's keychain reads, which name no path.
"""
from __future__ import annotations

from typing import Iterable

from sentinel_hooks.engine.patterns import LazyPattern, lazy

# files in which a command-line tool or library keeps its credentials
CREDENTIAL_FILES: dict[str, str] = {
    "ssh folder": r"\.ssh(?:[/\\]|$)",
    "ssh private keys": r"(?:[\w.-]*[_.-])?id_(?:rsa|dsa|ecdsa|ed25519)(?:_sk)?\b",  # deploy_id_rsa, not kid_rsa
    "aws": r"\.aws[/\\](?:credentials|config|(?:sso|cli|login)[/\\]cache)\b",  # keys, profiles, token caches
    "kubernetes": r"\.kube[/\\]config\b",
    "docker": r"\.docker[/\\]config\.json\b",
    "netrc": r"\.netrc\b",
    "postgresql": r"\.pgpass\b",
    "git": r"\.git-credentials\b",
    "npm": r"\.npmrc\b",
    "pypi": r"\.pypirc\b",
    "dotenv": r"\.env(?:\.[\w.-]+)?$",
}
# the other stores of the machine's user
USER_STORES: dict[str, str] = {
    "gcloud folder": r"\.config[/\\]gcloud(?:[/\\]|$)",
    "gnupg folder": r"\.gnupg(?:[/\\]|$)",
    "google credentials": r"[\w.-]*credentials\.json\b",
    "keychains": r"[\w.-]*keychains?\b",
    "browser logins": r"login data$",
    "wallets": r"wallet\.dat\b",
}
# macOS keychain reads through the ``security`` command: a secret read named by its arguments, not a path
KEYCHAIN_COMMANDS = r"\bfind-(?:generic|internet)-password\b"


def _stores(patterns: Iterable[str]) -> str:
    return r"(?i)(?:^|[/\\~])(?:" + "|".join(patterns) + ")"


CREDENTIAL_FILE: LazyPattern = lazy(_stores(CREDENTIAL_FILES.values()))
CREDENTIAL_PATH: LazyPattern = lazy(_stores([*CREDENTIAL_FILES.values(), *USER_STORES.values()]))
CREDENTIAL_TEXT: LazyPattern = lazy(f"{CREDENTIAL_PATH.pattern}|{KEYCHAIN_COMMANDS}")
