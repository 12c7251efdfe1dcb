"""Hostile files in full scans: odd encodings, huge files and trees, special files, unreadable files,
symlinks and odd names. Every case checks the exit code, stderr and that nothing else was written."""
from __future__ import annotations

import json
import os
import stat

import pytest

from hardening.hardening_kit import Sandbox, assert_exit, assert_no_traceback, assert_one_line_error, marker_rule

HIGH = 4
MEDIUM = 5
MARK = "PLANTEDMARKER_"


def marker(n: int) -> str:
    return f"{MARK}{n}"


def scan(sandbox: Sandbox, *paths: str, extra: tuple[str, ...] = (), timeout: float = 300):
    """A marker-rules-only scan with a JSON report in work/report.json; returns (proc, report)."""
    (sandbox.base / "rules.yaml").write_text(marker_rule())
    proc = sandbox.run(["scan", "--no-builtin-rules", "--rules", str(sandbox.base / "rules.yaml"),
                        "-o", "json", "--output-file", "report.json", *extra, *(paths or (".",))], timeout=timeout)
    assert_no_traceback(proc)
    sandbox.assert_clean(reports=["report.json"])
    report_path = sandbox.work / "report.json"
    doc = json.loads(report_path.read_text(encoding="utf-8")) if report_path.exists() else None
    if report_path.exists():
        report_path.unlink()
    return proc, doc


def skipped(doc: dict) -> dict[str, int]:
    """Skip counts, less the cache folder the scan itself creates (excluded by default)."""
    return {k: v for k, v in doc["summary"]["skipped"].items() if k != "excluded"}


def found(doc: dict) -> dict[str, list[tuple[int, int]]]:
    out: dict[str, list[tuple[int, int]]] = {}
    for f in doc["findings"]:
        out.setdefault(f["path"], []).append((f["line"], f["column"]))
    return out


# -- encodings and line endings ------------------------------------------------------------------
def test_binary_files_are_skipped_and_text_with_a_nul_is_not(sandbox):
    (sandbox.work / "blob.bin").write_bytes(b"\x7fELF\0\0" + marker(1).encode() + bytes(range(256)))
    (sandbox.work / "nul.py").write_bytes(b"x = 1\n\0" + marker(2).encode() + b"\n")
    proc, doc = scan(sandbox)
    assert_exit(proc, HIGH)
    assert proc.stderr == b""
    assert found(doc) == {"nul.py": [(2, 2)]} and doc["summary"]["skipped"]["binary"] == 1


def test_invalid_utf8_is_scanned_with_replacement(sandbox):
    (sandbox.work / "bad.py").write_bytes(b"\xc3(\xff\xfe\n\x80\x81 ok\n" + marker(3).encode() + b" \xe2\x82\n")
    proc, doc = scan(sandbox)
    assert_exit(proc, HIGH)
    assert found(doc) == {"bad.py": [(3, 1)]}


def test_utf16_with_bom_is_decoded(sandbox):
    for name, encoding in (("le.py", "utf-16-le"), ("be.py", "utf-16-be")):
        bom = b"\xff\xfe" if encoding.endswith("le") else b"\xfe\xff"
        (sandbox.work / name).write_bytes(bom + f"a = 1\nb = '{marker(4)}'\n".encode(encoding))
    (sandbox.work / "bom8.py").write_bytes(b"\xef\xbb\xbf" + f"{marker(5)}\n".encode())
    proc, doc = scan(sandbox)
    assert_exit(proc, HIGH)
    assert found(doc) == {"be.py": [(2, 6)], "bom8.py": [(1, 1)], "le.py": [(2, 6)]}


def test_crlf_and_mixed_line_endings_keep_line_numbers(sandbox):
    (sandbox.work / "crlf.py").write_bytes(f"a\r\nb\r\n  {marker(6)}\r\n".encode())
    (sandbox.work / "mixed.py").write_bytes(f"a\nb\r\nc\n\r\nd {marker(7)}\r\n".encode())
    proc, doc = scan(sandbox)
    assert_exit(proc, HIGH)
    assert found(doc) == {"crlf.py": [(3, 3)], "mixed.py": [(5, 3)]}


def test_empty_files(sandbox):
    for i in range(3):
        (sandbox.work / f"empty{i}.py").write_bytes(b"")
    (sandbox.work / "empty.json").write_bytes(b"")
    proc, doc = scan(sandbox)
    assert_exit(proc, 0)
    assert proc.stderr == b"" and doc["summary"]["files_scanned"] == 4 and doc["findings"] == []


