"""Parsing git's diff output into changes and added lines, and turning them into windows."""
from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from gitutil import git
from sentinel_hooks import platform_os
from sentinel_hooks.engine.units import units_of
from sentinel_hooks.sources.git import Git, locate
from sentinel_hooks.sources.git_diff import (
    INDEX, WORKTREE, Comparison, DiffScan, FileChange, _patch_pathspecs, added_lines, changed_lines, line_windows, parse_diff, unquote_c,
    window_fragment,
)

pytestmark = pytest.mark.needs_git


def raw_diff(repo: Path, *args: str) -> bytes:
    return subprocess.run(["git", "-C", str(repo), "-c", "core.quotepath=off", *args], check=True,
                          capture_output=True).stdout


# -- hunks ---------------------------------------------------------------------------------------
def test_added_lines_follow_hunk_headers_and_bodies():
    patch = (b"diff --git a/f.txt b/f.txt\n--- a/f.txt\n+++ b/f.txt\n"
             b"@@ -2 +2 @@ a\n-b\n+B\n"
             b"@@ -5,0 +6,2 @@\n+x\n+y\n"
             b"@@ -9,3 +10,0 @@\n-p\n-q\n-r\n")
    assert added_lines(patch) == {"f.txt": [2, 6, 7]}


def test_added_lines_that_look_like_headers_are_content():
    patch = (b"diff --git a/f b/f\n--- a/f\n+++ b/f\n"
             b"@@ -1,0 +1,3 @@\n+++ b/evil\n+@@ -1 +1 @@\n+diff --git a/x b/x\n")
    assert added_lines(patch) == {"f": [1, 2, 3]}


def test_added_lines_with_context_lines_inside_a_hunk():
    patch = b"+++ b/f\n@@ -1,3 +1,4 @@\n a\n+b\n c\n+d\n-e\n\\ No newline at end of file\n"
    assert added_lines(patch) == {"f": [2, 4]}


def test_quoted_and_tab_suffixed_paths():
    patch = (b'+++ "b/new\\nline \\"q\\".txt"\n@@ -0,0 +1 @@\n+q\n'
             b"+++ b/with space.txt\t\n@@ -0,0 +1 @@\n+s\n"
             b'+++ "b/oct\\303\\251.txt"\n@@ -0,0 +1 @@\n+o\n'
             b"+++ /dev/null\n@@ -1 +0,0 @@\n-gone\n")
    assert added_lines(patch) == {'new\nline "q".txt': [1], "with space.txt": [1], "octé.txt": [1]}


def test_unquote_c():
    assert unquote_c(b'"a\\tb\\\\c\\"d\\001"') == b'a\tb\\c"d\x01'
    assert unquote_c(b"plain name") == b"plain name"


# -- windows -------------------------------------------------------------------------------------
def test_windows_merge_when_they_overlap_or_touch():
    assert line_windows([5], 3, 100) == [(2, 8)]
    assert line_windows([5, 11], 3, 100) == [(2, 14)]  # overlapping
    assert line_windows([5, 12], 3, 100) == [(2, 15)]  # touching
    assert line_windows([5, 13], 3, 100) == [(2, 8), (10, 16)]
    assert line_windows([1, 2, 100], 0, 100) == [(1, 2), (100, 100)]
    assert line_windows([99], 3, 100) == [(96, 100)]
    assert line_windows([101], 3, 100) == []


def test_window_fragment_holds_the_file_its_added_lines_and_the_windows_around_them():
    text = "".join(f"l{i}\n" for i in range(1, 21))
    fragment = window_fragment("f.py", text, [3, 4, 15], 1, lambda: "base", old_blob="a" * 40, new_blob="b" * 40)
    assert fragment.text == text and fragment.changed_lines == frozenset({3, 4, 15})
    assert fragment.windows == ((2, 5), (14, 16))
    assert fragment.load_base() == "base" and (fragment.old_blob, fragment.new_blob) == ("a" * 40, "b" * 40)
    assert fragment.deleted_at == ()
    assert window_fragment("f.py", text, [3], 1, None, deleted_at=[9]).deleted_at == (9,)


