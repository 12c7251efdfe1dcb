"""Run rules over a text unit: path/language selection, keyword prefilter, regex or detector,
secret filters, changed-line filtering, inline suppression, and the making of findings."""
from __future__ import annotations

import fnmatch
import re
from collections import defaultdict
from typing import TYPE_CHECKING, Iterable, Iterator, Optional

from sentinel_hooks.engine import code_context, detectors, validators
from sentinel_hooks.engine.filters import is_placeholder, is_test_path, shannon_entropy
from sentinel_hooks.engine.hits import Hit
from sentinel_hooks.engine.keyword_positions import SHARED as KEYWORD_POSITIONS
from sentinel_hooks.engine.languages import language_aliases, language_of
from sentinel_hooks.engine.literal_automaton import DFA_AFTER_CHARS, LiteralAutomaton
from sentinel_hooks.engine.text_gate import keyword_windows
from sentinel_hooks.engine.units import NOT_ANALYSED, SELECTED_DETECTORS, TextUnit
from sentinel_hooks.findings import Confidence, Finding, content_hash, redact_text
from sentinel_hooks.globs import compile_globs
from sentinel_hooks.inline_suppressions import suppressed_in_comments
from sentinel_hooks.policy_changes import INLINE_ADDED, INLINE_LINE

if TYPE_CHECKING:
    from sentinel_hooks.engine.rule import Rule

SNIPPET_WIDTH = 160


def _last_segment_test(patterns: tuple[str, ...]):
    """A cheap test on a file's base name that every match of ``patterns`` passes, or None.

    A gitwildmatch pattern's last segment (without ``**`` or brackets) must match the base name, so a
    path whose name fits none of them cannot match and the glob engine is not consulted.
    """
    segments = []
    for p in patterns:
        last = p.rstrip("/").rsplit("/", 1)[-1]
        if p.startswith("!") or p.endswith("/") or "**" in last or any(c in last for c in "[]\\"):
            return None
        segments.append(last)
    if not segments:
        return None
    return _NameTest(segments)


class _NameTest:
    """``any(fnmatchcase(name, seg) for seg in segments)`` as one regex (``fnmatch.translate`` anchors
    each at the end), compiled on first use: a hook run that meets few scopes compiles few."""

    def __init__(self, segments: list[str]):
        self._segments = segments
        self._match = None

    def __call__(self, name: str) -> bool:
        if self._match is None:
            self._match = re.compile("|".join(f"(?:{fnmatch.translate(seg)})" for seg in self._segments)).match
        return self._match(name) is not None


class _Globs:
    """Path globs that compile on first need, after a base-name test, so a scan whose files none of
    them can match never loads the glob engine."""

    def __init__(self, patterns: tuple[str, ...]):
        self.patterns = patterns
        self._spec = None
        self._name_test = _last_segment_test(patterns)

    def match(self, path: str) -> bool:
        if not self.patterns:
            return False
        if self._name_test is not None and not self._name_test(path.rsplit("/", 1)[-1]):
            return False
        if self._spec is None:
            self._spec = compile_globs(list(self.patterns))
        return self._spec.match_file(path)


class _Scope:
    """Where a group of rules applies: languages and path globs (shared by many rules)."""

    def __init__(self, languages: tuple[str, ...], paths: tuple[str, ...], excludes: tuple[str, ...]):
        self.languages = set(languages)
        self.paths = _Globs(paths)
        self.excludes = _Globs(excludes)

    def applies(self, path: str, langs: set[str]) -> bool:
        if self.excludes.match(path):
            return False
        if not self.languages and not self.paths.patterns:
            return True
        if self.languages and self.languages & langs:
            return True
        return self.paths.match(path)


class KeywordIndex:
    """Finds which of many keywords occur in a text in one pass (``literal_automaton``).

    Keywords outside ASCII (single look-alike letters, invisible and tag characters) are kept apart:
    most source files are ASCII and cannot hold them, and a file that can is checked with one set
    intersection of its characters.
    """

    DFA_AFTER_CHARS = DFA_AFTER_CHARS

    def __init__(self, keywords: list[str]):
        self.keywords = keywords
        self._ascii = [kw for kw in keywords if kw.isascii()]
        self._chars = frozenset(kw for kw in keywords if not kw.isascii() and len(kw) == 1)
        self._wide = [kw for kw in keywords if not kw.isascii() and len(kw) > 1]
        self._automaton = LiteralAutomaton(self._ascii, self.DFA_AFTER_CHARS)

    def present(self, lowered: str) -> set[str]:
        matches = self._automaton.find(lowered)
        found = {kw for kw in self._ascii if kw in lowered} if matches is None else set(matches)
        if not lowered.isascii():
            if self._chars:
                found |= self._chars.intersection(_non_ascii(lowered))
            found.update(kw for kw in self._wide if kw in lowered)
        return found


