"""Loading YAML rule packs: pydantic validates each rule once, here, and the engine receives plain
``engine.rule.Rule`` objects (the rule-set cache, ``rule_cache.py``, skips this module entirely).
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Literal, Optional, Union

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from sentinel_hooks.engine.patterns import flag_value
from sentinel_hooks.engine.rule import Rule, RuleExamples
from sentinel_hooks.errors import ConfigError
from sentinel_hooks.findings import Confidence, Severity
from sentinel_hooks.packs import builtin_pack_files
from sentinel_hooks.records import record

RULE_ID = r"^[A-Za-z0-9][A-Za-z0-9_.-]*$"


class ExamplesSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    path: Optional[str] = None  # file name the examples are scanned as (for path-gated rules)
    match: list[str] = Field(default_factory=list)
    no_match: list[str] = Field(default_factory=list)
    base: Optional[str] = None  # the file as it was at the baseline, for rules that compare (drift)


class RuleSpec(BaseModel):
    """What a rule pack may say about a rule, validated; ``to_rule`` gives the engine's rule."""

    model_config = ConfigDict(extra="forbid", frozen=False)

    id: str = Field(pattern=RULE_ID)
    title: str = Field(min_length=1)
    severity: Severity
    confidence: Confidence
    cwe: str = Field(pattern=r"^CWE-\d+$")
    category: str = "general"
    description: str = Field(min_length=1)
    remediation: str = Field(min_length=1)
    languages: list[str] = Field(default_factory=list)
    paths: list[str] = Field(default_factory=list)
    exclude_paths: list[str] = Field(default_factory=list)
    keywords: list[str] = Field(default_factory=list)
    # every match lies within this many characters of a keyword: the regex runs only on the lines there
    keyword_reach: Optional[int] = Field(default=None, ge=1, le=1_000_000)
    regex: Optional[str] = None
    flags: list[Literal["ignorecase", "multiline", "dotall", "verbose"]] = Field(default_factory=list)
    report_group: Optional[Union[int, str]] = None
    secret: bool = False
    secret_group: Optional[Union[int, str]] = None
    entropy: Optional[float] = Field(default=None, ge=0, le=8)
    allow: list[str] = Field(default_factory=list)
    allow_line: list[str] = Field(default_factory=list)
    placeholder_filter: Optional[bool] = None
    validator: Optional[str] = None
    detector: Optional[str] = None
    options: dict[str, Any] = Field(default_factory=dict)
    tags: list[str] = Field(default_factory=list)
    examples: ExamplesSpec = Field(default_factory=ExamplesSpec)

    @field_validator("severity", mode="before")
    @classmethod
    def _severity(cls, v: Any) -> Severity:
        return Severity.parse(v)

    @field_validator("confidence", mode="before")
    @classmethod
    def _confidence(cls, v: Any) -> Confidence:
        return Confidence.parse(v)

    @field_validator("keywords")
    @classmethod
    def _keywords(cls, v: list[str]) -> list[str]:
        if any(not k for k in v):
            raise ValueError("keywords must not be empty strings")
        return [k.lower() for k in v]

    @model_validator(mode="after")
    def _check(self) -> "RuleSpec":
        if (self.regex is None) == (self.detector is None):
            raise ValueError("a rule needs exactly one of 'regex' or 'detector'")
        if self.keyword_reach is not None and not self.keywords:
            raise ValueError("'keyword_reach' needs 'keywords' to measure from")
        if self.regex is not None:
            compiled = _compile(self.regex, self.flags, "regex")
            for group in (self.secret_group, self.report_group):
                if isinstance(group, int) and group > compiled.groups:
                    raise ValueError(f"group {group} does not exist in regex")
                if isinstance(group, str) and group not in compiled.groupindex:
                    raise ValueError(f"group {group!r} does not exist in regex")
        for pat in self.allow + self.allow_line:
            _compile(pat, [], "allow pattern")
        if self.secret_group is not None:
            self.secret = True
        if self.placeholder_filter is None:
            self.placeholder_filter = self.secret
        return self

    def to_rule(self, source: str) -> Rule:
        ex = self.examples
        return Rule(
            id=self.id, title=self.title, severity=self.severity, confidence=self.confidence, cwe=self.cwe,
            description=self.description, remediation=self.remediation, category=self.category,
            languages=tuple(self.languages), paths=tuple(self.paths), exclude_paths=tuple(self.exclude_paths),
            keywords=tuple(self.keywords), keyword_reach=self.keyword_reach, regex=self.regex,
            flags=tuple(self.flags), report_group=self.report_group, secret=self.secret,
            secret_group=self.secret_group, entropy=self.entropy, allow=tuple(self.allow),
            allow_line=tuple(self.allow_line), placeholder_filter=bool(self.placeholder_filter),
            validator=self.validator, detector=self.detector, options=dict(self.options), tags=tuple(self.tags),
            examples=RuleExamples(path=ex.path, match=tuple(ex.match), no_match=tuple(ex.no_match), base=ex.base),
            source=source,
        )


