"""`--baseline auto`: the diff base a CI job or a pre-commit hook announces in its environment."""
from __future__ import annotations

import os
from typing import Mapping, Optional

from sentinel_hooks.records import record
from sentinel_hooks.sources.git import NULL_SHA

SHARD_FALLBACK_NOTICE = ("--shard auto: CI_NODE_INDEX and CI_NODE_TOTAL are not set (a GitLab job with "
                         "parallel: sets them); scanning every file")
FALLBACK_NOTICE = ("--baseline auto: no diff base in the environment (GitLab merge request, GitHub pull "
                   "request or pre-commit refs); scanning everything")


@record(frozen=True)
class CiBase:
    """Compare ``ref`` (through its merge-base) with ``target``: a commit, or None for the work tree."""

    ref: str
    target: Optional[str]
    source: str


def _get(environ: Mapping[str, str], name: str) -> str:
    return (environ.get(name) or "").strip()


def detect(environ: Optional[Mapping[str, str]] = None) -> Optional[CiBase]:
    """The first diff base found: pre-commit's refs, a GitLab merge request, a GitHub pull request."""
    env = os.environ if environ is None else environ
    from_ref, to_ref = _get(env, "PRE_COMMIT_FROM_REF"), _get(env, "PRE_COMMIT_TO_REF")
    if from_ref and to_ref and from_ref != NULL_SHA:
        return CiBase(ref=from_ref, target=to_ref, source="pre-commit refs")
    gitlab = _get(env, "CI_MERGE_REQUEST_DIFF_BASE_SHA")
    if gitlab:
        return CiBase(ref=gitlab, target=None, source="GitLab merge request")
    github = _get(env, "GITHUB_BASE_REF")
    if github:
        ref = github.removeprefix("refs/heads/")
        return CiBase(ref=f"origin/{ref}", target=None, source="GitHub pull request")
    return None


def shard(environ: Optional[Mapping[str, str]] = None) -> Optional[tuple[int, int]]:
    """(K, N) of a parallel CI job: GitLab's 1-based CI_NODE_INDEX of CI_NODE_TOTAL; None when unset."""
    from sentinel_hooks.errors import ConfigError

    env = os.environ if environ is None else environ
    index, total = _get(env, "CI_NODE_INDEX"), _get(env, "CI_NODE_TOTAL")
    if not index and not total:
        return None
    try:
        k, n = int(index), int(total)
    except ValueError:
        raise ConfigError(f"--shard auto: CI_NODE_INDEX={index!r} and CI_NODE_TOTAL={total!r} are not "
                          f"whole numbers") from None
    if not 1 <= k <= n:
        raise ConfigError(f"--shard auto: CI_NODE_INDEX={k} is not between 1 and CI_NODE_TOTAL={n}")
    return k, n
