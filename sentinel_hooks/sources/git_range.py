"""Which two states a diff scan compares, and how the report names that range."""
from __future__ import annotations

import os
from typing import Mapping, Optional

from sentinel_hooks.errors import ConfigError
from sentinel_hooks.platform_os import typed_path_as_posix
from sentinel_hooks.records import record
from sentinel_hooks.sources import ci_env
from sentinel_hooks.sources.files import Excludes
from sentinel_hooks.sources.git import EMPTY_TREE, SHALLOW_HINT, Git, Repo, locate
from sentinel_hooks.sources.git_diff import INDEX, WORKTREE, Comparison, DiffScan, RangeInfo

REMOTE = "origin"


@record(frozen=True)
class Range:
    comparison: Comparison
    info: RangeInfo


def short(sha: str) -> str:
    return sha[:7]


def shown_ref(name: str) -> str:
    """A ref as the report shows it: full SHAs shortened, names as given."""
    if len(name) == 40 and all(c in "0123456789abcdef" for c in name.lower()):
        return short(name)
    return name


def staged(repo: Repo) -> Range:
    """The index against HEAD (against the empty tree before the first commit)."""
    if repo.head is None:
        info = RangeInfo(mode="staged", base=EMPTY_TREE, base_ref=None, target=INDEX,
                         label=f"empty tree (no commits yet) → {INDEX}")
        return Range(Comparison(EMPTY_TREE, INDEX), info)
    info = RangeInfo(mode="staged", base=repo.head, base_ref="HEAD", target=INDEX,
                     label=f"{short(repo.head)} (HEAD) → {INDEX}")
    return Range(Comparison(repo.head, INDEX), info)


def resolve_ref(git: Git, repo: Repo, ref: str) -> tuple[str, str]:
    """(the name that resolved, its commit SHA): ``ref`` itself, else ``origin/ref``."""
    sha = git.commit_of(ref)
    if sha is not None:
        return ref, sha
    if not ref.startswith(f"{REMOTE}/"):
        remote = f"{REMOTE}/{ref}"
        sha = git.commit_of(remote)
        if sha is not None:
            return remote, sha
    hint = f"; this clone is shallow: {SHALLOW_HINT}" if repo.shallow else ""
    raise ConfigError(f"baseline {ref!r} names no branch, tag or commit in this repository{hint}")


def baseline(git: Git, repo: Repo, ref: str, *, target_ref: Optional[str] = None,
             source: Optional[str] = None) -> Range:
    """merge-base(ref, HEAD) against the work tree, or merge-base(ref, target_ref) against the
    commit ``target_ref`` names."""
    name, ref_sha = resolve_ref(git, repo, ref)
    if target_ref is not None:
        target_sha = git.commit_of(target_ref)
        if target_sha is None:
            raise ConfigError(f"target {target_ref!r} names no commit in this repository")
        tip: Optional[str] = target_sha
    else:
        target_sha, tip = None, repo.head
    if tip is None:
        base = ref_sha  # no commits yet: everything in the work tree is new against the ref
    else:
        found = git.merge_base(ref_sha, tip)
        if found is None:
            if repo.shallow:
                raise ConfigError(f"no merge-base of {name} and {'HEAD' if target_ref is None else target_ref} "
                                  f"in this shallow clone: {SHALLOW_HINT}")
            raise ConfigError(f"{name} and {'HEAD' if target_ref is None else target_ref} share no history "
                              f"(no merge-base)")
        base = found
    target = WORKTREE if target_sha is None else target_sha
    shown_target = WORKTREE if target_sha is None else short(target_sha)
    info = RangeInfo(mode="baseline", base=base, base_ref=name, requested_ref=ref, target=target,
                     label=f"{short(base)} (merge-base of {shown_ref(name)}) → {shown_target}",
                     base_source=source or None)
    return Range(Comparison(base, target), info)


def open_scan(*, staged_mode: bool, baseline_ref: Optional[str], paths: list[str], context: int,
              excludes: Optional[Excludes] = None, max_file_size: Optional[int] = None,
              environ: Optional[Mapping[str, str]] = None) -> Optional[DiffScan]:
    """The diff scan the flags ask for, or None when ``--baseline auto`` finds no base.

    ``paths`` are as given on the command line (relative to the cwd). With ``--staged``, a named
    file with nothing staged is scanned whole, as pre-commit expects for ``--all-files``.
    """
    auto = None
    if baseline_ref == "auto":
        auto = ci_env.detect(environ)
        if auto is None:
            return None
    git = Git(env=environ)
    flag = "--staged" if staged_mode else "--baseline"
    repo = locate(git, flag)
    rel_paths = [repo.relative(p) for p in paths]
    shown_paths = [typed_path_as_posix(p) for p in paths] or ["."]
    if staged_mode:
        chosen = staged(repo)
        whole = [rel for rel in rel_paths if rel and not os.path.isdir(os.path.join(repo.root, rel))]
        return DiffScan(git, repo, chosen.comparison, paths=rel_paths, context=context, excludes=excludes,
                        max_file_size=max_file_size, whole_files=whole, info=chosen.info, shown_paths=shown_paths)
    if auto is not None:
        chosen = baseline(git, repo, auto.ref, target_ref=auto.target, source=auto.source)
    else:
        chosen = baseline(git, repo, str(baseline_ref))
    on_work_tree = chosen.comparison.target == WORKTREE
    return DiffScan(git, repo, chosen.comparison, paths=rel_paths, context=context, excludes=excludes,
                    max_file_size=max_file_size, untracked=on_work_tree, history=True,
                    info=chosen.info, shown_paths=shown_paths)