def test_window_fragment_widens_a_window_to_a_multi_line_string():
    text = 'x = """\n' + "".join(f"l{i}\n" for i in range(10)) + '"""\n'
    assert window_fragment("f.py", text, [6], 0, None).windows == ((1, 12),)


# -- parse_diff on real git output ---------------------------------------------------------------
@pytest.fixture
def repo(make_repo) -> Path:
    repo = make_repo()
    (repo / "keep.txt").write_text("".join(f"k{i}\n" for i in range(30)))
    (repo / "old name.txt").write_text("".join(f"r{i}\n" for i in range(30)))
    (repo / "gone.txt").write_text("bye\n")
    (repo / "bin.dat").write_bytes(b"\0\1\2")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "one")
    return repo


def test_parse_diff_statuses_binary_and_renames(repo):
    (repo / "keep.txt").write_text("".join(f"k{i}\n" for i in range(30)).replace("k5\n", "K5\nextra\n"))
    git(repo, "mv", "old name.txt", "new é name.txt")
    with open(repo / "new é name.txt", "a") as fh:
        fh.write("added at end\n")
    git(repo, "rm", "-q", "gone.txt")
    (repo / "bin.dat").write_bytes(b"\0\1\3")
    (repo / "fresh.txt").write_text("1\n2\n")
    git(repo, "add", "-A")
    out = raw_diff(repo, *Comparison(git(repo, "rev-parse", "HEAD").strip(), INDEX).diff_command())
    changes = {c.path: c for c in parse_diff(out)}
    assert set(changes) == {"keep.txt", "new é name.txt", "gone.txt", "bin.dat", "fresh.txt"}
    assert changes["keep.txt"].status == "M" and changes["keep.txt"].added == [6, 7]
    renamed = changes["new é name.txt"]
    assert renamed.status == "R" and renamed.old_path == "old name.txt" and renamed.added == [31]
    assert changes["gone.txt"].status == "D"
    assert changes["bin.dat"].binary and changes["bin.dat"].added == []
    assert changes["fresh.txt"].is_new and changes["fresh.txt"].added == [1, 2]
    assert all(len(c.new_blob) == 40 for c in changes.values())


