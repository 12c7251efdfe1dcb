"""The scan's time limit (``--timeout``), enforced the same way on every operating system.

With a limit, the engine runs in worker processes and this process is the watchdog: it waits for
each result no longer than the time left, then terminates the workers (``pool``) and raises
``ScanTimeout``; the caller keeps what was scanned until then. A backtracking rule therefore stops
at the limit wherever it runs, with no alarm signal (Windows has none) and no thread (a thread cannot
run while the regex engine holds the interpreter lock).
"""
from __future__ import annotations

import time
from typing import Optional

from sentinel_hooks.errors import ScanTimeout


class Deadline:
    def __init__(self, seconds: Optional[float], why: str = ""):
        self.seconds = seconds
        self.at = None if seconds is None else time.monotonic() + seconds
        self.progress = ""
        self.why = why  # said with the timeout when the limit is not the one the user set

    @property
    def limited(self) -> bool:
        return self.at is not None

    def expired(self) -> bool:
        return self.at is not None and time.monotonic() >= self.at

    def remaining(self) -> Optional[float]:
        """Seconds left (at least 0), or None without a limit."""
        return None if self.at is None else max(self.at - time.monotonic(), 0.0)

    def timeout_error(self) -> ScanTimeout:
        how_far = f": {self.progress}" if self.progress else ""
        why = f" ({self.why})" if self.why else ""
        return ScanTimeout(f"scan timed out after {self.seconds:g}s{why}{how_far}")

    # ``with deadline:`` marks the work the limit covers; there is nothing to arm or disarm, since
    # every wait on a worker is bounded by ``remaining()``.
    def __enter__(self) -> "Deadline":
        return self

    def __exit__(self, *exc) -> None:
        return None
