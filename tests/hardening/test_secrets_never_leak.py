"""Real-format secrets (the secrets corpus) never appear in full in any output of a scan: stdout,
stderr, every report format, the cache folder, the ignore file; only --no-redact shows them."""
from __future__ import annotations

import html
import os
import shutil
from pathlib import Path

import pytest

from hardening.hardening_kit import Sandbox, assert_exit, assert_no_traceback, text
from gitutil import git

CORPUS = Path(__file__).resolve().parents[1] / "corpus" / "secrets"
REPORTS = {"json": "report.json", "sarif": "report.sarif", "gitlab-sast": "report.gitlab.json",
           "html": "report.html"}


def corpus_secrets() -> set[str]:
    """Every secret the built-in rules find in the corpus, read by an engine that does not redact."""
    from sentinel_hooks.rule_cache import load_rules
    from sentinel_hooks.engine.matcher import Engine
    from sentinel_hooks.engine.units import TextUnit
    from sentinel_hooks.sources.files import decode

    engine = Engine(load_rules([], [], builtin=True), redact=False)
    secrets: set[str] = set()
    for path in sorted(CORPUS.rglob("*")):
        if not path.is_file() or path.suffix == ".expect":
            continue
        unit = TextUnit(path.relative_to(CORPUS).as_posix(), decode(path.read_bytes()))
        secrets.update(f.secret for f in engine.scan(unit) if f.secret)
    return secrets


def needles(secrets: set[str]) -> set[str]:
    """What must not appear: each secret, and each long line of a multi-line secret (a key body)."""
    out = set()
    for secret in secrets:
        if len(secret.strip()) >= 8:
            out.add(secret.strip())
        if "\n" in secret:
            out.update(line.strip() for line in secret.splitlines() if len(line.strip()) >= 20)
    return out


def builtin_pack_text() -> str:
    from sentinel_hooks.engine.rules import builtin_pack_names

    folder = Path(__file__).resolve().parents[2] / "sentinel_hooks" / "rules"
    return "".join((folder / name).read_text(encoding="utf-8") for name in builtin_pack_names())


@pytest.fixture(scope="module")
def secret_needles() -> set[str]:
    public = builtin_pack_text()  # values the rule packs show as examples are not the corpus's secrets
    found = {n for n in needles(corpus_secrets()) if n not in public}
    assert len(found) >= 20, "the corpus should yield many real-format secrets"
    return found


def copy_corpus(sandbox: Sandbox) -> Path:
    target = sandbox.work / "corpus"
    shutil.copytree(CORPUS, target, ignore=shutil.ignore_patterns("*.expect"))
    return target


def all_output_args() -> list[str]:
    """Every format to a file, and the terminal report (the one without a file) to stdout."""
    args = []
    for fmt, name in REPORTS.items():
        args += ["-o", fmt, "--output-file", name]
    return args + ["-o", "terminal"]


def written_texts(sandbox: Sandbox) -> dict[str, str]:
    """Reports, the ignore file and every file of the cache folders (the repository's and the user's)."""
    out = {}
    for path in [*(sandbox.work / n for n in REPORTS.values()), sandbox.work / ".mcp-sentinel-ignore"]:
        if path.exists():
            body = path.read_text(encoding="utf-8", errors="replace")
            out[path.name] = html.unescape(body) if path.suffix == ".html" else body
    for cache in (sandbox.work / ".mcp-sentinel-cache", sandbox.home / ".cache" / "mcp-sentinel"):
        for path in cache.rglob("*") if cache.exists() else ():
            if path.is_file():
                out[os.path.relpath(path, sandbox.work)] = path.read_text(encoding="utf-8", errors="replace")
    return out


def leaks(texts: dict[str, str], secret_needles: set[str]) -> list[tuple[str, str]]:
    return [(where, needle[:12] + "…") for where, body in texts.items() for needle in secret_needles
            if needle in body]


def test_full_scan_outputs_hold_no_secret(sandbox, secret_needles):
    copy_corpus(sandbox)
    proc = sandbox.run(["scan", "corpus", *all_output_args()])
    assert_exit(proc, 3)
    assert_no_traceback(proc)
    sandbox.assert_clean(reports=REPORTS.values())
    ignore = sandbox.run(["ignore", "add", "--from", "report.json", "--reason", "accepted"], freeze=True)
    assert_exit(ignore, 0)
    assert_no_traceback(ignore)
    sandbox.assert_clean(reports=[".mcp-sentinel-ignore"])
    listed = sandbox.run(["ignore", "list"])
    assert_exit(listed, 0)
    again = sandbox.run(["scan", "corpus", *all_output_args()])  # from the cache, all findings ignored
    assert_exit(again, 0)
    texts = written_texts(sandbox)
    assert set(REPORTS.values()) | {".mcp-sentinel-ignore"} <= set(texts)
    assert any(k.startswith(".mcp-sentinel-cache/results") for k in texts)
    for name, p in (("scan", proc), ("ignore add", ignore), ("ignore list", listed), ("rescan", again)):
        texts[f"{name} stdout"] = text(p.stdout)
        texts[f"{name} stderr"] = text(p.stderr)
    assert leaks(texts, secret_needles) == []


@pytest.mark.needs_git
def test_staged_scan_outputs_hold_no_secret(sandbox, secret_needles):
    copy_corpus(sandbox)
    git(sandbox.work, "init", "-q", "-b", "main")
    git(sandbox.work, "add", "corpus")
    proc = sandbox.run(["scan", "--staged", *all_output_args()])
    assert_exit(proc, 3)
    assert_no_traceback(proc)
    sandbox.assert_clean(reports=REPORTS.values())
    texts = written_texts(sandbox)
    texts["stdout"], texts["stderr"] = text(proc.stdout), text(proc.stderr)
    assert leaks(texts, secret_needles) == []


def test_no_redact_shows_secrets_in_every_report_but_never_caches_them(sandbox, secret_needles):
    """The same checks fail when redaction is off: the test can tell a leak when there is one."""
    copy_corpus(sandbox)
    proc = sandbox.run(["scan", "corpus", "--no-redact", *all_output_args()])
    assert_exit(proc, 3)
    sandbox.assert_clean(reports=REPORTS.values())
    texts = written_texts(sandbox)
    texts["stdout"] = text(proc.stdout)
    leaked = {where for where, _ in leaks(texts, secret_needles)}
    with_snippets = {"stdout", "report.json", "report.sarif", "report.html"}  # GitLab's format has none
    assert with_snippets <= leaked and "report.gitlab.json" not in leaked
    assert not [w for w in leaked if w.startswith(".mcp-sentinel-cache")]
