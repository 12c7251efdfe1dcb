"""The build backend: poetry-core, behind a check of the Python version.

pip builds the package in an isolated environment before it reads `requires-python`; poetry-core 2
does not install on Python 3.8, so without this gate an old interpreter fails with an error about
poetry-core instead of naming the Python it needs. This file must stay importable by Python 3.8.
"""
import sys

if sys.version_info < (3, 10):
    raise SystemExit(f"mcp-sentinel-hooks requires Python 3.10 or newer; this is Python "
                     f"{sys.version.split()[0]} ({sys.executable})")

from poetry.core.masonry.api import (  # noqa: E402,F401
    build_editable, build_sdist, build_wheel, get_requires_for_build_editable, get_requires_for_build_sdist,
    get_requires_for_build_wheel, prepare_metadata_for_build_editable, prepare_metadata_for_build_wheel,
)
