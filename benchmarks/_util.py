"""Shared helpers of the benchmark scripts: the machine, the tools, timed and memory-measured runs.

Every tool runs as a child process. Wall time is measured around the whole process; memory is the
peak resident set of the process *tree* (the child and all its descendants), sampled from ``/proc``
every few milliseconds, and never less than the largest single process as the kernel reports it
through ``wait4`` (which counts descendants the child waited for).
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Iterable, Optional, Sequence

SAMPLE_SECONDS = 0.004
PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096
CLOCK_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
PROC_STATS = os.path.exists(f"/proc/{os.getpid()}/stat")  # per-process CPU can be sampled
GIT_IDENTITY = {
    "GIT_AUTHOR_NAME": "Bench", "GIT_AUTHOR_EMAIL": "bench@example.com",
    "GIT_COMMITTER_NAME": "Bench", "GIT_COMMITTER_EMAIL": "bench@example.com",
    "GIT_AUTHOR_DATE": "2024-01-01T00:00:00Z", "GIT_COMMITTER_DATE": "2024-01-01T00:00:00Z",
    "GIT_CONFIG_NOSYSTEM": "1",
}


# ---------------------------------------------------------------- command line


def base_parser(description: str, default_runs: int = 3) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--runs", type=int, default=default_runs,
                        help=f"timed runs per measurement; the median is reported (default {default_runs})")
    parser.add_argument("--quick", action="store_true",
                        help="tiny inputs and one run: checks that the script works, measures nothing useful")
    parser.add_argument("--peers-bin", action="append", default=[], type=Path, metavar="DIR",
                        help="extra folder to look for peer tools in (repeatable; also $BENCH_PEERS_BIN, "
                             "':'-separated), e.g. the bin/ of a virtualenv holding detect-secrets and semgrep")
    parser.add_argument("--no-peers", action="store_true", help="measure mcp-sentinel only")
    parser.add_argument("--json", type=Path, metavar="FILE", help="also write the results as JSON")
    return parser


# ---------------------------------------------------------------- machine and tools


def machine() -> dict[str, str]:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:
        usable = os.cpu_count() or 1
    try:
        mem = next(int(line.split()[1]) // 1024 for line in Path("/proc/meminfo").read_text().splitlines()
                   if line.startswith("MemTotal"))
        memory = f"{mem / 1024:.1f} GiB"
    except (OSError, StopIteration, ValueError):
        memory = "unknown"
    git = subprocess.run(["git", "--version"], capture_output=True, text=True).stdout.strip() \
        if shutil.which("git") else "git not found"
    return {"cpu": cpu, "cores": f"{usable} usable of {os.cpu_count()}", "memory": memory,
            "python": f"{platform.python_implementation()} {platform.python_version()} ({sys.executable})",
            "os": platform.platform(), "git": git}


def print_machine(info: dict[str, str]) -> None:
    print("machine:")
    for key, value in info.items():
        print(f"  {key:<8} {value}")


def scanner_command() -> list[str]:
    """The installed ``mcp-sentinel`` next to this interpreter, else ``python -m sentinel_hooks``."""
    script = Path(sys.executable).parent / "mcp-sentinel"
    if script.is_file() and os.access(script, os.X_OK):
        return [str(script)]
    return [sys.executable, "-m", "sentinel_hooks"]


def scanner_version() -> str:
    out = subprocess.run(scanner_command() + ["--version"], capture_output=True, text=True, env=child_env())
    return (out.stdout or out.stderr).strip() or "unknown"


def peer_dirs(args: argparse.Namespace) -> list[Path]:
    dirs = list(args.peers_bin)
    dirs += [Path(p) for p in os.environ.get("BENCH_PEERS_BIN", "").split(":") if p]
    return dirs


def find_tool(name: str, dirs: Sequence[Path]) -> Optional[str]:
    for folder in dirs:
        candidate = folder / name
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    return shutil.which(name)


def tool_version(command: Sequence[str]) -> str:
    try:
        out = subprocess.run(list(command), capture_output=True, text=True, timeout=120, env=child_env())
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"unknown ({exc.__class__.__name__})"
    text = (out.stdout or out.stderr).strip().splitlines()
    return text[0].strip() if text else "unknown"


def skip_note(tool: str, how: str) -> str:
    return f"SKIPPED {tool}: not installed ({how}; see benchmarks/README.md)"


def announce_peer(name: str, install: str, args: argparse.Namespace, note: str = "") -> Optional[str]:
    """Find a peer tool and print which one runs (version and path) or why it does not; its path or None."""
    if args.no_peers:
        print("peers left out (--no-peers)")
        return None
    path = find_tool(name, peer_dirs(args))
    if path:
        print(f"{name}: {tool_version([path, '--version'])} ({path}){note}")
    else:
        print(skip_note(name, install))
    return path


def child_env(**extra: str) -> dict[str, str]:
    """The environment of measured processes: without PYTHONDONTWRITEBYTECODE, so Python start-up
    uses the ``.pyc`` files a warm-up run wrote (as a real install has them), and without colours."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env.update({"NO_COLOR": "1", "SEMGREP_SEND_METRICS": "off", "SEMGREP_ENABLE_VERSION_CHECK": "0"})
    env.update(extra)
    return env