_ASCII_BYTES = bytes(range(128))


def _non_ascii(text: str) -> str:
    """The characters of ``text`` outside ASCII, in order (UTF-8 encodes them with bytes >= 0x80 only,
    so dropping the ASCII bytes leaves exactly their encodings): set operations then walk those few
    characters instead of every character of a mostly-ASCII file."""
    return text.encode("utf-8", "surrogatepass").translate(None, _ASCII_BYTES).decode("utf-8", "surrogatepass")


class _RuleSelection:
    """Rules in their order, with the keywords that select each: ``select`` keeps those without
    keywords and those with one of the keywords a text holds, looking up only the keywords found."""

    def __init__(self, rules: list[Rule]):
        self.rules = rules
        self._always = [i for i, r in enumerate(rules) if not r.keywords]
        self._by_keyword: dict[str, list[int]] = defaultdict(list)
        for i, r in enumerate(rules):
            for keyword in set(r.keywords):
                self._by_keyword[keyword].append(i)

    def select(self, present: set[str]) -> list[Rule]:
        chosen = set(self._always)
        for keyword in present:
            chosen.update(self._by_keyword.get(keyword, ()))
        return [self.rules[i] for i in sorted(chosen)]


# Validators that prove a token is a provider's own (checksum or binary structure), not a look-alike.
PROVIDER_TOKEN_CHECKS = frozenset({"github_checksum", "npm_checksum", "pypi_macaroon", "discord_bot_token"})


