"""Structure-aware detectors: the few checks a regex cannot express.

A detector is a function ``(unit, rule) -> Iterable[Hit]`` (the ``Detector`` protocol) defined in a
module of this package and registered there with ``@detector("name")``; a rule selects it with
``detector: name`` and keeps all its metadata in YAML. ``DETECTORS`` below lists every detector with
the module that defines it (as pre-commit lists its languages): a module is imported only when a
unit first needs one of its detectors, so a hook run that touches no Python file never imports the
Python checks (a full scan large enough for forked workers imports, before forking them, those of
the rules that run on its files' languages: ``pool.import_detectors``). Adding a detector is its
function plus one line here.

Most detectors analyse the whole file (``unit.full_text()``) and report in file coordinates; the
engine runs such a detector once per file and lets every window of a diff scan take the hits that
fall in it. Detectors listed in ``WINDOW_DETECTORS`` look at the unit's own text instead, and run
on each window.

Detector modules import nothing from pydantic, yaml, git, rich or pathspec: they run on the hook's
path, where the rule set comes from the cache as plain objects.
"""
from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Callable, Iterable, Iterator, Mapping, Protocol

if TYPE_CHECKING:
    from sentinel_hooks.engine.hits import Hit
    from sentinel_hooks.engine.rule import Rule
    from sentinel_hooks.engine.units import TextUnit


class Detector(Protocol):
    """Hits of one rule in one unit, in whole-file coordinates (the engine keeps those in the unit)."""

    def __call__(self, unit: TextUnit, rule: Rule, /) -> Iterable[Hit]: ...


# detector name -> module of this package that defines it
DETECTORS: dict[str, str] = {
    "python-eval": "python_ast",
    "python-shell": "python_ast",
    "python-sql": "python_ast",
    "python-deserialization": "python_ast",
    "python-torch-load": "python_ast",
    "python-path-traversal": "python_ast",
    "python-ssrf": "python_ast",
    "python-markup": "python_ast",
    "python-program-from-input": "python_tool_exposure",
    "python-tool-returns-secrets": "python_tool_exposure",
    "tool_hidden_instructions": "tool_metadata",
    "tool_sensitive_file_read": "tool_metadata",
    "tool_shadowing": "tool_metadata",
    "tool_parameter_exfiltration": "tool_metadata",
    "tool_long_description": "tool_metadata",
    "tool_encoded_payload": "tool_metadata",
    "tool_rug_pull": "tool_metadata",
    "tool_metadata_drift": "drift",
    "mcp_config_secrets": "mcp_config",
    "mcp_config_unpinned_package": "mcp_config",
    "mcp_config_plain_http": "mcp_config",
    "mcp_config_auto_approve": "mcp_config",
    "mcp_config_privileged_container": "mcp_config",
    "mcp_config_debug_env": "mcp_config",
    "npm_floating_version": "manifests",
    "npm_unpinned_git": "manifests",
    "poetry_wildcard_version": "manifests",
    "requirements_unpinned": "manifests",
    "unicode_tags": "unicode",
    "unicode_bidi": "unicode",
    "unicode_zero_width": "unicode",
    "unicode_homoglyph": "unicode",
    "regex_unless_present": "file_context",
    "keyed_secret": "secret_assignments",
    "secret_assignment_contexts": "secret_assignments",
    "token_public_in_context": "secret_assignments",
    "service_account_key": "secret_assignments",
    "download_exec": "download_exec",
    "js_built_value": "js_sinks",
    "js_taint": "js_taint",
    "python-template-injection": "python_templates",
    "python-archive-extraction": "python_archives",
    "python-argument-injection": "python_arguments",
    "python-prefix-containment": "python_containment",
    "python-exfiltration": "python_exfiltration",
    "python-covert-destination": "python_covert_destination",
    "python-decoded-exec": "python_backdoors",
    "python-reverse-shell": "python_backdoors",
    "python-hidden-listener": "python_backdoors",
    "python-persistence": "python_backdoors",
    "python-xss-response": "python_web",
    "python-open-redirect": "python_web",
    "python-xxe": "python_web",
    "python-resource-exhaustion": "python_exhaustion",
    "tool-undisclosed-capability": "python_capabilities",
    "python-served-injection": "python_served_injection",
}

# detectors whose hits depend on the unit's own text (not the whole file): run on every window
WINDOW_DETECTORS = frozenset({"unicode_tags", "unicode_bidi", "unicode_zero_width", "unicode_homoglyph",
                              "keyed_secret", "secret_assignment_contexts", "token_public_in_context",
                              "service_account_key", "download_exec"})

_loaded: dict[str, Detector] = {}


def detector(name: str) -> Callable[[Detector], Detector]:
    """Register the decorated function as the detector ``name`` (which ``DETECTORS`` must list)."""
    def register(fn: Detector) -> Detector:
        if name not in DETECTORS:
            raise ValueError(f"detector {name!r} is not listed in sentinel_hooks.engine.detectors.DETECTORS")
        _loaded[name] = fn
        return fn

    return register


def get(name: str) -> Detector:
    """The detector ``name``, importing its module on first use; KeyError when there is none."""
    fn = _loaded.get(name)
    if fn is None:
        importlib.import_module(f"{__name__}.{DETECTORS[name]}")
        fn = _loaded[name]
    return fn


class _Registry(Mapping):
    """``DETECTORS`` as a read-only mapping of name -> detector; a lookup imports only its module."""

    def __getitem__(self, name: str) -> Detector:
        return get(name)

    def __contains__(self, name: object) -> bool:
        return name in DETECTORS

    def __iter__(self) -> Iterator[str]:
        return iter(DETECTORS)

    def __len__(self) -> int:
        return len(DETECTORS)


REGISTRY: Mapping[str, Detector] = _Registry()
