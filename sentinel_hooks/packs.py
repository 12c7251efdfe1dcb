"""The built-in rule packs: found one way, by the loader and by the rule-set cache alike."""
from __future__ import annotations

from pathlib import Path


def builtin_pack_files() -> list[Path]:
    """The built-in ``*.yaml`` / ``*.yml`` packs, sorted by name."""
    folder = Path(__file__).resolve().parent / "rules"  # importlib.resources costs 9 ms to import
    if not folder.is_dir():  # pragma: no cover - installed inside an archive
        from importlib import resources

        folder = resources.files("sentinel_hooks") / "rules"  # type: ignore[assignment]
    return sorted((p for p in folder.iterdir() if p.name.endswith((".yaml", ".yml"))), key=lambda p: p.name)