def _compile(pattern: str, flags: list[str], what: str) -> re.Pattern[str]:
    try:
        return re.compile(pattern, flag_value(flags))
    except re.error as exc:
        raise ValueError(f"invalid {what} {pattern!r}: {exc}") from None


class PackSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    pack: str = Field(pattern=RULE_ID)
    description: str = ""
    rules: list[RuleSpec]


@record(frozen=True)
class RulePack:
    """A validated pack: its name, description and rules."""

    pack: str
    description: str
    rules: tuple[Rule, ...]


def _describe_validation_error(exc: ValidationError, data: Any) -> str:
    err = exc.errors()[0]
    loc = list(err.get("loc", ()))
    where = ""
    if len(loc) >= 2 and loc[0] == "rules" and isinstance(loc[1], int):
        try:
            rid = data["rules"][loc[1]].get("id", f"#{loc[1] + 1}")
        except (KeyError, IndexError, TypeError, AttributeError):
            rid = f"#{loc[1] + 1}"
        field = ".".join(str(p) for p in loc[2:]) or "rule"
        where = f"rule {rid!s}: {field}: "
    elif loc:
        where = ".".join(str(p) for p in loc) + ": "
    msg = err.get("msg", "invalid").removeprefix("Value error, ")
    return where + msg


def parse_pack(text: str, source: str) -> RulePack:
    """Validate a YAML rule pack; any problem is a ConfigError naming the file and the rule."""
    from sentinel_hooks.yaml_documents import load_without_aliases

    try:
        data = load_without_aliases(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark is not None else ""
        problem = getattr(exc, "problem", None)
        detail = f": {problem}" if problem and "alias" in problem else ""
        raise ConfigError(f"rule pack {source}: not valid YAML{where}{detail}") from None
    if not isinstance(data, dict):
        raise ConfigError(f"rule pack {source}: expected a mapping with 'pack' and 'rules'")
    try:
        spec = PackSpec.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(f"rule pack {source}: {_describe_validation_error(exc, data)}") from None
    return RulePack(spec.pack, spec.description, tuple(rule.to_rule(source) for rule in spec.rules))


def builtin_pack_names() -> list[str]:
    return [p.name for p in builtin_pack_files()]


def load_builtin_packs() -> list[RulePack]:
    return [parse_pack(p.read_text(encoding="utf-8"), f"sentinel_hooks/rules/{p.name}") for p in builtin_pack_files()]


def load_user_pack(path: Path) -> list[RulePack]:
    """A user pack file, or every *.yaml / *.yml in a folder."""
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())
        if not files:
            raise ConfigError(f"rule folder {path}: no *.yaml rule packs in it")
    elif path.exists():
        files = [path]
    else:
        raise ConfigError(f"rule pack {path}: no such file or folder")
    packs = []
    from sentinel_hooks.policy_files import read_text

    for f in files:
        try:
            text = read_text(f, "rule pack")
        except OSError as exc:
            raise ConfigError(f"rule pack {f}: cannot be read ({exc.__class__.__name__})") from None
        if text is None:
            raise ConfigError(f"rule pack {f}: no such file or folder")
        packs.append(parse_pack(text, str(f)))
    return packs


def build_ruleset(user_packs: list[Path], disabled: list[str], builtin: bool = True) -> list[Rule]:
    """Built-in rules, then user packs; ids must be unique; disabled ids are dropped.

    A user pack may not silently redefine a built-in id: that is a configuration error, so nobody
    weakens a rule by accident.
    """
    packs = load_builtin_packs() if builtin else []
    for p in user_packs:
        packs.extend(load_user_pack(p))
    return assemble_ruleset(packs, disabled)


def assemble_ruleset(packs: list[RulePack], disabled: list[str]) -> list[Rule]:
    """The rules of validated packs in order; ids must be unique; disabled ids are dropped."""
    from sentinel_hooks.engine import detectors, validators

    rules: dict[str, Rule] = {}
    for pack in packs:
        for rule in pack.rules:
            if rule.id in rules:
                raise ConfigError(
                    f"rule pack {rule.source}: rule {rule.id}: id already defined in {rules[rule.id].source}"
                )
            if rule.detector is not None and rule.detector not in detectors.REGISTRY:
                raise ConfigError(f"rule pack {rule.source}: rule {rule.id}: unknown detector {rule.detector!r}")
            if rule.validator is not None and rule.validator not in validators.REGISTRY:
                raise ConfigError(f"rule pack {rule.source}: rule {rule.id}: unknown validator {rule.validator!r}")
            rules[rule.id] = rule
    unknown = [d for d in disabled if d not in rules]
    if unknown:
        raise ConfigError(f"cannot disable unknown rule id {unknown[0]!r}")
    return [r for r in rules.values() if r.id not in set(disabled)]
