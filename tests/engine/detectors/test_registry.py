"""The detector registry: an explicit list of detectors and their modules, imported on first need."""
from __future__ import annotations

import importlib
import subprocess
import sys

import pytest

from sentinel_hooks.engine import detectors
from sentinel_hooks.engine.rules import load_builtin_packs

HEAVY = ("pydantic", "yaml", "git", "rich", "pathspec")


def _fresh(code: str) -> str:
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    return out.stdout.strip().splitlines()[-1]


def test_every_listed_detector_is_defined_by_the_module_the_list_names():
    for name, module in detectors.DETECTORS.items():
        importlib.import_module(f"sentinel_hooks.engine.detectors.{module}")
        assert detectors.get(name).__module__ == f"sentinel_hooks.engine.detectors.{module}", name


def test_every_detector_a_builtin_rule_names_is_listed():
    named = {r.detector for pack in load_builtin_packs() for r in pack.rules if r.detector}
    assert named <= set(detectors.DETECTORS)
    assert "no-such-detector" not in detectors.REGISTRY
    with pytest.raises(KeyError):
        detectors.get("no-such-detector")


def test_registering_an_unlisted_detector_is_refused():
    with pytest.raises(ValueError, match="not listed"):
        detectors.detector("unlisted")(lambda unit, rule: [])


def test_a_lookup_imports_only_the_module_of_that_detector():
    loaded = _fresh("import sys\nfrom sentinel_hooks.engine import detectors\ndetectors.get('unicode_bidi')\n"
                    "print(sorted(m.rsplit('.', 1)[1] for m in sys.modules "
                    "if m.startswith('sentinel_hooks.engine.detectors.')))")
    assert loaded == "['unicode']"


@pytest.mark.parametrize("module", sorted(set(detectors.DETECTORS.values())))
def test_detector_modules_import_no_heavy_package(module):
    loaded = _fresh(f"import sys\nimport sentinel_hooks.engine.detectors.{module}\n"
                    f"print(sorted(m for m in {HEAVY!r} if m in sys.modules))")
    assert loaded == "[]"
