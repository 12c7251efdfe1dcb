"""History inside a pushed range: a secret added in one commit and removed in the next is in the
history a push publishes. ``--baseline REF`` and the pre-push hook (PRE_COMMIT_FROM_REF/TO_REF) report
it with the commit that added it; code rules keep judging the net change."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from commands.test_scan_git import github_token
from gitutil import git
from sentinel_hooks.cli import main

TOKEN = github_token("Hx4Kp9Wm2Qz7Rt5Vb8Nc3Jd6Lf1Gs0")
SECRET_RULE = "github-pat-classic"


@pytest.fixture
def pushed(make_repo, monkeypatch) -> dict[str, str]:
    """main, then a feature branch: commit 1 adds a token and an eval(), commit 2 takes both out."""
    for name in ("PRE_COMMIT_FROM_REF", "PRE_COMMIT_TO_REF", "CI_MERGE_REQUEST_DIFF_BASE_SHA", "GITHUB_BASE_REF"):
        monkeypatch.delenv(name, raising=False)
    repo = make_repo()
    monkeypatch.chdir(repo)
    (repo / "app.py").write_text("import os\n\n\ndef main():\n    return 0\n")
    _commit(repo, "initial")
    git(repo, "checkout", "-q", "-b", "feature")
    (repo / "app.py").write_text(f"import os\n\nTOKEN = '{TOKEN}'\n\n\ndef main(expr):\n    return eval(expr)\n")
    added = _commit(repo, "add the client")
    (repo / "app.py").write_text("import os\n\nTOKEN = os.environ['TOKEN']\n\n\ndef main(expr):\n    return 0\n")
    removed = _commit(repo, "read the token from the environment")
    return {"repo": str(repo), "main": git(repo, "rev-parse", "main").strip(), "added": added, "removed": removed}


def _commit(repo: Path, message: str) -> str:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)
    return git(repo, "rev-parse", "HEAD").strip()


def _scan(capsys, *args: str) -> tuple[int, dict]:
    code = main(["scan", "--no-cache", "-o", "json", *args])
    return code, json.loads(capsys.readouterr().out)


def test_baseline_reports_a_secret_added_then_removed_in_the_range(pushed, capsys):
    code, doc = _scan(capsys, "--baseline", "main")
    secrets = [f for f in doc["findings"] if f["rule_id"] == SECRET_RULE]
    assert [(f["path"], f["line"], f["extra"]["commit"]) for f in secrets] == [("app.py", 3, pushed["added"])]
    assert TOKEN not in json.dumps(doc)  # redacted like any other finding
    assert code == 3
    # code rules judge the net change: the eval() is gone at the tip
    assert not [f for f in doc["findings"] if f["rule_id"] == "python-eval-dynamic"]
    assert doc["scan"]["history_commits"] == 2


def test_pre_push_refs_report_it(pushed, capsys, monkeypatch):
    monkeypatch.setenv("PRE_COMMIT_FROM_REF", pushed["main"])
    monkeypatch.setenv("PRE_COMMIT_TO_REF", pushed["removed"])
    code, doc = _scan(capsys, "--baseline", "auto")
    assert [(f["rule_id"], f["extra"].get("commit")) for f in doc["findings"]] == [(SECRET_RULE, pushed["added"])]
    assert code == 3


def test_commit_shown_in_every_report(pushed, capsys):
    main(["scan", "--no-cache", "--baseline", "main"])
    assert f"commit: {pushed['added']}" in capsys.readouterr().out
    main(["scan", "--no-cache", "--baseline", "main", "-o", "sarif"])
    results = json.loads(capsys.readouterr().out)["runs"][0]["results"]
    assert [r["properties"].get("commit") for r in results] == [pushed["added"]]
    main(["scan", "--no-cache", "--baseline", "main", "-o", "gitlab-sast"])
    (vulnerability,) = json.loads(capsys.readouterr().out)["vulnerabilities"]
    assert vulnerability["description"].endswith(f"Added in commit {pushed['added']}.")
    main(["scan", "--no-cache", "--baseline", "main", "-o", "html"])
    assert pushed["added"] in capsys.readouterr().out


def test_a_secret_still_at_the_tip_is_reported_once_with_its_commit(pushed, capsys):
    repo = Path(pushed["repo"])
    (repo / "settings.py").write_text(f"KEY = '{TOKEN}'\n")
    again = _commit(repo, "oops")
    (repo / "notes.md").write_text("unrelated\n")
    _commit(repo, "notes")
    code, doc = _scan(capsys, "--baseline", "main")
    secrets = sorted((f["path"], f["line"], f["extra"]["commit"]) for f in doc["findings"] if f["rule_id"] == SECRET_RULE)
    assert secrets == [("app.py", 3, pushed["added"]), ("settings.py", 1, again)]


def test_staged_scans_have_no_history(pushed, capsys):
    code, doc = _scan(capsys, "--staged")
    assert code == 0 and doc["findings"] == [] and "history_commits" not in doc["scan"]


def test_attributes_in_the_range_do_not_hide_a_commit_from_the_history(make_repo, monkeypatch, capsys):
    """`.gitattributes` saying `-diff` makes git show the file as binary: its content decides."""
    repo = make_repo()
    monkeypatch.chdir(repo)
    (repo / "app.py").write_text("import os\n")
    _commit(repo, "initial")
    git(repo, "checkout", "-q", "-b", "feature")
    (repo / ".gitattributes").write_text("*.env -diff\n")
    (repo / "prod.env").write_text(f"GITHUB_TOKEN={TOKEN}\n")
    added = _commit(repo, "add settings")
    (repo / "prod.env").write_text("GITHUB_TOKEN=\n")
    _commit(repo, "empty the token")
    code, doc = _scan(capsys, "--baseline", "main")
    assert [(f["path"], f["rule_id"], f["extra"].get("commit")) for f in doc["findings"]
            if f["rule_id"] == SECRET_RULE] == [("prod.env", SECRET_RULE, added)]


@pytest.mark.parametrize("limit", [[], ["--timeout", "300"]], ids=["in process", "in a worker"])
def test_a_secret_moved_down_by_a_later_commit_keeps_the_commit_that_added_it(pushed, capsys, limit):
    """The block that added it is held by the net change at another line: still read for its commit
    (under a time limit the engine, this re-read included, runs in a worker process)."""
    repo = Path(pushed["repo"])
    (repo / "settings.py").write_text(f"KEY = '{TOKEN}'\n")
    again = _commit(repo, "oops")
    (repo / "settings.py").write_text(f"import os\n\n\nKEY = '{TOKEN}'\n")
    _commit(repo, "imports")
    code, doc = _scan(capsys, "--baseline", "main", *limit)
    secrets = sorted((f["path"], f["line"], f["extra"]["commit"]) for f in doc["findings"] if f["rule_id"] == SECRET_RULE)
    assert secrets == [("app.py", 3, pushed["added"]), ("settings.py", 4, again)] and code == 3


def test_blocks_the_net_change_holds_are_judged_there(pushed):
    """Only blocks gone from the net change are scanned as history; the others are held back and read
    again only under a net finding."""
    from sentinel_hooks.sources.git import Git, locate
    from sentinel_hooks.sources.git_diff import WORKTREE, Comparison, DiffScan

    repo = Path(pushed["repo"])
    (repo / "notes.py").write_text("A = 1\nB = 2\n")
    notes = _commit(repo, "notes")
    runner = Git(repo)
    with DiffScan(runner, locate(runner, "test"), Comparison(pushed["main"], WORKTREE), history=True) as source:
        history = [(f.path, f.commit, f.text) for f in source.fragments() if f.commit is not None]
        held = [(h.block.path, h.block.commit, h.first, h.last) for h in source.held_back]
        # lines the tip no longer has are scanned; lines the net change adds as they were are held back
        assert history == [("app.py", pushed["added"], f"TOKEN = '{TOKEN}'\n"),
                           ("app.py", pushed["added"], "\ndef main(expr):\n    return eval(expr)\n"),
                           ("app.py", pushed["removed"], "    return 0\n")]  # the tip has it, but from the base
        assert sorted(held) == sorted([("app.py", pushed["removed"], 3, 3), ("notes.py", notes, 1, 2)])
        assert source.held_back_fragments([]) == []

        class Reported:
            path, line, end_line = "notes.py", 2, 2

        (again,) = source.held_back_fragments([Reported()])
        assert (again.path, again.commit, again.text, again.categories) == ("notes.py", notes, "A = 1\nB = 2\n",
                                                                           frozenset({"secrets"}))



def test_past_the_search_budget_every_block_is_scanned_itself(pushed, monkeypatch):
    """A history of very many blocks in a large file cannot keep the search for them going unchecked:
    past the budget, blocks are scanned as history, where the time limit applies."""
    from sentinel_hooks.sources import git_history
    from sentinel_hooks.sources.git import Git, locate
    from sentinel_hooks.sources.git_diff import WORKTREE, Comparison, DiffScan

    repo = Path(pushed["repo"])
    (repo / "notes.py").write_text("A = 1\nB = 2\n")
    notes = _commit(repo, "notes")
    monkeypatch.setattr(git_history, "MAX_NET_SEARCH_CHARS", 0)
    runner = Git(repo)
    with DiffScan(runner, locate(runner, "test"), Comparison(pushed["main"], WORKTREE), history=True) as source:
        history = [(f.path, f.commit) for f in source.fragments() if f.commit is not None]
        assert ("notes.py", notes) in history and ("app.py", pushed["removed"]) in history
        assert source.held_back == []


def test_held_back_blocks_under_findings_are_those_a_finding_overlaps(tmp_path):
    """Compared with testing every finding against every block, on random spans."""
    import random

    from sentinel_hooks.sources.git import Git, Repo
    from sentinel_hooks.sources.git_diff import WORKTREE, Comparison, DiffScan
    from sentinel_hooks.sources.git_history import AddedBlock, HeldBlock

    class Reported:
        def __init__(self, path: str, line: int, end_line: int):
            self.path, self.line, self.end_line = path, line, end_line

    rng = random.Random(7)
    source = DiffScan(Git(tmp_path), Repo(tmp_path, "", None, False), Comparison("a" * 40, WORKTREE))
    for _ in range(200):
        source.held_back = []
        for i in range(rng.randint(0, 30)):
            first = rng.randint(1, 80)
            block = AddedBlock(f"c{i}", rng.choice("ab"), first, "x\n")
            source.held_back.append(HeldBlock(block, first, first + rng.randint(0, 6)))
        findings = []
        for _ in range(rng.randint(0, 8)):
            line = rng.randint(1, 90)
            findings.append(Reported(rng.choice("abc"), line, line + rng.randint(0, 4)))
        expected = [h.block for h in source.held_back
                    if any(f.path == h.block.path and f.line <= h.last and h.first <= f.end_line for f in findings)]
        assert [(f.path, f.commit) for f in source.held_back_fragments(findings)] == \
            [(b.path, b.commit) for b in expected]


def _history_scan(repo: Path, base: str, *, log_done_early: bool) -> tuple[list, list]:
    """The fragments of a range's diff scan and its held-back blocks, with git's log of the history
    ended before the first change is read, or (as if it took long) read only after the last one."""
    from sentinel_hooks.sources.git import Git, locate
    from sentinel_hooks.sources.git_diff import WORKTREE, Comparison, DiffScan

    runner = Git(repo)
    with DiffScan(runner, locate(runner, "test"), Comparison(base, WORKTREE), history=True) as source:
        source.changes()
        log = source._history_run
        assert log is not None
        if log_done_early:
            log.proc.wait()
        else:
            log.done = lambda: False  # type: ignore[method-assign]
        fragments = [(f.path, f.commit, f.first_line, f.text) for f in source.fragments()]
        held = [(h.block.path, h.block.commit, h.first, h.last) for h in source.held_back]
    return fragments, held


def test_history_blocks_come_once_git_has_read_the_history_and_then_beside_their_file(pushed):
    """git writes the range's log in the background. Once it has ended, the log is read a part after each
    change (the workers busy with the files sent): the blocks of the files before come once it is read,
    and each later file's blocks right after it; if git ends only after the last change, every block comes
    at the end. What is scanned as history and what is held back for the net change are the same either
    way."""
    repo = Path(pushed["repo"])
    names = [f"m{n}.py" for n in range(8)]
    for n in range(3):
        for name in names:
            path = repo / name
            before = path.read_text() if path.exists() else ""
            path.write_text(before + f"KEY_{n} = '{name}-{n}'\n" + ("" if n else "gone = 1\n"))
        _commit(repo, f"round {n}")
    for name in names:
        (repo / name).write_text((repo / name).read_text().replace("gone = 1\n", ""))
    _commit(repo, "drop a line")
    early, early_held = _history_scan(repo, pushed["main"], log_done_early=True)
    late, late_held = _history_scan(repo, pushed["main"], log_done_early=False)
    history = [f for f in late if f[1] is not None]
    net = [f[0] for f in late if f[1] is None]
    assert [f for f in early if f[1] is None] == [f for f in late if f[1] is None]
    assert sorted(f for f in early if f[1] is not None) == sorted(history) and sorted(early_held) == sorted(late_held)
    assert {f[0] for f in history} == {"app.py", *names} and early_held  # both kinds occur
    # the eight added files come first but the last two, which follow app.py (the one changed file)
    assert net == names[:6] + ["app.py"] + names[6:]
    # late: all history at the end
    assert [f[1] is not None for f in late] == sorted(f[1] is not None for f in late)
    # early: git had ended, so the history is read a part after each change (here one part: read after the
    # second change); the blocks of the files before come then, and each later file's blocks right after it
    read_at = next(i for i, f in enumerate(early) if f[1] is not None)
    assert read_at < [f[0] for f in early].index("app.py")
    settled = {f[0] for f in early[:read_at]}
    upto = next(i for i in range(read_at, len(early)) if early[i][1] is None)
    assert {f[0] for f in early[read_at:upto]} == settled
    for before, block in zip(early[upto - 1:], early[upto:]):
        if block[1] is not None:
            assert before[0] == block[0]
    # a file's blocks keep the history's order (oldest commit first)
    for path in ("app.py", *names):
        assert [f for f in early if f[1] is not None and f[0] == path] == [f for f in history if f[0] == path]
