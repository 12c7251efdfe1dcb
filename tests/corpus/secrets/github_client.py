"""A small GitHub client of an MCP server."""
import os

import httpx

GITHUB_TOKEN = "ghp_R7n2Vq9XkLm4Tz8Wc1Ya6Bd3Fe5Gh0Jk2Pq7"  # expect: github-pat-classic
FALLBACK = "ghs_Zb5Qw8Er2Ty6Ui0Op4As7Df1Gh3Jk9Lz5Xc2"  # expect: github-pat-classic
DOCS_TOKEN = "ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"  # ok: github-pat-classic
ENV_TOKEN = os.environ.get("GITHUB_TOKEN", "ghp_<your-token-here>")  # ok: github-pat-classic


def client() -> httpx.Client:
    return httpx.Client(headers={"Authorization": f"Bearer {GITHUB_TOKEN}"})
