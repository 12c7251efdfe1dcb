"""Small, separately testable filters used on candidate secrets: entropy and placeholders."""
from __future__ import annotations

import math
import re
from collections import Counter

from sentinel_hooks.engine.patterns import lazy


def shannon_entropy(value: str) -> float:
    """Bits per character of ``value`` (0 for an empty string)."""
    if not value:
        return 0.0
    counts = Counter(value)
    n = len(value)
    return -sum(c / n * math.log2(c / n) for c in counts.values())


_PLACEHOLDER_WORDS = lazy(
    r"(?i)(?:change[_-]?me|changeit|replace[_-]?(?:me|with)|your[_-]?[a-z0-9_-]{0,24}?(?:key|token|secret|password|pass|pat)|"
    r"(?:^|[^a-z])my[_-]?(?:api[_-]?)?(?:key|token|secret|password)|enter[_-]?(?:your|a|the)|"
    r"example|sample|dummy|placeholder|redacted|insert[_-]?(?:key|token|here|your)|fixme|todo|"
    r"(?:^|[^a-z])(?:fake|invalid)(?:[^a-z]|$)|not[_-]?a[_-]?real|test[_-]?(?:key|token|secret|password)|"
    r"^(?:password|secret|token|apikey|api_key|passwd|pass|none|null|nil|undefined|true|false|"
    r"required|optional|string|hidden|default|empty|unset|tbd|n/a)$)"
)
_TEMPLATE = lazy(
    r"\$\{[^}]*\}|\$\([^)]*\)|\{\{.*?\}\}|\{%.*?%\}|<[A-Za-z0-9_ .-]+>|%\([a-z_]+\)s|^\$[A-Z_][A-Z0-9_]*$|"
    r"^%[A-Z_][A-Z0-9_]*%$|^@[A-Za-z_.]+@$|^\$[A-Za-z_0-9{(]|^#\{|^%\{|^\{[A-Za-z_]\w*\}$|^__[A-Z_]+__$"
)
_CODE_REFERENCE = lazy(
    r"(?:process\.env|import\.meta\.env|os\.environ|os\.getenv|getenv\(|environ\[|env\(|env\.|config\[|"
    r"settings\.|secrets\.|vault\.|ENV\[|System\.getenv)",
    re.I,
)
_MASKED = lazy(r"(?:x{4,}|X{4,}|\*{3,}|\.{3,}|#{4,}|•{3,}|!{3,}|0{8,}|1234567|abcdef(?:gh)?(?:123)?$|(.)\1{7,})")


def is_placeholder(value: str) -> bool:
    """True for values that are obviously not real secrets: templates, masks, examples."""
    v = value.strip().strip("'\"`")
    if not v:
        return True
    if _TEMPLATE.search(v) or _CODE_REFERENCE.search(v) or _MASKED.search(v):
        return True
    if _PLACEHOLDER_WORDS.search(v):
        return True
    if len(set(v)) <= 2:
        return True
    return False


_TEST_PATH = lazy(r"(?i)(?:^|/)(?:tests?|__tests__|spec|fixtures?|testdata|__mocks__|mocks?)(?:/|$)|"
                  r"(?:^|/)test_[^/]*$|_test\.[a-z]+$|\.(?:test|spec)\.[a-z]+$")


def is_test_path(path: str) -> bool:
    return bool(_TEST_PATH.search(path))