# -- large inputs -------------------------------------------------------------------------------
@pytest.mark.slow
def test_200mb_file_finding_near_the_end(sandbox):
    line = b"const filler = 'abcdefghijklmnopqrstuvwxyz0123456789 abcdefghijklmnopqrstuvwxyz';\n"  # 80 bytes
    block = line * (4 * 1024 * 1024 // len(line))
    target = 200 * 1024 * 1024
    path = sandbox.work / "huge.js"
    lines = 0
    with open(path, "wb") as fh:
        while fh.tell() + len(block) <= target:
            fh.write(block)
            lines += block.count(b"\n")
        fh.write(f"let tail = '{marker(8)}';\n".encode())
    proc, doc = scan(sandbox, extra=("--timeout", "900"), timeout=1200)
    assert_exit(proc, HIGH)
    assert path.stat().st_size > 199 * 1024 * 1024
    assert found(doc) == {"huge.js": [(lines + 1, 13)]}


@pytest.mark.slow
def test_50mb_single_line_finding_in_the_middle(sandbox):
    half = 25 * 1024 * 1024
    chunk = b"var a=function(b){return b+1};" * 1024
    path = sandbox.work / "bundle.min.js"
    with open(path, "wb") as fh:
        written = 0
        while written < half:
            fh.write(chunk)
            written += len(chunk)
        fh.write(marker(9).encode())
        written2 = 0
        while written2 < half:
            fh.write(chunk)
            written2 += len(chunk)
    proc, doc = scan(sandbox, extra=("--timeout", "900"), timeout=1200)
    assert_exit(proc, MEDIUM)  # a minified bundle is generated text: reported one level lower
    assert found(doc) == {"bundle.min.js": [(1, written + 1)]}
    assert [f["context"] for f in doc["findings"]] == ["generated"]


@pytest.mark.slow
def test_100k_small_files(sandbox):
    root = sandbox.work / "many"
    for d in range(100):
        folder = root / f"d{d:03}"
        folder.mkdir(parents=True)
        for i in range(1000):
            (folder / f"f{i:04}.py").write_bytes(b"x = %d\n" % i)
    (root / "d050" / "f0500.py").write_text(f"x = '{marker(10)}'\n")
    proc, doc = scan(sandbox, extra=("--timeout", "900"), timeout=1200)
    assert_exit(proc, HIGH)
    assert found(doc) == {"many/d050/f0500.py": [(1, 6)]}
    assert doc["summary"]["files_scanned"] == 100_000
    assert doc["scan"]["workers"] >= 1


def test_500_level_deep_folders(sandbox):
    deep = sandbox.work
    for i in range(500):
        deep = deep / "d"
    deep.mkdir(parents=True)
    (deep / "bottom.py").write_text(f"{marker(11)}\n")
    proc, doc = scan(sandbox)
    assert_exit(proc, HIGH)
    assert found(doc) == {"d/" * 500 + "bottom.py": [(1, 1)]}


# -- special files --------------------------------------------------------------------------------
@pytest.mark.posix_only
def test_fifo_without_writer_is_skipped_without_blocking(sandbox):
    os.mkfifo(sandbox.work / "pipe.py")
    (sandbox.work / "real.py").write_text(f"{marker(12)}\n")
    proc, doc = scan(sandbox, extra=("--timeout", "60"), timeout=120)
    assert_exit(proc, HIGH)
    assert found(doc) == {"real.py": [(1, 1)]}
    assert doc["summary"]["skipped"]["not a regular file"] == 1


@pytest.mark.posix_only
def test_fifo_named_explicitly_is_skipped(sandbox):
    os.mkfifo(sandbox.work / "pipe.py")
    proc, doc = scan(sandbox, "pipe.py", extra=("--timeout", "60"), timeout=120)
    assert_exit(proc, 0)
    assert skipped(doc) == {"not a regular file": 1}


@pytest.mark.posix_only
def test_char_device_is_skipped(sandbox):
    try:
        os.mknod(sandbox.work / "zero", 0o666 | stat.S_IFCHR, os.makedev(1, 5))
    except (PermissionError, OSError) as exc:
        pytest.skip(f"cannot create a character device here: {exc}")
    proc, doc = scan(sandbox, extra=("--timeout", "60"), timeout=120)
    assert_exit(proc, 0)
    assert skipped(doc) == {"not a regular file": 1}


@pytest.mark.posix_only
def test_symlink_to_a_char_device_is_not_followed(sandbox):
    (sandbox.work / "zero.py").symlink_to("/dev/zero")
    (sandbox.work / "urandom.js").symlink_to("/dev/urandom")
    proc, doc = scan(sandbox, extra=("--timeout", "60"), timeout=120)
    assert_exit(proc, 0)
    assert skipped(doc) == {"symlink": 2}


@pytest.mark.posix_only
def test_symlink_loops(sandbox):
    (sandbox.work / "a").symlink_to("b")
    (sandbox.work / "b").symlink_to("a")
    (sandbox.work / "sub").mkdir()
    (sandbox.work / "sub" / "up").symlink_to("..")
    (sandbox.work / "sub" / "self").symlink_to("self")
    (sandbox.work / "sub" / "x.py").write_text(f"{marker(13)}\n")
    proc, doc = scan(sandbox, extra=("--timeout", "60"), timeout=120)
    assert_exit(proc, HIGH)
    assert found(doc) == {"sub/x.py": [(1, 1)]}
    assert doc["summary"]["skipped"]["symlink"] == 4


@pytest.mark.posix_only
def test_symlinks_out_of_the_root_are_not_followed(sandbox):
    outside = sandbox.base / "outside"
    outside.mkdir()
    (outside / "secret.py").write_text(f"{marker(14)}\n")
    (sandbox.work / "linked_dir").symlink_to(outside)
    (sandbox.work / "linked_file.py").symlink_to(outside / "secret.py")
    proc, doc = scan(sandbox)
    assert_exit(proc, 0)
    assert doc["findings"] == [] and skipped(doc) == {"symlink": 2}


# -- unreadable files ---------------------------------------------------------------------------
def test_unreadable_file_is_reported_after_the_rest_of_the_scan(sandbox, monkeypatch, capsys):
    """As root nothing is unreadable, so os.open fails in-process for one path."""
    from sentinel_hooks import cli

    (sandbox.work / "a_first.py").write_text(f"{marker(15)}\n")
    (sandbox.work / "locked.py").write_text(f"{marker(16)}\n")
    (sandbox.work / "z_last.py").write_text(f"{marker(17)}\n")
    (sandbox.base / "rules.yaml").write_text(marker_rule())
    real_open = os.open

    def failing_open(path, flags, *args, **kwargs):
        if os.fspath(path).endswith("locked.py"):
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.chdir(sandbox.work)
    monkeypatch.setenv("HOME", str(sandbox.home))
    sandbox.freeze()
    monkeypatch.setattr(os, "open", failing_open)
    code = cli.main(["scan", ".", "--no-builtin-rules", "--rules", str(sandbox.base / "rules.yaml"),
                     "--no-cache", "-o", "json", "--output-file", "report.json"])
    monkeypatch.setattr(os, "open", real_open)
    err = capsys.readouterr().err
    assert code == 8
    assert err.splitlines() == ["mcp-sentinel: error: locked.py: Permission denied"]
    sandbox.assert_clean(reports=["report.json"])
    doc = json.loads((sandbox.work / "report.json").read_text())
    assert found(doc) == {"a_first.py": [(1, 1)], "z_last.py": [(1, 1)]}
    assert doc["summary"]["errors"] == [{"path": "locked.py", "reason": "Permission denied"}]


def test_file_vanishing_between_listing_and_reading(sandbox, monkeypatch, capsys):
    """A directory entry that disappears after the walk listed it: reported, the scan goes on."""
    from sentinel_hooks import cli, file_scan

    (sandbox.work / "gone.py").write_text(f"{marker(18)}\n")
    (sandbox.work / "stays.py").write_text(f"{marker(19)}\n")
    (sandbox.base / "rules.yaml").write_text(marker_rule())
    real_scan_file = file_scan.scan_file

    def vanish_then_scan(entry, *args, **kwargs):
        if entry.display_path == "gone.py":
            os.unlink(entry.abs_path)
        return real_scan_file(entry, *args, **kwargs)

    monkeypatch.chdir(sandbox.work)
    monkeypatch.setattr("sentinel_hooks.pool.scan_file", vanish_then_scan)
    code = cli.main(["scan", ".", "--no-builtin-rules", "--rules", str(sandbox.base / "rules.yaml"),
                     "--no-cache", "-o", "json", "--output-file", "report.json"])
    err = capsys.readouterr().err
    assert code == 8
    assert err.splitlines() == ["mcp-sentinel: error: gone.py: No such file or directory"]
    doc = json.loads((sandbox.work / "report.json").read_text())
    assert found(doc) == {"stays.py": [(1, 1)]}


# -- names --------------------------------------------------------------------------------------
ODD_NAMES = ["with space.py", "quote'single.py", 'quote"double.py', "new\nline.py", "-rf.py", "--help.py",
             "ünïcödé_名前.py", "tab\there.py", "back\\slash.py"]


def test_odd_file_names(sandbox):
    for i, name in enumerate(ODD_NAMES):
        (sandbox.work / name).write_text(f"x = '{marker(100 + i)}'\n")
    proc, doc = scan(sandbox)
    assert_exit(proc, HIGH)
    assert sorted(found(doc)) == sorted(ODD_NAMES)


def test_odd_file_names_given_on_the_command_line(sandbox):
    for i, name in enumerate(ODD_NAMES):
        (sandbox.work / name).write_text(f"x = '{marker(100 + i)}'\n")
    proc, doc = scan(sandbox, "--", *ODD_NAMES)
    assert_exit(proc, HIGH)
    assert sorted(found(doc)) == sorted(ODD_NAMES)


def test_terminal_report_of_odd_names_keeps_one_line_per_finding(sandbox):
    (sandbox.work / "new\nline.py").write_text(f"{marker(1)}\n")
    (sandbox.base / "rules.yaml").write_text(marker_rule())
    proc = sandbox.run(["scan", ".", "--no-builtin-rules", "--rules", str(sandbox.base / "rules.yaml")])
    assert_exit(proc, HIGH)
    assert_no_traceback(proc)
    sandbox.assert_clean()
    assert proc.stderr == b""
    assert b"new\nline.py" not in proc.stdout
    assert proc.stdout.startswith(b"new\\nline.py\n")


def test_terminal_escapes_in_scanned_lines_are_not_replayed(sandbox):
    (sandbox.work / "evil.py").write_text(f"x = 1  # \x1b]0;pwned\x07\x1b[2J\r{marker(1)} \x9b31m\n")
    (sandbox.base / "rules.yaml").write_text(marker_rule())
    proc = sandbox.run(["scan", ".", "--no-builtin-rules", "--rules", str(sandbox.base / "rules.yaml")])
    assert_exit(proc, HIGH)
    sandbox.assert_clean()
    out = proc.stdout.decode()
    assert "\x1b" not in out and "\r" not in out and "\x9b" not in out and "\x07" not in out
    assert "2:1  hardening-marker" in out  # a lone CR ends a line, as it does for Python and node
    assert marker(1) + " \\x9b31m" in out


def test_missing_path_is_a_one_line_error(sandbox):
    proc = sandbox.run(["scan", "does-not-exist"])
    assert_exit(proc, 8)
    assert_one_line_error(proc, "does-not-exist")
    sandbox.assert_clean()


# -- hostile structure in files the detectors parse -------------------------------------------------
def yaml_alias_bomb(levels: int = 11) -> str:
    lines = ["tools:", "  - name: t", "    description: hello",
             'l0: &l0 [{tools: [{name: x, description: y}]}, "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for n in range(1, levels):
        lines.append(f"l{n}: &l{n} [" + ", ".join([f"*l{n - 1}"] * 9) + "]")
    return "\n".join(lines) + "\n"


def test_yaml_alias_bomb_in_a_scanned_file_is_harmless(sandbox):
    (sandbox.work / "tools.yaml").write_text(yaml_alias_bomb())
    proc = sandbox.run(["scan", ".", "-o", "json", "--output-file", "r.json", "--timeout", "60"], timeout=120)
    assert_exit(proc, 0)
    assert proc.stderr == b""
    sandbox.assert_clean(reports=["r.json"])
    assert json.loads((sandbox.work / "r.json").read_text())["summary"]["files_scanned"] == 1


@pytest.mark.parametrize("name, content", [
    ("server.js", "server.tool('x', " + "{a:" * 200_000 + "1" + "}" * 200_000 + ")\n"),
    ("tools.json", '{"tools": ' + "[" * 100_000 + "]" * 100_000 + "}"),
    (".cursor/mcp.json", '{"mcpServers": ' + '{"a":' * 100_000 + "1" + "}" * 100_000 + "}"),
    ("server.py", "from mcp import tool\n@tool()\ndef f():\n    return " + "(" * 100_000 + ")" * 100_000 + "\n"),
    ("package.json", '{"scripts": ' + "[" * 100_000 + "]" * 100_000 + "}"),
])
def test_deeply_nested_structure_is_scanned_in_linear_time(sandbox, name, content):
    (sandbox.work / name).parent.mkdir(parents=True, exist_ok=True)
    (sandbox.work / name).write_text(content)
    proc = sandbox.run(["scan", ".", "--no-cache", "-o", "json", "--output-file", "r.json", "--timeout", "40"],
                       timeout=120)
    assert_exit(proc, 0)
    assert proc.stderr == b""
    sandbox.assert_clean(reports=["r.json"])
    assert json.loads((sandbox.work / "r.json").read_text())["summary"]["files_scanned"] == 1
