"""Questions tests ask about the system they run on (never asked at import time of a test module
in a way that fails on another system)."""
from __future__ import annotations

import os


def running_as_root() -> bool:
    """Root reads files whatever their permission bits; Windows has no such user (nor geteuid)."""
    return hasattr(os, "geteuid") and os.geteuid() == 0