@pytest.mark.parametrize("names_fit", [True, False])
def test_a_range_lists_its_files_then_reads_the_added_lines_of_those_that_existed(repo, monkeypatch, names_fit):
    """Outside the index, one diff lists the files and a second, in the background, gives the added
    lines of all but the added and deleted ones: together what the one full diff gives, whether the
    second diff names its files (both names of a rename) or, when they would not fit on a command
    line, compares the whole range again."""
    if not names_fit:
        monkeypatch.setattr(platform_os, "MAX_COMMAND_CHARS", 1000)
    base = git(repo, "rev-parse", "HEAD").strip()
    test_parse_diff_statuses_binary_and_renames(repo)  # the same change, committed
    git(repo, "commit", "-q", "-m", "two")
    target = git(repo, "rev-parse", "HEAD").strip()
    comparison = Comparison(base, target)
    whole = {c.path: c for c in parse_diff(raw_diff(repo, *comparison.diff_command()))}
    runner = Git(cwd=repo)
    with DiffScan(runner, locate(runner, "test"), comparison) as source:
        listed = source.changes()
        assert {c.path for c in listed} == set(whole) and not any(c.added for c in listed)
        assert runner.processes == 3  # rev-parse, the list, and the diff in the background
        source._read_patch()  # waits for it
        assert source.patched()
        for c in listed:
            expected = whole[c.path]
            assert (c.status, c.old_path, c.new_blob, c.deleted_at) == (expected.status, expected.old_path,
                                                                         expected.new_blob, expected.deleted_at)
            assert c.added == ([] if c.is_new else expected.added) and c.binary == (expected.binary and not c.is_new)
    (repo / "late.txt").write_text("x\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "three")
    runner = Git(cwd=repo)
    with DiffScan(runner, locate(runner, "test"), Comparison(target, git(repo, "rev-parse", "HEAD").strip())) as source:
        assert [c.path for c in source.changes()] == ["late.txt"]
        assert source.patched() and runner.processes == 2  # only an added file: no second diff


def test_the_background_diff_names_the_files_it_patches_while_they_fit_on_a_command_line(monkeypatch):
    def change(path: str, old_path: str = "") -> FileChange:
        return FileChange(path=path, old_path=old_path or path, status="R" if old_path else "M", old_mode="100644",
                          new_mode="100644", old_blob="1" * 40, new_blob="2" * 40)

    changes = [change("b.py"), change("new/a.py", "old/a.py"), change("a [x].py")]
    assert _patch_pathspecs(changes, ["--", ":(top)src"]) == [
        "--", ":(top,literal)a [x].py", ":(top,literal)b.py", ":(top,literal)new/a.py", ":(top,literal)old/a.py"]
    monkeypatch.setattr(platform_os, "MAX_COMMAND_CHARS", 1000 + 60)
    assert _patch_pathspecs(changes, ["--", ":(top)src"]) == ["--", ":(top)src"]  # the scan's own paths
    assert _patch_pathspecs(changes, []) == []


def test_parse_diff_of_nothing():
    assert parse_diff(b"") == []


# -- DiffScan ------------------------------------------------------------------------------------
def scan_units(repo: Path, comparison: Comparison, **kwargs):
    """The units the engine makes of the source's fragments (and their base texts)."""
    git_runner = Git(cwd=repo)
    source = DiffScan(git_runner, locate(git_runner, "test"), comparison, **kwargs)
    with source:
        units = [unit for fragment in source.fragments() for unit in units_of(fragment)]
        base_texts = [u.base_text() for u in units]
    return units, base_texts, source, git_runner


def test_diff_scan_windows_and_base_text_for_renames(repo):
    head = git(repo, "rev-parse", "HEAD").strip()
    git(repo, "mv", "old name.txt", "renamed.txt")
    lines = [f"r{i}\n" for i in range(30)]
    lines[10] = "changed\n"
    (repo / "renamed.txt").write_text("".join(lines))
    git(repo, "add", "-A")
    units, bases, source, runner = scan_units(repo, Comparison(head, INDEX), context=2)
    assert [(u.path, u.first_line, sorted(u.changed_lines)) for u in units] == [("renamed.txt", 9, [11])]
    assert units[0].text == "r8\nr9\nchanged\nr11\nr12\n"
    assert bases == ["".join(f"r{i}\n" for i in range(30))]
    assert runner.processes == 3  # rev-parse, diff-index, cat-file


def test_diff_scan_added_files_are_whole_units_without_base(repo):
    head = git(repo, "rev-parse", "HEAD").strip()
    (repo / "fresh.py").write_text("a\nb\n")
    git(repo, "add", "fresh.py")
    units, bases, _source, _runner = scan_units(repo, Comparison(head, INDEX))
    assert [(u.path, u.text, u.changed_lines, u.is_window) for u in units] == [("fresh.py", "a\nb\n", None, False)]
    assert bases == [None]


def test_diff_scan_work_tree_reads_the_file_on_disk(repo):
    head = git(repo, "rev-parse", "HEAD").strip()
    (repo / "keep.txt").write_text("".join(f"k{i}\n" for i in range(30)).replace("k0\n", "disk\n"))
    (repo / "untracked.txt").write_text("u\n")
    units, _bases, source, _runner = scan_units(repo, Comparison(head, WORKTREE), untracked=True, context=0)
    assert [(u.path, u.text) for u in units] == [("keep.txt", "disk\n"), ("untracked.txt", "u\n")]


def test_diff_scan_respects_excludes_and_size_limit(repo):
    from sentinel_hooks.sources.files import Excludes

    head = git(repo, "rev-parse", "HEAD").strip()
    (repo / "vendor").mkdir()
    (repo / "vendor" / "lib.py").write_text("v\n")
    (repo / "big.py").write_text("x" * 500 + "\n")
    (repo / "small.py").write_text("s\n")
    git(repo, "add", "-A")
    units, _bases, source, _runner = scan_units(repo, Comparison(head, INDEX),
                                                excludes=Excludes(["vendor"], []), max_file_size=100)
    assert [u.path for u in units] == ["small.py"]
    assert source.skipped.as_dict() == {"excluded": 1, "too large": 1}


def test_diff_scan_between_two_commits_reads_blobs(repo):
    first = git(repo, "rev-parse", "HEAD").strip()
    (repo / "keep.txt").write_text("committed\n")
    git(repo, "commit", "-q", "-am", "two")
    second = git(repo, "rev-parse", "HEAD").strip()
    (repo / "keep.txt").write_text("work tree only\n")
    units, _bases, _source, _runner = scan_units(repo, Comparison(first, second))
    assert [u.text for u in units] == ["committed\n"]


def test_changed_lines_carry_deletion_points_beside_added_lines():
    patch = (b"diff --git a/f.py b/f.py\n--- a/f.py\n+++ b/f.py\n"
             b"@@ -4,2 +3,0 @@\n-a\n-b\n"
             b"@@ -9 +8 @@\n-c\n+C\n")
    assert changed_lines(patch) == {"f.py": ([8], [3])}
    assert added_lines(patch) == {"f.py": [8]}


def test_a_deletion_point_opens_a_window_over_its_python_function():
    text = "".join(["import os\n", "\n", "def tool(arg):\n"] + ["    x = 1\n"] * 10
                   + ["    return os.popen(arg)\n", "\n", "def other():\n", "    pass\n"])
    fragment = window_fragment("t.py", text, [], 1, None, deleted_at=[4])
    assert fragment.deleted_at == (4,) and fragment.windows == ((3, 14),)
    units = units_of(fragment)
    assert [(u.first_line, u.text.splitlines()[-1]) for u in units] == [(3, "    return os.popen(arg)")]
    assert units[0].changed_lines == frozenset()
    shared = units[0].file()
    assert shared.deletion_points == frozenset({4})
    assert shared.flow_touched((3, 14)) and not shared.flow_touched((16, 17))


def test_module_stem_is_the_name_importers_use():
    from sentinel_hooks.sources.git_diff import module_stem

    assert module_stem("pkg/texts.py") == "texts"
    assert module_stem("pkg/texts/__init__.py") == "texts"
    assert module_stem("src/tool-texts.ts") == "tool-texts"
    assert module_stem("src/texts/index.js") == "texts"
    assert module_stem("README.md") is None
    assert module_stem("pkg/a(b).py") is None  # not a name an import writes: nothing to search for


def test_is_large_sums_the_new_contents_of_the_changed_files_from_git_or_the_work_tree(make_repo):
    repo = make_repo()
    for name in ("a.py", "b.py", "c.py", "gone.py"):
        (repo / name).write_text("x = 1\n", encoding="utf-8")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "one")
    head = git(repo, "rev-parse", "HEAD").strip()
    (repo / "a.py").write_text("x = 2\n" * 1000, encoding="utf-8")  # 6,000 bytes
    (repo / "b.py").write_text("x = 3\n" * 100, encoding="utf-8")  # 600 bytes
    (repo / "gone.py").unlink()  # a deletion counts for neither
    git(repo, "add", "-A")
    runner = Git(cwd=repo)
    staged = DiffScan(runner, locate(runner, "test"), Comparison(head, INDEX))
    with staged:
        assert staged.is_large(2, 6_600) and not staged.is_large(2, 6_601) and not staged.is_large(3, 1)
        diffs = []
        output = runner.output
        runner.output = lambda args, **kw: diffs.append(args[0]) or output(args, **kw)  # type: ignore[method-assign]
        staged.changes(), list(staged.fragments())
        assert "diff-index" not in diffs  # the diff is read once, for the size and for the fragments
    (repo / "b.py").write_text("x = 4\n" * 200, encoding="utf-8")  # the work tree holds 1,200 bytes
    work_tree = DiffScan(runner, locate(runner, "test"), Comparison(head, WORKTREE))
    with work_tree:
        assert work_tree.is_large(2, 7_200) and not work_tree.is_large(2, 7_201)


