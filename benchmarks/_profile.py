"""Where the time goes: ``python -X importtime`` and cProfile of one scanner run."""
from __future__ import annotations

import io
import pstats
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from _util import child_env

HEAVY = ("pydantic", "yaml", "git", "rich", "ahocorasick_rs", "pathspec", "jsonschema", "multiprocessing")
MAIN = "import sys; from sentinel_hooks.cli import main; sys.exit(main())"


@dataclass
class ImportEntry:
    module: str
    self_us: int
    cumulative_us: int
    depth: int


def parse_importtime(stderr: str) -> list[ImportEntry]:
    entries = []
    for line in stderr.splitlines():
        if not line.startswith("import time:") or "self [us]" in line:
            continue
        parts = line[len("import time:"):].split("|", 2)
        if len(parts) != 3:
            continue
        self_us, cumulative, name = parts
        depth = (len(name) - len(name.lstrip(" ")) - 1) // 2
        try:
            entries.append(ImportEntry(name.strip(), int(self_us), int(cumulative), depth))
        except ValueError:
            continue
    return entries


def importtime(args: Sequence[str], cwd: Path) -> list[ImportEntry]:
    out = subprocess.run([sys.executable, "-X", "importtime", "-c", MAIN, *args], cwd=cwd, env=child_env(),
                         capture_output=True, text=True)
    return parse_importtime(out.stderr)


def loaded_modules(args: Sequence[str], cwd: Path) -> set[str]:
    """The modules in ``sys.modules`` when one scanner run ends (``-X importtime`` also lists
    imports that failed, such as optional back-ends tried and not installed)."""
    with tempfile.TemporaryDirectory() as tmp:
        listing = Path(tmp) / "modules.txt"
        code = ("import sys\nfrom sentinel_hooks.cli import main\ntry:\n    rc = main()\nfinally:\n"
                f"    open({str(listing)!r}, 'w').write(chr(10).join(sorted(sys.modules)))\nsys.exit(rc)")
        subprocess.run([sys.executable, "-c", code, *args], cwd=cwd, env=child_env(), capture_output=True)
        return set(listing.read_text().split()) if listing.exists() else set()


def heavy_imports(modules: set[str]) -> dict[str, bool]:
    roots = {m.split(".")[0] for m in modules}
    return {name: name in roots for name in HEAVY}


def import_report(entries: list[ImportEntry], modules: set[str], top: int = 15) -> str:
    total = sum(e.self_us for e in entries)
    lines = [f"  {len(modules)} modules loaded; {total / 1000:.0f} ms of import time in all (-X importtime self times summed)"]
    firsts = [e for e in entries if e.depth <= 1]
    lines.append(f"  top {top} imports by cumulative time (outermost imports only):")
    for e in sorted(firsts, key=lambda e: -e.cumulative_us)[:top]:
        lines.append(f"    {e.cumulative_us / 1000:7.1f} ms  {e.module}")
    own = sorted(m for m in modules if m.startswith("sentinel_hooks"))
    lines.append(f"  sentinel_hooks modules loaded ({len(own)}): "
                 f"{', '.join(m.replace('sentinel_hooks.', '') for m in own)}")
    third = sorted({m.split('.')[0] for m in modules} - set(sys.stdlib_module_names)
                   - {"sentinel_hooks", "encodings", "_distutils_hack", "__main__"})
    lines.append(f"  third-party packages loaded: {', '.join(third) or 'none'}")
    tried = sorted({e.module.split('.')[0] for e in entries} - {m.split('.')[0] for m in modules})
    if tried:
        lines.append(f"  tried and not found (optional imports): {', '.join(tried)}")
    flags = heavy_imports(modules)
    lines.append("  heavy packages loaded: " + ", ".join(f"{k}={'YES' if v else 'no'}" for k, v in flags.items()))
    return "\n".join(lines)


def cprofile(args: Sequence[str], cwd: Path, top: int = 20) -> str:
    """Top functions by cumulative and by own time of one in-process scanner run."""
    with tempfile.TemporaryDirectory() as tmp:
        prof = Path(tmp) / "scan.prof"
        code = f"import cProfile, sys; from sentinel_hooks.cli import main; cProfile.run('rc = main()', {str(prof)!r})"
        subprocess.run([sys.executable, "-c", code, *args], cwd=cwd, env=child_env(), capture_output=True)
        if not prof.exists():
            return "  (no profile written)"
        buf = io.StringIO()
        stats = pstats.Stats(str(prof), stream=buf)
        stats.strip_dirs()
        buf.write(f"--- by cumulative time (top {top}) ---\n")
        stats.sort_stats("cumulative").print_stats(top)
        buf.write(f"--- by own time (top {top}) ---\n")
        stats.sort_stats("tottime").print_stats(top)
    return "\n".join("  " + line for line in _trim(buf.getvalue()).splitlines())


def _trim(text: str) -> str:
    keep = []
    for line in text.splitlines():
        if line.strip().startswith(("Ordered by", "List reduced")) or not line.strip() or "scan.prof" in line:
            continue
        keep.append(line)
    return "\n".join(keep)
