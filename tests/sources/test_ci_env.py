"""`--baseline auto`: finding the diff base in CI and pre-commit environments."""
from __future__ import annotations

from sentinel_hooks.sources.ci_env import CiBase, detect


def test_nothing_in_the_environment():
    assert detect({}) is None
    assert detect({"GITHUB_BASE_REF": "", "CI_MERGE_REQUEST_DIFF_BASE_SHA": "  "}) is None


def test_gitlab_merge_request():
    assert detect({"CI_MERGE_REQUEST_DIFF_BASE_SHA": "abc123"}) == \
        CiBase(ref="abc123", target=None, source="GitLab merge request")


def test_github_pull_request_uses_the_remote_branch():
    assert detect({"GITHUB_BASE_REF": "main"}) == CiBase(ref="origin/main", target=None,
                                                         source="GitHub pull request")
    assert detect({"GITHUB_BASE_REF": "refs/heads/release/2.x"}).ref == "origin/release/2.x"


def test_pre_commit_refs_compare_commits_and_win_over_ci():
    env = {"PRE_COMMIT_FROM_REF": "aaa", "PRE_COMMIT_TO_REF": "bbb", "GITHUB_BASE_REF": "main"}
    assert detect(env) == CiBase(ref="aaa", target="bbb", source="pre-commit refs")


def test_pre_commit_needs_both_refs_and_a_real_from_ref():
    assert detect({"PRE_COMMIT_FROM_REF": "aaa"}) is None
    assert detect({"PRE_COMMIT_FROM_REF": "0" * 40, "PRE_COMMIT_TO_REF": "bbb",
                   "CI_MERGE_REQUEST_DIFF_BASE_SHA": "ccc"}).ref == "ccc"


def test_shard_from_a_gitlab_parallel_job():
    import pytest

    from sentinel_hooks.errors import ConfigError
    from sentinel_hooks.sources.ci_env import shard

    assert shard({}) is None
    assert shard({"CI_NODE_INDEX": "2", "CI_NODE_TOTAL": "3"}) == (2, 3)
    for bad in ({"CI_NODE_INDEX": "4", "CI_NODE_TOTAL": "3"}, {"CI_NODE_INDEX": "x", "CI_NODE_TOTAL": "3"},
                {"CI_NODE_INDEX": "1"}, {"CI_NODE_INDEX": "0", "CI_NODE_TOTAL": "2"}):
        with pytest.raises(ConfigError, match="--shard auto"):
            shard(bad)
