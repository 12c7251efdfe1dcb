"""Offline checks of token formats that carry a checksum, and other per-secret validators.

A validator is ``(secret: str) -> bool``; a rule names it with ``validator: name``. A token that
fails its checksum is still reported, with LOW confidence, since it may be a mangled real token.
"""
from __future__ import annotations

from typing import Callable

Validator = Callable[[str], bool]
REGISTRY: dict[str, Validator] = {}


def validator(name: str) -> Callable[[Validator], Validator]:
    def register(fn: Validator) -> Validator:
        REGISTRY[name] = fn
        return fn

    return register
