"""Statements of protection in tool metadata, told apart from instructions to the model.

"Do not include API keys in the query" and "paths like ../../etc/passwd are blocked" name the same
things an attack names, but they forbid or describe a refusal. ``is_protective(text, start, end)``
looks at the sentence that holds ``text[start:end]`` and answers True when, before the match, the
sentence negates a verb of giving or reading (``do not``/``never``/``must not``/``avoid`` … ``include``,
``send``, ``read``, ``share``, …) or when the sentence says such access is refused (``is blocked``,
``are rejected``, ``not allowed``, ``cannot access``, ``outside the allowed directories``).

Negations that urge the action instead (``do not forget to``, ``never skip``, ``don't hesitate to``)
are not protection, nor is an instruction to keep something from the user, which the hidden-
instruction signals judge on their own.
"""
from __future__ import annotations

import re

from sentinel_hooks.engine.patterns import lazy

_GIVE_OR_READ = (r"(?:include|send|pass|provide|put|share|paste|enter|add|attach|expose|reveal|disclose|leak|"
                 r"log|store|read|access|open|upload|submit|use|embed)")
_NEGATED_VERB = lazy(
    r"\b(?:do\s+not|don'?t|does\s+not|doesn'?t|never|must\s+not|mustn'?t|should\s+not|shouldn'?t|cannot|"
    r"can'?t|will\s+not|won'?t|avoid|refrain\s+from|no\s+need\s+to)\s+(?:\w+\s+){0,3}?" + _GIVE_OR_READ + r"(?:s|ing|ed)?\b",
    re.IGNORECASE)
_URGING = lazy(r"\b(?:do\s+not|don'?t|never)\s+(?:forget|fail|omit|skip|hesitate|neglect|miss)\b", re.IGNORECASE)
_REFUSED = lazy(
    r"\b(?:is|are|will\s+be|get|gets|being)\s+(?:always\s+)?(?:blocked|rejected|denied|refused|forbidden|"
    r"disallowed|prevented|prohibited|sanitized|stripped|redacted|filtered(?:\s+out)?)\b|"
    r"\bnot\s+(?:allowed|permitted|accessible|supported)\b|\bcannot\s+(?:be\s+)?(?:read|accessed|access|escape)\b|"
    r"\b(?:outside|beyond|escap\w*)\s+(?:of\s+)?(?:the\s+)?(?:allowed|permitted|configured|workspace|root|base)\b|"
    r"\b(?:protect\w*|guard\w*)\s+against\b",
    re.IGNORECASE)
_SENTENCE_END = lazy(r"[.!?;]\s|\n\s*\n|\n\s*[-*\d]")


def sentence_around(text: str, start: int, end: int) -> tuple[str, int]:
    """The sentence holding ``text[start:end]`` and the offset of ``start`` within it."""
    left = 0
    for m in _SENTENCE_END.finditer(text, 0, start):
        left = m.end()
    right_match = _SENTENCE_END.search(text, end)
    right = right_match.start() + 1 if right_match else len(text)
    return text[left:right], start - left


def is_protective(text: str, start: int, end: int) -> bool:
    sentence, offset = sentence_around(text, start, end)
    if _URGING.search(sentence):
        return False
    if any(m.start() < offset for m in _NEGATED_VERB.finditer(sentence)):
        return True
    return bool(_REFUSED.search(sentence))