def test_a_range_searches_for_importers_while_its_last_added_files_are_read(make_repo, monkeypatch):
    """The importer search needs every change's lines, known once the background diff is read: the added
    files come first, then the others, then a quarter of the added files, read while git searches; the
    importers found come after."""
    from sentinel_hooks.sources import constructs
    from sentinel_hooks.sources.git_diff import IMPORTER_CATEGORIES

    repo = make_repo()
    (repo / "pkg").mkdir()
    (repo / "pkg" / "server.py").write_text("from mcp.server.fastmcp import FastMCP\nfrom .texts import HELP\n\n"
                                            "mcp = FastMCP('x')\n\n\n@mcp.tool(description=HELP)\ndef helper() -> str:\n"
                                            "    return ''\n")
    (repo / "pkg" / "texts.py").write_text('HELP = "Help."\n')
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "server")
    base = git(repo, "rev-parse", "HEAD").strip()
    (repo / "pkg" / "texts.py").write_text('HELP = "Help with everything."\n')
    added = [f"notes/{n}.md" for n in range(8)]
    (repo / "notes").mkdir()
    for name in added:
        (repo / name).write_text(f"# {name}\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "notes and a new text")
    runner = Git(cwd=repo)
    real_spans, spans_of = constructs.construct_spans, []
    monkeypatch.setattr(constructs, "construct_spans", lambda path, *rest: spans_of.append(path) or
                        real_spans(path, *rest))
    with DiffScan(runner, locate(runner, "test"), Comparison(base, WORKTREE)) as source:
        seen = [(f.path, f.categories, source._importer_run is not None) for f in source.fragments()]
    assert spans_of == ["pkg/texts.py"]  # found once for its window and the importer search
    assert [path for path, _, _ in seen] == added[:6] + ["pkg/texts.py"] + added[6:] + ["pkg/server.py"]
    assert [searching for _, _, searching in seen[:7]] == [False] * 7  # the search waits for the changed lines
    assert [searching for _, _, searching in seen[7:9]] == [True, True]  # and runs meanwhile
    assert seen[-1][1] == IMPORTER_CATEGORIES


def _range_with_history(make_repo) -> tuple[Path, str]:
    repo = make_repo()
    (repo / "app.py").write_text("A = 1\n\n\ndef f():\n    return A\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "one")
    base = git(repo, "rev-parse", "HEAD").strip()
    (repo / "app.py").write_text("A = 2\n\n\ndef f():\n    return A + 1\n")
    (repo / "new.py").write_text("B = 'b'\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "two")
    return repo, base


def _seen(source: DiffScan) -> list[tuple]:
    return [(f.path, f.commit, f.windows, f.changed_lines, f.text) for f in source.fragments()]


def test_git_work_started_early_goes_to_the_first_scan_of_the_comparison(make_repo):
    """``start`` lists the changes and spools the added lines and the history while the caller loads its
    rules; the first ``again`` (the scan under the policy's settings) takes that work, so git runs once,
    and sees what a scan that started on its own sees; a second ``again`` runs git anew."""
    repo, base = _range_with_history(make_repo)
    runner = Git(cwd=repo)
    plain = DiffScan(runner, locate(runner, "test"), Comparison(base, WORKTREE), history=True)
    with plain.again(context=3, excludes=None, max_file_size=None) as fresh:
        expected = _seen(fresh)
    runs = runner.processes  # locating the repository, the listing, the two spooled runs, the blob reader
    runner = Git(cwd=repo)
    source = DiffScan(runner, locate(runner, "test"), Comparison(base, WORKTREE), history=True)
    source.start()
    assert source._patch_run is not None and source._history_run is not None and runner.processes == runs - 1
    with source.again(context=3, excludes=None, max_file_size=None) as first:
        assert source._patch_run is None and source._history_run is None  # its close stops nothing of them
        assert _seen(first) == expected
    assert runner.processes == runs  # git ran once
    with source.again(context=3, excludes=None, max_file_size=None) as second:
        assert _seen(second) == expected and second._changes is not first._changes
    source.close()


def test_git_work_a_scan_has_read_is_not_handed_on(make_repo):
    """Once a scan has read the added lines (with its own excludes deciding what it reads again as text),
    another scan of the comparison runs git itself; ``start`` does nothing for a commit's staged files."""
    repo, base = _range_with_history(make_repo)
    runner = Git(cwd=repo)
    source = DiffScan(runner, locate(runner, "test"), Comparison(base, WORKTREE), history=True)
    source.start()
    source._read_patch()
    fresh = source.again(context=3, excludes=None, max_file_size=None)
    assert fresh._changes is None and fresh._patch_run is None and source._history_run is not None
    source.close()
    (repo / "app.py").write_text("A = 3\n")
    git(repo, "add", "app.py")
    runner = Git(cwd=repo)
    staged = DiffScan(runner, locate(runner, "test"), Comparison(git(repo, "rev-parse", "HEAD").strip(), INDEX))
    before = runner.processes
    staged.start()
    assert runner.processes == before and staged._changes is None


def test_a_range_lets_its_texts_go_once_they_have_served(make_repo):
    """A change's text is kept for the history's blocks of its file until they are judged, and for the
    importer search until it has read it (the fragment holds it while it is scanned): a long range does
    not hold every file it changes to its end; a scan without history keeps none for it."""
    repo, base = _range_with_history(make_repo)
    runner = Git(cwd=repo)
    with DiffScan(runner, locate(runner, "test"), Comparison(base, WORKTREE), history=True) as source:
        seen = _seen(source)
        assert [(path, commit) for path, commit, *_ in seen] == [("new.py", None), ("app.py", None)]
        assert len(source.held_back) == 3  # each block judged against its file's text: the net change holds it
        assert source._net_texts == {} and not any("new_text" in c.memo for c in source.changes())
    with DiffScan(runner, locate(runner, "test"), Comparison(base, WORKTREE), history=False) as plain:
        for _ in plain.fragments():
            assert plain._net_texts == {}


def _importers_found(repo: Path, base: str, *, perl: bool) -> tuple[list[str], list[str]]:
    """The importer fragments of a scan of ``repo`` since ``base``, and the regex kinds its git greps used
    (``perl=False``: a git that has no Perl regexes, which fails on -P as such a git does)."""
    from sentinel_hooks.sources.git_diff import IMPORTER_CATEGORIES

    kinds: list[str] = []
    real_spool, real_run = Git.spool, Git.run

    def spool(self, args, **kwargs):
        if args[0] == "grep":
            kinds.append(args[1])
            if not perl:
                args = ["grep", "--no-such-option", *args[2:]]
        return real_spool(self, args, **kwargs)

    def run(self, args, **kwargs):
        if args[0] == "grep":
            kinds.append(args[1])
        return real_run(self, args, **kwargs)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Git, "spool", spool)
        patch.setattr(Git, "run", run)
        runner = Git(cwd=repo)
        with DiffScan(runner, locate(runner, "test"), Comparison(base, WORKTREE)) as source:
            found = [f.path for f in source.fragments() if f.categories == IMPORTER_CATEGORIES]
    return found, kinds


def test_the_importer_search_finds_the_same_files_with_perl_or_posix_regexes(make_repo, monkeypatch):
    # a user's locale, where git's regexes would not read past bytes that are not UTF-8
    monkeypatch.setenv("LC_ALL", "C.UTF-8")
    repo = make_repo()
    (repo / "pkg").mkdir()
    (repo / "web").mkdir()
    files = {
        "pkg/texts.py": 'HELP = "Help."\n',
        "web/a$b.ts": 'export const HINT = "hint";\n',
        "pkg/server.py": "from .texts import HELP\n@mcp.tool(description=HELP)\ndef helper(): ...\n",
        "pkg/other.py": "import pkg.texts as t  # Tool\n",
        "pkg/unrelated.py": "from .textsx import HELP  # Tool\n",
        "pkg/no_tools.py": "from .texts import HELP\n",
        "web/tools.ts": "import { HINT } from './a$b';\nserver.registerTool('x', { description: HINT });\n",
        "web/near.ts": "import { HINT } from './a$bc';  // Prompt\n",
    }
    for name, text in files.items():
        (repo / name).write_text(text, encoding="utf-8")
    # a line that is not UTF-8 (a Latin-1 module) is searched as bytes, whatever the user's locale
    (repo / "pkg" / "latin.py").write_bytes(b"# -*- coding: latin-1 -*-\nimport \xff_helper, texts  # Tool\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "one")
    base = git(repo, "rev-parse", "HEAD").strip()
    (repo / "pkg" / "texts.py").write_text('HELP = "Help with everything."\n', encoding="utf-8")
    (repo / "web" / "a$b.ts").write_text('export const HINT = "a hint";\n', encoding="utf-8")
    with_perl, perl_kinds = _importers_found(repo, base, perl=True)
    posix, posix_kinds = _importers_found(repo, base, perl=False)
    assert with_perl == posix == ["pkg/latin.py", "pkg/other.py", "pkg/server.py", "web/tools.ts"]
    assert perl_kinds[0] == "-P" and posix_kinds == ["-P", "-E"]  # a git without Perl regexes: searched again


def test_the_history_is_read_a_part_at_a_time_between_the_changes(make_repo, monkeypatch):
    """Once git has ended, each change is followed by one part of the history read, so the history is not
    read in one pause when its blocks are first needed; once it is read, the blocks of the files before
    come, and each later file's follow it. The fragments are the same, whatever the size of a part."""
    from sentinel_hooks.sources import git_history

    repo = make_repo()
    (repo / "app.py").write_text("A = 1\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "base")
    base = git(repo, "rev-parse", "HEAD").strip()
    for n in range(3):
        (repo / "app.py").write_text(f"A = {n + 2}\nTOKEN = 'secret-{n}'\n")
        for k in range(4):
            (repo / f"notes{k}.md").write_text(f"# notes {k} of commit {n}\n" * 5)
        git(repo, "add", "-A")
        git(repo, "commit", "-q", "-m", f"commit {n}")

    def scan(events: list[str]) -> list[tuple]:
        runner = Git(cwd=repo)
        with DiffScan(runner, locate(runner, "test"), Comparison(base, WORKTREE), history=True) as source:
            source.changes()
            source._history_run.proc.wait()  # git has ended before the first change is read
            seen = []
            for f in source.fragments():
                events.append("change" if f.commit is None else "history")
                seen.append((f.path, f.commit, f.first_line, f.text))
        return seen

    whole = scan([])
    monkeypatch.setattr(git_history, "PART_BYTES", 64)
    events: list[str] = []
    real_advance = git_history.HistoryReader.advance
    monkeypatch.setattr(git_history.HistoryReader, "advance", lambda self: events.append("part") or real_advance(self))
    parted = scan(events)
    assert sorted(parted, key=repr) == sorted(whole, key=repr)  # the same fragments, the blocks come later
    before_history = events[:events.index("history")]
    assert before_history[:4] == ["change", "part", "change", "part"]  # a part after each change
    assert before_history.count("part") > 2