BYTECODE_NOTE = ("Python tools run with PYTHONDONTWRITEBYTECODE removed from their environment, after an "
                 "untimed warm-up run that wrote their .pyc files (as a real install has them).")


# ---------------------------------------------------------------- measured runs


@dataclass
class Run:
    seconds: float
    peak_rss: int          # bytes: the process tree's sampled peak, at least the largest single process
    largest_process: int   # bytes: the largest single process (kernel's ru_maxrss through wait4)
    returncode: int
    stdout: str = ""
    stderr: str = ""
    cpu: float = 0.0       # seconds of user and system CPU of the process and the children it waited for
    # where that CPU went (Linux): "git" and "workers" (other descendants) as last sampled from /proc,
    # "scanner" the rest (the process itself and what ended between samples); empty elsewhere
    cpu_split: dict = field(default_factory=dict)


def _children(pid: int) -> list[int]:
    out: list[int] = []
    try:
        for tid in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{tid}/children", "rb") as fh:
                out.extend(int(p) for p in fh.read().split())
    except (OSError, ValueError):
        pass
    return out


def _rss(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/statm", "rb") as fh:
            return int(fh.read().split()[1]) * PAGE
    except (OSError, ValueError, IndexError):
        return 0


def _cpu(pid: int) -> Optional[tuple[str, float]]:
    """The command name and the user and system CPU seconds so far of a live process (Linux)."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            stat = fh.read()
    except OSError:
        return None
    name, rest = stat[stat.find(b"(") + 1:stat.rfind(b")")], stat[stat.rfind(b")") + 2:].split()
    try:
        return name.decode("ascii", "replace"), (int(rest[11]) + int(rest[12])) / CLOCK_TICKS
    except (IndexError, ValueError):
        return None


def tree_pids(root: int) -> list[int]:
    """``root`` and its descendants alive now, ``root`` first."""
    out, todo, seen = [], [root], set()
    while todo:
        pid = todo.pop()
        if pid in seen:
            continue
        seen.add(pid)
        out.append(pid)
        todo.extend(_children(pid))
    return out


def cpu_split(total: float, descendants: dict[int, tuple[str, float]]) -> dict[str, float]:
    """``total`` CPU seconds of a process tree as "git", "workers" (the other descendants) and "scanner"
    (the rest); empty where processes cannot be sampled (no /proc)."""
    if not PROC_STATS:
        return {}
    git_cpu = sum(seconds for name, seconds in descendants.values() if name == "git")
    workers = sum(seconds for name, seconds in descendants.values() if name != "git")
    return {"scanner": max(0.0, total - git_cpu - workers), "workers": workers, "git": git_cpu}


class _Sampler(threading.Thread):
    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.pid = pid
        self.peak = 0
        self.cpu: dict[int, tuple[str, float]] = {}  # descendant -> (name, CPU seconds when last seen)
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            pids = tree_pids(self.pid)
            self.peak = max(self.peak, sum(_rss(pid) for pid in pids))
            for pid in pids[1:]:
                now = _cpu(pid)
                if now is not None:
                    self.cpu[pid] = now
            self.stop.wait(SAMPLE_SECONDS)


def measure(command: Sequence[str], *, cwd: Optional[Path] = None, env: Optional[dict[str, str]] = None,
            ok: Iterable[int] = (0,), keep_output: bool = False) -> Run:
    """Run one command to completion; raise if its exit code is not in ``ok``."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(list(command), cwd=cwd, env=env or child_env(), stdout=out, stderr=err,
                                stdin=subprocess.DEVNULL)
        sampler = _Sampler(proc.pid)
        sampler.start()
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
        sampler.stop.set()
        sampler.join()
        proc.returncode = os.waitstatus_to_exitcode(status)
        largest = usage.ru_maxrss * 1024
        out.seek(0)
        err.seek(0)
        stdout = out.read().decode("utf-8", "replace")
        stderr = err.read().decode("utf-8", "replace")
    cpu = usage.ru_utime + usage.ru_stime
    run = Run(seconds, max(sampler.peak, largest), largest, proc.returncode,
              stdout if keep_output else "", stderr if keep_output else "", cpu, cpu_split(cpu, sampler.cpu))
    if proc.returncode not in set(ok):
        raise RuntimeError(f"{' '.join(map(str, command))} exited {proc.returncode}:\n{stderr[-2000:]}")
    return run