class Engine:
    """A compiled rule set. ``scan(unit)`` returns the findings of every rule on that unit."""

    def __init__(self, rules: list[Rule], *, redact: bool = True, inline_suppressions: bool = True):
        self.rules = rules
        self.by_id = {r.id: r for r in rules}
        self.redact = redact
        self.inline_suppressions = inline_suppressions
        groups: dict[tuple, list[Rule]] = defaultdict(list)
        for r in rules:
            groups[(tuple(sorted(r.languages)), tuple(r.paths), tuple(r.exclude_paths))].append(r)
        self._scopes = [(_Scope(*key), members) for key, members in groups.items()]
        self._path_cache: dict[str, tuple[int, ...]] = {}  # path -> the scopes that apply to it
        self._selections: dict[tuple, _RuleSelection] = {}
        self._keywords = KeywordIndex(sorted({k for r in rules for k in r.keywords}))
        # the rules that search near their keywords take the keywords' offsets from one reading of the text
        KEYWORD_POSITIONS.add(k for r in rules if getattr(r, "keyword_reach", None) for k in r.keywords)

    # -- selection -------------------------------------------------------------------------
    def rules_for(self, path: str) -> list[Rule]:
        return self._selection(path, None).rules

    def _selection(self, path: str, categories: Optional[frozenset[str]]) -> "_RuleSelection":
        """The rules for ``path`` (of ``categories``; None: all), shared by every path the same scopes
        apply to."""
        scopes = self._path_cache.get(path)
        if scopes is None:
            lang = language_of(path)
            langs = language_aliases(lang) if lang else set()
            scopes = tuple(i for i, (scope, _) in enumerate(self._scopes) if scope.applies(path, langs))
            if len(self._path_cache) < 100_000:
                self._path_cache[path] = scopes
        selection = self._selections.get((scopes, categories))
        if selection is None:
            selection = self._selections[(scopes, categories)] = _RuleSelection(
                [r for i in scopes for r in self._scopes[i][1] if categories is None or r.category in categories])
        return selection

    # -- scanning --------------------------------------------------------------------------
    def scan(self, unit: TextUnit) -> list[Finding]:
        try:
            return self._scan(unit)
        finally:
            KEYWORD_POSITIONS.forget()

    def _scan(self, unit: TextUnit) -> list[Finding]:
        selection = self._selection(unit.path, unit.categories)
        if not selection.rules or not unit.text:
            return []
        # the first window of a diff also reports what other changed modules wrote into the file (tool
        # descriptions imported from there), wherever it is: its rules' keywords are looked for in the file
        wide = unit.is_window and unit.file().may_adopt(unit.first_line)
        rules = selection.select(self._keywords.present(unit.full_lowered() if wide else unit.lowered()))
        if not unit.is_window and not unit.partial:
            # whole-file checks need not prepare for checks that will not run on this file
            unit.memo[SELECTED_DETECTORS] = frozenset(r.detector for r in rules if r.detector)
        findings: list[Finding] = []
        for rule in rules:
            hits = self._regex_hits(unit, rule) if rule.compiled is not None else self._detector_hits(unit, rule)
            for hit in hits:
                # detectors may parse the whole file; a window reports only what overlaps it, when the
                # change touches the hit or the data flow that leads to it, or the other module whose
                # text it reports (a hit outside every window then goes to the file's first window)
                text_changed = hit.text_from is not None and unit.file().text_changed(hit.text_from)
                covered = unit.covers(hit.line, hit.end_line)
                if not (covered or (text_changed and unit.file().adopts(unit.first_line, hit.line, hit.end_line))):
                    continue
                if not (text_changed or unit.touches_change(hit.line, hit.end_line)
                        or (hit.flow is not None and unit.file().flow_touched(hit.flow))):
                    continue
                findings.append(self._finding(unit if covered else _whole_file_view(unit), rule, hit))
        if findings:
            context = code_context.classify(unit.path, unit.text if unit.partial else unit.full_text())
            for f in findings:
                f.context = context
        return _drop_shadowed(findings, self.by_id)

    @staticmethod
    def not_analysed(unit: TextUnit) -> Optional[str]:
        """Why a structure-aware check could not analyse the unit's file (after ``scan``), or None."""
        if unit.analysis is None:
            return None
        return unit.analysis.memo.get(NOT_ANALYSED)

    @staticmethod
    def _detector_hits(unit: TextUnit, rule: Rule) -> Iterable[Hit]:
        """A whole-file detector runs once per file: the windows of a diff scan share its hits."""
        detect = detectors.get(rule.detector)
        if not unit.is_window or rule.detector in detectors.WINDOW_DETECTORS:
            return detect(unit, rule)
        key = ("detector hits", rule.id)
        memo = unit.memo
        if key not in memo:
            memo[key] = list(detect(unit, rule))
        return memo[key]

    def _regex_hits(self, unit: TextUnit, rule: Rule) -> Iterable[Hit]:
        text = unit.text
        for m in _matches(rule, text, unit.lowered()):
            if m.end() == m.start():
                continue
            secret = None
            if rule.secret:
                group = rule.secret_group if rule.secret_group is not None else 0
                secret = m.group(group)
                if not secret:
                    continue
            span_group = rule.report_group if rule.report_group is not None else (
                rule.secret_group if rule.secret_group is not None else 0)
            start, end = m.span(span_group)
            if start < 0:
                start, end = m.span(0)
            candidate = secret if secret is not None else m.group(0)
            if any(a.search(candidate) for a in rule.compiled_allow):
                continue
            line, col = unit.position(start)
            end_line, end_col = unit.position(end)
            if rule.compiled_allow_line:
                line_text = unit.line_text(line)
                if any(a.search(line_text) for a in rule.compiled_allow_line):
                    continue
            confidence: Optional[Confidence] = None
            extra: dict = {}
            if secret is not None:
                if rule.entropy is not None and shannon_entropy(secret) < rule.entropy:
                    continue
                if rule.placeholder_filter and is_placeholder(secret):
                    continue
                if rule.validator is not None and not validators.REGISTRY[rule.validator](secret):
                    confidence = Confidence.LOW
                elif rule.validator in PROVIDER_TOKEN_CHECKS:
                    extra = {"validated": True}  # a real provider token wherever it is (context_severity)
                elif "generic" in rule.tags and is_test_path(unit.path):
                    confidence = Confidence.LOW
            yield Hit(line, col, end_line, end_col, m.group(0), secret=secret, confidence=confidence, extra=extra)

    def _finding(self, unit: TextUnit, rule: Rule, hit: Hit) -> Finding:
        line = unit.line_text(hit.line)
        if hit.secret and self.redact:
            # mask before trimming: a long secret cut by the snippet window would escape the mask
            masked = redact_text(line, hit.secret)
            if masked == line and hit.secret.strip():
                masked = redact_text(line, hit.secret.splitlines()[0])
            line = masked
        snippet = make_snippet(line, hit.column, hit.end_column if hit.end_line == hit.line
                               else None, multiline=hit.end_line > hit.line)
        f = Finding(
            rule_id=rule.id, title=rule.title, severity=hit.severity if hit.severity is not None else rule.severity,
            confidence=hit.confidence if hit.confidence is not None else rule.confidence,
            cwe=rule.cwe, path=unit.path, line=hit.line, column=hit.column, end_line=hit.end_line,
            end_column=hit.end_column, snippet=snippet, remediation=rule.remediation,
            description=rule.description, category=rule.category,
            message=hit.message or rule.title,
            secret=None if self.redact else hit.secret, extra=dict(hit.extra),
            content_hash=content_hash(rule.id, unit.path, hit.content),
        )
        if unit.commit is not None:
            f.extra["commit"] = unit.commit
        if self.inline_suppressions and _suppressed_inline(unit, rule.id, hit.line):
            f.suppressed_by = "inline"
            # where the comment is, and whether the compared range added it (policy changes)
            at = _suppression_line(unit, rule.id, hit.line)
            f.extra[INLINE_LINE] = at
            f.extra[INLINE_ADDED] = unit.changed_lines is None or at in unit.changed_lines
        return f


