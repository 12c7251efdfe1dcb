"""A notes database for an assistant, with a cache and a model-backed summariser."""
from __future__ import annotations

import json
import pickle
import sqlite3
from pathlib import Path

import torch
import yaml
from mcp.server.fastmcp import FastMCP
from sqlalchemy import create_engine, text

mcp = FastMCP("notes")
DB_PATH = Path.home() / ".notes" / "notes.db"
engine = create_engine(f"sqlite:///{DB_PATH}")
CACHE = Path.home() / ".notes" / "cache.pkl"


def connect() -> sqlite3.Connection:
    conn = sqlite3.connect(DB_PATH)
    conn.execute("CREATE TABLE IF NOT EXISTS notes (id INTEGER PRIMARY KEY, title TEXT, body TEXT, tag TEXT)")  # ok: python-sql-injection
    return conn


@mcp.tool()
def search_notes(query: str, tag: str = "") -> list[dict]:
    """Full-text search over the notes."""
    conn = connect()
    sql = f"SELECT id, title FROM notes WHERE body LIKE '%{query}%'"
    rows = conn.execute(sql).fetchall()  # expect: python-sql-injection
    if tag:
        rows += conn.execute("SELECT id, title FROM notes WHERE tag = '" + tag + "'").fetchall()  # expect: python-sql-injection
    return [{"id": r[0], "title": r[1]} for r in rows]


@mcp.tool()
def notes_by_tag(tag: str) -> list[dict]:
    """Notes with a tag (parameterised)."""
    conn = connect()
    rows = conn.execute("SELECT id, title FROM notes WHERE tag = ?", (tag,)).fetchall()  # ok: python-sql-injection
    return [{"id": r[0], "title": r[1]} for r in rows]


@mcp.tool()
def notes_by_ids(ids: list[int]) -> list[dict]:
    """Several notes at once."""
    conn = connect()
    placeholders = ", ".join("?" for _ in ids)
    rows = conn.execute(f"SELECT id, title FROM notes WHERE id IN ({placeholders})", ids).fetchall()  # ok: python-sql-injection
    return [{"id": r[0], "title": r[1]} for r in rows]


@mcp.tool()
def count_by_author(author: str) -> int:
    """How many notes an author wrote (SQLAlchemy)."""
    with engine.connect() as db:
        return db.execute(text(f"SELECT count(*) FROM notes WHERE author = '{author}'")).scalar()  # expect: python-sql-injection


@mcp.tool()
def import_notes(payload: str) -> int:
    """Import notes exported by another instance."""
    notes = pickle.loads(bytes.fromhex(payload))  # expect: python-unsafe-deserialization
    return len(notes)


@mcp.tool()
def import_settings(document: str) -> dict:
    """Import settings written as YAML."""
    return yaml.load(document, Loader=yaml.Loader)  # expect: python-unsafe-deserialization


def read_settings(path: Path) -> dict:
    with path.open() as fh:
        return yaml.load(fh, Loader=yaml.SafeLoader)  # ok: python-unsafe-deserialization


def read_export(path: Path) -> list:
    return json.loads(path.read_text())  # ok: python-unsafe-deserialization


def snapshot(notes: list) -> list:
    return pickle.loads(pickle.dumps(notes))  # ok: python-unsafe-deserialization


def load_summariser(checkpoint: str):
    return torch.load(checkpoint, map_location="cpu")  # expect: python-torch-load-unsafe


def load_legacy_summariser(checkpoint: str):
    return torch.load(checkpoint, weights_only=False)  # expect: python-torch-load-unsafe


def load_weights(checkpoint: str):
    return torch.load(checkpoint, map_location="cpu", weights_only=True)  # ok: python-torch-load-unsafe


def load_tokenizer(checkpoint: str):
    return torch.load(checkpoint, weights_only=True)  # ok: python-torch-load-unsafe
