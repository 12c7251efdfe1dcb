"""SHA-256 and BLAKE2b without importing ``hashlib``.

``hashlib`` initialises OpenSSL when it is imported: about 12 ms of wall time here, over 5% of a
pre-commit hook run that hashes a few short strings. CPython's own implementations give the same
digests; ``hashlib`` is the fallback where they are missing.
"""
from __future__ import annotations

try:  # CPython 3.12 and newer
    from _sha2 import sha256  # noqa: F401
except ImportError:
    try:  # CPython 3.10 and 3.11
        from _sha256 import sha256  # type: ignore[no-redef]  # noqa: F401
    except ImportError:  # pragma: no cover - other interpreters
        from hashlib import sha256  # type: ignore[no-redef]  # noqa: F401
try:
    from _blake2 import blake2b  # noqa: F401
except ImportError:  # pragma: no cover - other interpreters
    from hashlib import blake2b  # type: ignore[no-redef]  # noqa: F401
