"""The small exception hierarchy of the scanner.

Each class carries the exit code it stands for; only ``cli.main`` turns them into exit codes.
"""
from __future__ import annotations

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_CONFIG = 2
EXIT_CRITICAL = 3
EXIT_HIGH = 4
EXIT_MEDIUM = 5
EXIT_LOW = 6
EXIT_TIMEOUT = 7
EXIT_FILESYSTEM = 8
EXIT_INTERRUPTED = 130
# the exit code of the worst finding's severity: the defaults of the config file and of the flags
SEVERITY_EXIT_CODES = {"critical": EXIT_CRITICAL, "high": EXIT_HIGH, "medium": EXIT_MEDIUM, "low": EXIT_LOW}


class SentinelError(Exception):
    """Base class: an error with a one-line message and an exit code."""

    exit_code = EXIT_ERROR


class ConfigError(SentinelError):
    """Invalid configuration, rule pack, flag or usage (exit 2)."""

    exit_code = EXIT_CONFIG


class ScanTimeout(SentinelError):
    """The scan exceeded ``--timeout`` (exit 7)."""

    exit_code = EXIT_TIMEOUT


class FileSystemError(SentinelError):
    """A path that does not exist or cannot be read or written (exit 8)."""

    exit_code = EXIT_FILESYSTEM


class GitError(SentinelError):
    """git failed or is unavailable (exit 1 unless a subclass says otherwise)."""


class MemoryLimitExceeded(SentinelError):
    """The scan could not stay under ``--memory-limit`` (exit 1)."""