@dataclass
class Series:
    """Repeated runs of one command."""
    name: str
    runs: list[Run] = field(default_factory=list)

    @property
    def seconds(self) -> float:
        return statistics.median(r.seconds for r in self.runs)

    @property
    def peak_rss(self) -> int:
        return max(r.peak_rss for r in self.runs)

    @property
    def cpu(self) -> float:
        return statistics.median(r.cpu for r in self.runs)

    @property
    def cpu_split(self) -> dict[str, float]:
        """Median CPU seconds by kind of process (``Run.cpu_split``); empty when a run has none."""
        splits = [r.cpu_split for r in self.runs]
        if not splits or not all(splits):
            return {}
        return {kind: statistics.median(s[kind] for s in splits) for kind in splits[0]}

    def as_dict(self) -> dict:
        return {"name": self.name, "median_seconds": self.seconds, "peak_rss_bytes": self.peak_rss,
                "median_cpu_seconds": self.cpu, "median_cpu_split_seconds": self.cpu_split,
                "runs_seconds": [r.seconds for r in self.runs],
                "largest_process_bytes": max(r.largest_process for r in self.runs)}


def repeat(name: str, command: Sequence[str], runs: int, *, warmups: int = 1, **kwargs) -> Series:
    for _ in range(warmups):
        measure(command, **kwargs)
    series = Series(name)
    for _ in range(max(runs, 1)):
        series.runs.append(measure(command, **kwargs))
    return series


def interleaved(commands: dict[str, tuple[Sequence[str], dict]], runs: int, warmups: int = 1) -> dict[str, Series]:
    """Run several commands in turns (A B C A B C ...), so machine noise hits them alike."""
    for _ in range(warmups):
        for command, kwargs in commands.values():
            measure(command, **kwargs)
    out = {name: Series(name) for name in commands}
    for _ in range(max(runs, 1)):
        for name, (command, kwargs) in commands.items():
            out[name].runs.append(measure(command, **kwargs))
    return out


# ---------------------------------------------------------------- reporting


def mb(n: float) -> str:
    return f"{n / (1024 * 1024):.0f} MB"


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms"


def secs(seconds: float) -> str:
    return f"{seconds:.2f} s" if seconds < 100 else f"{seconds:.0f} s"


def table(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    rows = [[str(c) for c in row] for row in rows]
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(header)]
    line = lambda cells: "  ".join(c.ljust(w) if i == 0 else c.rjust(w)  # noqa: E731
                                   for i, (c, w) in enumerate(zip(cells, widths)))
    return "\n".join([line(header), line(["-" * w for w in widths])] + [line(r) for r in rows])


def verdict(ok: bool) -> str:
    return "met" if ok else "MISSED"


def write_json(path: Optional[Path], doc: dict) -> None:
    if path is not None:
        path.write_text(json.dumps(doc, indent=2, default=_default), encoding="utf-8")


def _default(value: object) -> object:
    if isinstance(value, Series):
        return value.as_dict()
    if isinstance(value, Run):
        return asdict(value)
    if isinstance(value, Path):
        return str(value)
    raise TypeError(type(value).__name__)


def git(repo: Path, *args: str) -> str:
    env = {**os.environ, **GIT_IDENTITY, "HOME": str(repo)}
    out = subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, text=True, env=env)
    return out.stdout