def _whole_file_view(unit: TextUnit) -> TextUnit:
    """The whole file of a window, sharing its analysis: for a hit outside every window of a diff."""
    return TextUnit(path=unit.path, text=unit.full_text(), changed_lines=unit.file().changed_lines,
                    full_text_loader=unit.full_text, analysis=unit.file(), categories=unit.categories,
                    commit=unit.commit)


def _suppressed_inline(unit: TextUnit, rule_id: str, line: int) -> bool:
    """A suppression marker in a real comment on ``line`` or on a comment-only line above it."""
    here, above = unit.line_text(line), unit.line_text(line - 1)
    if "mcp-sentinel" not in here.lower() and "mcp-sentinel" not in above.lower():
        return False
    comments = unit.memo.get("suppression_comments")
    if comments is None:
        from sentinel_hooks.engine.comments import comments_by_line
        from sentinel_hooks.engine.languages import language_of

        if unit.is_window:  # the whole file is lexed: a window may start inside a string or comment
            comments = comments_by_line(unit.full_text(), language_of(unit.path))
        else:
            offset = unit.first_line - 1
            comments = {n + offset: c for n, c in comments_by_line(unit.text, language_of(unit.path)).items()}
        unit.memo["suppression_comments"] = comments
    return suppressed_in_comments(rule_id, comments.get(line, []), comments.get(line - 1, []), above)


def _suppression_line(unit: TextUnit, rule_id: str, line: int) -> int:
    """The line whose comment suppressed a finding on ``line`` (after ``_suppressed_inline`` said so)."""
    comments = unit.memo.get("suppression_comments") or {}
    return line if suppressed_in_comments(rule_id, comments.get(line, []), [], "") else line - 1


def _matches(rule: Rule, text: str, lowered: str) -> Iterator[re.Match[str]]:
    """The rule's regex matches; with ``keyword_reach``, searched only on the lines near keywords."""
    finditer = rule.compiled.finditer  # type: ignore[union-attr]
    reach = getattr(rule, "keyword_reach", None)
    windows = None
    if reach and rule.keywords and len(lowered) == len(text):
        windows = keyword_windows(text, lowered, rule.keywords, reach, KEYWORD_POSITIONS.of(lowered))
    if windows is None:
        yield from finditer(text)
        return
    for start, end in windows:
        yield from finditer(text, start, end)


def make_snippet(line: str, column: int, end_column: Optional[int], multiline: bool = False) -> str:
    """The matched line, trimmed to a window around the match when the line is long."""
    text = line.rstrip()
    if len(text) > SNIPPET_WIDTH:
        start = max(column - 1 - SNIPPET_WIDTH // 4, 0)
        stop = start + SNIPPET_WIDTH
        text = ("…" if start else "") + text[start:stop].strip() + ("…" if stop < len(text) else "")
    else:
        text = text.strip()
    if multiline:
        text += " …"
    return text


def _drop_shadowed(findings: list[Finding], rules: dict[str, Rule]) -> list[Finding]:
    """A generic rule yields to a specific rule that reports the same place, and the generic secret
    rules (whose forms overlap) report a line once."""
    if len(findings) < 2:
        return findings
    specific = {(f.line, f.path) for f in findings if "generic" not in rules[f.rule_id].tags
                and rules[f.rule_id].category == "secrets"}
    seen: set[tuple] = set()
    widest: dict[tuple, Finding] = {}  # one generic secret finding per line (the widest): their forms overlap
    for f in findings:
        if _generic_secret(rules[f.rule_id]):
            best = widest.get((f.line, f.path))
            if best is None or _width(f) > _width(best):
                widest[(f.line, f.path)] = f
    out = []
    for f in findings:
        r = rules[f.rule_id]
        if "generic" in r.tags and (f.line, f.path) in specific:
            continue
        if _generic_secret(r) and widest[(f.line, f.path)] is not f:
            continue
        key = (f.rule_id, f.line, f.column, f.end_line, f.end_column)
        if key in seen:
            continue
        seen.add(key)
        out.append(f)
    return out


def _generic_secret(rule: Rule) -> bool:
    return "generic" in rule.tags and rule.category == "secrets" and rule.id != "private-key"


def _width(f: Finding) -> int:
    return (f.end_line - f.line) * 10_000 + f.end_column - f.column
