"""The context of a file: is it code that ships, or a test, an example, documentation, a maintainer's build
script or generated text?

A finding carries the context of its file. The first answer that applies wins:

1. ``generated``: a minified or bundled file (``*.min.js``, ``*.bundle.js``, ``*-min.js``, source maps,
   lock files), another scanner's baseline, allowlist or report (``.secrets.baseline``,
   ``.gitleaksignore``, ``gitleaks*.json``, ``trufflehog*.json``), or text that says it is generated
   (``@generated``, ``DO NOT EDIT``, ``Code generated``, ``auto-generated`` in its first 1,024
   characters) or looks minified (in its first 64 KiB, a line of 1,000 characters or more while the
   lines average 200 or more);
2. ``test``: a folder named ``test``, ``tests``, ``__tests__``, ``spec``, ``fixtures``, ``testdata``,
   ``mocks``, ``e2e``, ``conftest.py``, or a file named ``test_*``, ``*_test.*``, ``*.test.*``, ``*.spec.*``;
3. ``example``: a folder named ``example(s)``, ``sample(s)``, ``demo(s)``, or a file named
   ``*.example(s).*``/``*.sample(s).*``;
4. ``docs``: documentation markup (``*.md``, ``*.mdx``, ``*.rst``, ``*.adoc``, ``*.txt``) or a folder named
   ``doc`` or ``docs``;
5. ``build``: a script only maintainers run: a file below a folder named ``scripts`` or ``script``, or a
   build tool's configuration module (``*.config.js``/``.ts``/``.mjs``/``.cjs``/``.mts``/``.cts``,
   ``Gruntfile.*``, ``gulpfile.*``), unless it lies inside a ``src`` folder (what is there may ship, e.g.
   as the package's commands);
6. ``code``: everything else.
"""
from __future__ import annotations

from sentinel_hooks.engine.patterns import lazy

CODE = "code"
TEST = "test"
EXAMPLE = "example"
DOCS = "docs"
GENERATED = "generated"
BUILD = "build"
CONTEXTS = (CODE, TEST, EXAMPLE, DOCS, BUILD, GENERATED)

_GENERATED_NAME = lazy(
    r"(?i)(?:[.-]min\.(?:js|mjs|cjs|css)|\.bundle\.(?:js|mjs|cjs)|\.(?:js|css)\.map|"
    r"(?:^|/)(?:package-lock\.json|npm-shrinkwrap\.json|yarn\.lock|pnpm-lock\.yaml|poetry\.lock|uv\.lock|"
    r"Pipfile\.lock|Cargo\.lock|composer\.lock|bun\.lockb?)|"
    r"(?:^|/)\.secrets\.baseline|(?:^|/)\.gitleaksignore|(?:^|/)\.trufflehogignore|"
    r"(?:^|/)[^/]*(?:gitleaks|trufflehog|detect-secrets)[^/]*\.(?:json|sarif|csv|ya?ml))$")
_GENERATED_MARK = lazy(r"(?i)@generated\b|\bDO NOT EDIT\b|\bCode generated\b|\bauto-?generated\b")
_TEST = lazy(r"(?i)(?:^|/)(?:tests?|__tests__|spec|specs|fixtures?|testdata|test-data|__mocks__|mocks?|e2e)/|"
             r"(?:^|/)(?:test_[^/]*|[^/]*_test\.[a-z]+|[^/]*\.(?:test|spec)\.[a-z]+|conftest\.py)$")
_EXAMPLE = lazy(r"(?i)(?:^|/)(?:examples?|samples?|demos?)/|(?:^|/)[^/]*\.(?:examples?|samples?)(?:\.[a-z]+)?$")
_DOCS = lazy(r"(?i)\.(?:md|mdx|markdown|rst|adoc|txt)$|(?:^|/)docs?/")
_BUILD_CONFIG = lazy(r"(?i)(?:^|/)(?:[^/]+\.config\.(?:js|ts|mjs|cjs|mts|cts)|(?:gruntfile|gulpfile)(?:\.[a-z]+)+)$")
_BUILD_FOLDERS = frozenset({"scripts", "script"})
_SHIPPED_SOURCE = "src"

HEAD = 1024
MINIFIED_SAMPLE = 65536
MINIFIED_LONG_LINE = 1000
MINIFIED_MEAN = 200


def looks_generated(text: str) -> bool:
    """Text that declares itself generated near its top, or whose lines are as long as minified code's."""
    if _GENERATED_MARK.search(text, 0, HEAD):
        return True
    sample = text[:MINIFIED_SAMPLE]
    lines = sample.count("\n") + 1
    if len(sample) / lines < MINIFIED_MEAN:
        return False
    return any(len(line) >= MINIFIED_LONG_LINE for line in sample.split("\n"))


def is_build_script(path: str) -> bool:
    """A maintainer's script: below a ``scripts`` folder or a tool's config module, outside ``src``."""
    for folder in path.split("/")[:-1]:
        lowered = folder.lower()
        if lowered == _SHIPPED_SOURCE:
            return False
        if lowered in _BUILD_FOLDERS:
            return True
    return bool(_BUILD_CONFIG.search(path))


def classify(path: str, text: str = "") -> str:
    """The context of the file at ``path`` (repository-relative, ``/``-separated) holding ``text``."""
    if _GENERATED_NAME.search(path) or (text and looks_generated(text)):
        return GENERATED
    if _TEST.search(path):
        return TEST
    if _EXAMPLE.search(path):
        return EXAMPLE
    if _DOCS.search(path):
        return DOCS
    if is_build_script(path):
        return BUILD
    return CODE
