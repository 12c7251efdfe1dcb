"""A rule as the engine runs it: one plain, typed, immutable object, whatever loaded it.

The rule packs are validated once, at load time (``engine/rules.py``, pydantic), and the validated
rule set is cached as JSON (``rule_cache.py``); both produce this type, and so do tests. A rule is
data: id, title, severity, confidence, CWE, texts, where it applies, keywords for the prefilter, and
either a ``regex`` or the name of a structure-aware ``detector``. Its patterns compile on first use.
"""
from __future__ import annotations

from typing import Any, Optional, Union

from sentinel_hooks.engine.patterns import LazyPattern, flag_value
from sentinel_hooks.findings import Confidence, Severity
from sentinel_hooks.records import asdict, field, record

Group = Union[int, str, None]


@record(frozen=True)
class RuleExamples:
    """Texts a rule must match and must not match, proved by tests/engine/test_rule_examples.py."""

    path: Optional[str] = None  # file name the examples are scanned as (for path-gated rules)
    match: tuple[str, ...] = ()
    no_match: tuple[str, ...] = ()
    base: Optional[str] = None  # the file as it was at the baseline, for rules that compare (drift)


@record(frozen=True)
class Rule:
    id: str
    title: str
    severity: Severity
    confidence: Confidence
    cwe: str
    description: str
    remediation: str
    category: str = "general"
    languages: tuple[str, ...] = ()
    paths: tuple[str, ...] = ()
    exclude_paths: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()  # lower case
    keyword_reach: Optional[int] = None  # every match lies within this many characters of a keyword
    regex: Optional[str] = None
    flags: tuple[str, ...] = ()  # names of patterns.FLAG_NAMES
    report_group: Group = None
    secret: bool = False
    secret_group: Group = None
    entropy: Optional[float] = None
    allow: tuple[str, ...] = ()
    allow_line: tuple[str, ...] = ()
    placeholder_filter: bool = False
    validator: Optional[str] = None
    detector: Optional[str] = None
    options: dict[str, Any] = field(default_factory=dict)  # read-only by convention: detector options
    tags: tuple[str, ...] = ()
    examples: RuleExamples = field(default_factory=RuleExamples)
    source: str = "<builtin>"

    # -- patterns, compiled on first use (kept out of the fields: they are derived) -------------------
    @property
    def compiled(self) -> Optional[LazyPattern]:
        cache = self.__dict__
        if "_compiled" not in cache:
            cache["_compiled"] = None if self.regex is None else LazyPattern(self.regex, flag_value(self.flags))
        return cache["_compiled"]

    @property
    def compiled_allow(self) -> tuple[LazyPattern, ...]:
        cache = self.__dict__
        if "_allow" not in cache:
            cache["_allow"] = tuple(LazyPattern(p) for p in self.allow)
        return cache["_allow"]

    @property
    def compiled_allow_line(self) -> tuple[LazyPattern, ...]:
        cache = self.__dict__
        if "_allow_line" not in cache:
            cache["_allow_line"] = tuple(LazyPattern(p) for p in self.allow_line)
        return cache["_allow_line"]

    @property
    def cwe_number(self) -> int:
        return int(self.cwe.split("-", 1)[1])

    def __getstate__(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if not k.startswith("_")}  # patterns recompile

    # -- the rule-set cache's JSON form ---------------------------------------------------------------
    def to_data(self) -> dict[str, Any]:
        data = asdict(self)
        data["severity"], data["confidence"] = self.severity.name.lower(), self.confidence.name.lower()
        return data

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> Rule:
        values = dict(data)
        values["severity"] = Severity.parse(values["severity"])
        values["confidence"] = Confidence.parse(values["confidence"])
        for name in ("languages", "paths", "exclude_paths", "keywords", "flags", "allow", "allow_line", "tags"):
            values[name] = tuple(values.get(name, ()))
        examples = dict(values.get("examples") or {})
        values["examples"] = RuleExamples(path=examples.get("path"), match=tuple(examples.get("match", ())),
                                          no_match=tuple(examples.get("no_match", ())), base=examples.get("base"))
        return cls(**values)


Rule.__hash__ = lambda self: hash(self.id)  # type: ignore[method-assign]  # a rule is known by its id
