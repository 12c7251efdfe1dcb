"""Detectors for dependency manifests: package.json, Poetry tables of pyproject.toml and
requirements files. Each reports the exact version text at fault."""
from __future__ import annotations

import posixpath
import re
from typing import TYPE_CHECKING, Iterable, Iterator

from sentinel_hooks.engine import jsonc
from sentinel_hooks.engine.detectors import detector
from sentinel_hooks.engine.hits import Hit
from sentinel_hooks.engine.jsonc import Member, Node
from sentinel_hooks.engine.patterns import lazy
from sentinel_hooks.engine.units import TextUnit
from sentinel_hooks.findings import Severity

if TYPE_CHECKING:
    from sentinel_hooks.engine.rule import Rule

NPM_DEPENDENCY_SECTIONS = ("dependencies", "devDependencies", "optionalDependencies")
FLOATING_TAGS = {"latest"}
_ANY_VERSION = lazy(r"^(?:[*xX](?:\.[*xX]){0,2}|>=?\s*0(?:\.0){0,2}|)$")
_LOCAL_PROTOCOLS = ("file:", "link:", "portal:", "workspace:", "patch:", "exec:", "./", "../", "/", "~/")
_GIT_SPEC = lazy(r"^(?:git\+[a-z]+://|git://|github:|gitlab:|bitbucket:|gist:|"
                 r"https?://(?:www\.)?(?:github\.com|gitlab\.com|bitbucket\.org)/[^/]+/[^/#]+?(?:\.git)?(?:#|$)|"
                 r"[A-Za-z0-9][\w.-]*/[\w.-]+(?:#|$))")
_PINNED_REF = lazy(r"#(?:[0-9a-f]{7,40}|semver:v?\d+\.\d+\.\d+[\w.+-]*|v?\d+\.\d+\.\d+[\w.+-]*)$")


def _package_json(unit: TextUnit) -> Node | None:
    if posixpath.basename(unit.path) != "package.json":
        return None
    if "package_json" not in unit.memo:
        root = jsonc.try_parse(unit.full_text())
        unit.memo["package_json"] = root if root is not None and root.kind == "object" else None
    return unit.memo["package_json"]


def npm_dependencies(unit: TextUnit) -> Iterator[tuple[str, Member]]:
    root = _package_json(unit)
    for section in NPM_DEPENDENCY_SECTIONS if root is not None else ():
        block = root.get(section)
        for member in block.members() if block is not None else []:
            if member.value.kind == "string":
                yield section, member


def npm_version(spec: str) -> str:
    """The version range of a dependency, looking through `npm:name@range` aliases."""
    spec = spec.strip()
    if spec.startswith("npm:"):
        target = spec[4:]
        at = target.find("@", 1)
        return target[at + 1:] if at > 0 else ""
    return spec


def is_floating_version(spec: str) -> bool:
    if spec.strip().startswith(_LOCAL_PROTOCOLS) or _GIT_SPEC.match(spec.strip()):
        return False
    version = npm_version(spec)
    return version.lower() in FLOATING_TAGS or _ANY_VERSION.match(version) is not None


def is_unpinned_git(spec: str) -> bool:
    spec = spec.strip()
    return _GIT_SPEC.match(spec) is not None and _PINNED_REF.search(spec) is None


def _hit(node: Node, message: str) -> Hit:
    return Hit(node.line, node.column, node.end_line, node.end_column, node.raw, message=message)


def workspace_scope(unit: TextUnit) -> str:
    """``@scope/`` of a package.json that declares workspaces (a monorepo root), else ''."""
    root = _package_json(unit)
    if root is None or root.get("workspaces") is None:
        return ""
    name = root.get("name")
    text = str(name.value) if name is not None and name.kind == "string" else ""
    return text.split("/", 1)[0] + "/" if text.startswith("@") and "/" in text else ""


@detector("npm_floating_version")
def detect_npm_floating(unit: TextUnit, rule: Rule) -> Iterable[Hit]:
    scope = workspace_scope(unit)
    for section, member in npm_dependencies(unit):
        if is_floating_version(member.value.text):
            hit = _hit(member.value, f"{section}: {member.name} accepts any version ({member.value.text!r})")
            if scope and member.name.startswith(scope):
                hit.severity = Severity.LOW  # a workspace member of this monorepo: npm links the local copy
            yield hit


@detector("npm_unpinned_git")
def detect_npm_unpinned_git(unit: TextUnit, rule: Rule) -> Iterable[Hit]:
    for section, member in npm_dependencies(unit):
        if is_unpinned_git(member.value.text):
            yield _hit(member.value, f"{section}: {member.name} follows a moving git reference")


# -- Poetry ----------------------------------------------------------------------------------------

_POETRY_TABLE = lazy(r"^\s*\[\s*tool\.poetry\.(?:dependencies|dev-dependencies|group\.[\w.-]+\.dependencies)"
                     r"\s*\]\s*(?:#.*)?$")
_TABLE = lazy(r"^\s*\[")
_STAR_ENTRY = lazy(r"""^\s*(?P<name>["']?[A-Za-z0-9][\w.-]*["']?)\s*=\s*(?:\{[^}]*?\bversion\s*=\s*)?"""
                   r"""(?P<version>["']\*["'])""")


@detector("poetry_wildcard_version")
def detect_poetry_wildcard(unit: TextUnit, rule: Rule) -> Iterable[Hit]:
    if posixpath.basename(unit.path) != "pyproject.toml":
        return
    in_dependencies = False
    for number, line in enumerate(unit.full_text().splitlines(), 1):
        if _TABLE.match(line):
            in_dependencies = _POETRY_TABLE.match(line) is not None
            continue
        m = _STAR_ENTRY.match(line) if in_dependencies else None
        if m and m.group("name").strip("\"'").lower() != "python":
            start, end = m.span("version")
            yield Hit(number, start + 1, number, end + 1, line[start:end],
                      message=f"{m.group('name')} accepts any version")


# -- requirements files ----------------------------------------------------------------------------

_BARE_REQUIREMENT = lazy(r"^(?P<name>[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)(?:\s*\[[^\]]*\])?\s*$")


def is_requirements_file(path: str) -> bool:
    name = posixpath.basename(path).lower()
    parent = posixpath.basename(posixpath.dirname(path)).lower()
    return name.endswith(".txt") and (name.startswith("requirements") or parent == "requirements")


@detector("requirements_unpinned")
def detect_unpinned_requirements(unit: TextUnit, rule: Rule) -> Iterable[Hit]:
    if not is_requirements_file(unit.path):
        return
    lines = unit.full_text().splitlines()
    for number, raw in enumerate(lines, 1):
        if number > 1 and lines[number - 2].rstrip().endswith("\\"):
            continue
        line = re.split(r"(?:^|\s)#", raw, maxsplit=1)[0]
        requirement = line.split(";", 1)[0].rstrip().rstrip("\\").strip()
        m = _BARE_REQUIREMENT.match(requirement)
        if m:
            start = raw.index(m.group("name"))
            yield Hit(number, start + 1, number, start + len(requirement) + 1, requirement,
                      message=f"{m.group('name')} is not pinned to a version")
