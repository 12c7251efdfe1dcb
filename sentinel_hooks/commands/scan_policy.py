"""`scan --baseline`: a diff scan that judges the compared range's changes to the scan's own policy.

The policy (configuration, ``.mcp-sentinelignore``, ``.mcp-sentinel-ignore``, rule packs inside the
repository, inline suppressions) is read twice: as the range leaves it (the work tree) and as the base
had it (git objects). The scan runs under the effective one (the range's by default, the base's with
``--policy-from base``) and, when the two differ in what they scan, under the other as well; findings
active under the base's policy and not under the range's are what the range's changes hide. Every
change is reported as a ``policy-change`` finding (see ``policy_changes``).
"""
from __future__ import annotations

import argparse
import copy
import os
import sys
from pathlib import Path
from typing import Any, Optional

from sentinel_hooks import ignore_file, policy_changes, policy_snapshot
from sentinel_hooks.config import CONFIG_FILE
from sentinel_hooks.errors import ConfigError
from sentinel_hooks.findings import Finding, assign_fingerprints
from sentinel_hooks.ignore_file import FINDINGS_IGNORE_FILE
from sentinel_hooks.policy_changes import INLINE_ADDED, INLINE_LINE, finding_key
from sentinel_hooks.records import record
from sentinel_hooks.sources.files import PATH_IGNORE_FILE


def run_baseline(args: argparse.Namespace, root: Path, head_plan, rule_paths: list[Path], source, deadline,
                 workers: int = 1):
    """A ``--baseline`` scan: (the plan whose exit codes apply, the result, its ``policy`` set). On a
    timeout the result is the effective policy's scan as far as it got, ``incomplete``, not judged."""
    from sentinel_hooks.commands.scan import make_plan
    from sentinel_hooks.scan_result import PolicyJudgement

    strict = args.policy_from == "base"
    explicit_rel = policy_snapshot.repo_relative(root, args.config) if args.config is not None else None
    operator_config = args.config is not None and explicit_rel is None  # outside the repository: trusted
    head_pack_rels = _inside(root, rule_paths)
    head_files = policy_snapshot.in_work_tree(root, [explicit_rel or "", *head_pack_rels])
    unreadable = None
    try:
        base = _base_policy(args, root, head_plan, source, head_files, explicit_rel, operator_config, head_pack_rels)
    except ConfigError as exc:
        if strict:
            raise
        # a base whose policy is broken: the range is compared with the defaults, the strictest policy
        unreadable = str(exc)
        print(f"mcp-sentinel: the base's policy cannot be used ({unreadable}); policy changes are judged "
              f"against the defaults", file=sys.stderr)
        base = _default_policy(args, root, source)
    finally:
        source.close_reader()  # git's work for the comparison, begun before the rules loaded, goes to the scan
    head_ignore = ignore_file.load(root)
    base_plan = make_plan(args, base.cfg, base.rules, base.files.lines(PATH_IGNORE_FILE))
    same_scan = (base.cfg == head_plan.cfg and base.packs_unchanged
                 and base.files.lines(PATH_IGNORE_FILE) == head_files.lines(PATH_IGNORE_FILE))

    effective_plan, other_plan = (base_plan, head_plan) if strict else (head_plan, base_plan)
    result = _scan_under(effective_plan, source, deadline, workers)
    if result.incomplete is not None:
        return head_plan, result
    if same_scan:
        other = copy.deepcopy(result.findings)
    else:
        other_result = _scan_under(other_plan, source, deadline, workers)
        if other_result.incomplete is not None:
            result.incomplete = other_result.incomplete
            return head_plan, result
        other = other_result.findings
    head_findings, base_findings = (other, result.findings) if strict else (result.findings, other)
    _judge_under_range(head_findings, head_ignore)
    _judge_under_base(base_findings, base.ignore)
    if getattr(args, "report_unused_ignores", False):
        for entry in ignore_file.unused_entries(head_ignore, (f.fingerprint for f in head_findings)):
            print(f"mcp-sentinel: unused ignore entry ({ignore_file.FINDINGS_IGNORE_FILE}:{entry.line_number}): "
                  f"{entry.render()}", file=sys.stderr)

    head_active = {finding_key(f) for f in head_findings if not f.suppressed and f.severity >= head_plan.threshold}
    hidden = [f for f in base_findings if not f.suppressed and f.severity >= base_plan.threshold
              and finding_key(f) not in head_active]
    changes = [] if operator_config else _config_changes(base, head_plan.cfg, head_files, explicit_rel)
    changes += policy_changes.exclude_file_changes(base.files.lines(PATH_IGNORE_FILE),
                                                   head_files.lines(PATH_IGNORE_FILE),
                                                   PATH_IGNORE_FILE)
    changes += policy_changes.ignore_entry_changes(base.ignore, head_ignore, FINDINGS_IGNORE_FILE)
    changes += policy_changes.pack_changes(base.files, head_files,
                                           _all_pack_files(head_files, base.files, head_pack_rels))
    changes += policy_changes.attribute(hidden, {finding_key(f): f for f in head_findings}, changes,
                                        head_rule_ids={r.id for r in head_plan.rules},
                                        head_threshold=head_plan.threshold, ignore_path=FINDINGS_IGNORE_FILE)

    made = [policy_changes.to_finding(c, applied=not strict, line_text=_line_text(c, head_files)) for c in changes]
    assign_fingerprints(made)
    for f in result.findings:
        f.extra.pop(INLINE_LINE, None)
        f.extra.pop(INLINE_ADDED, None)
    result.findings = sorted(result.findings + made, key=Finding.sort_key)
    result.rules = [*effective_plan.rules, policy_changes.rule()]
    result.range_hidden = set() if strict else {finding_key(f) for f in hidden}
    # policy-change findings stay visible whatever threshold the range sets
    result.policy_threshold = min(head_plan.threshold, base_plan.threshold)
    result.policy = PolicyJudgement(source="base" if strict else "range", changes=len(changes), hidden=len(hidden),
                                    base_unreadable=unreadable)
    return effective_plan, result


def _scan_under(plan, source, deadline, workers: int = 1):
    """The diff scan of ``source``'s comparison under one policy's plan."""
    from sentinel_hooks import orchestration

    fresh = source.again(context=plan.context, excludes=plan.excludes, max_file_size=plan.max_file_size)
    return orchestration.scan_diff(plan.engine, fresh, threshold=plan.threshold, deadline=deadline, workers=workers)


def _judge_under_range(findings: list[Finding], ignore) -> None:
    """The range's policy: its ignore file (inline suppressions were applied by the engine)."""
    ignore_file.apply(findings, ignore, any_occurrence=True)


def _judge_under_base(findings: list[Finding], ignore) -> None:
    """The base's policy: its ignore file, and only the suppression comments the range did not add."""
    for f in findings:
        f.suppressed_by = None
    ignore_file.apply(findings, ignore, any_occurrence=True)
    for f in findings:
        if f.suppressed_by is None and f.extra.get(INLINE_LINE) is not None and not f.extra.get(INLINE_ADDED):
            f.suppressed_by = "inline"


def _config_changes(base, head_cfg, head_files, explicit_rel: Optional[str]) -> list[policy_changes.Change]:
    head_rel = config_rel(head_files, explicit_rel)
    path = head_rel or base.cfg_rel or CONFIG_FILE
    return policy_changes.config_changes(base.cfg, head_cfg, path, head_files.text(path))


@record
class BasePolicy:
    files: policy_snapshot.PolicySnapshot
    cfg: Any
    cfg_rel: Optional[str]
    rules: list
    ignore: Any
    packs_unchanged: bool


def _base_policy(args: argparse.Namespace, root: Path, head_plan, source, head_files, explicit_rel: Optional[str],
                 operator_config: bool, head_pack_rels: list[str]) -> BasePolicy:
    """The policy files of the comparison's base, read from git objects, and what they make."""
    from sentinel_hooks.commands import common

    base_sha = source.comparison.base
    base_files = policy_snapshot.at_revision(source.git, source.blobs, base_sha, [explicit_rel or ""])
    if operator_config:
        base_cfg, base_cfg_rel = head_plan.cfg, None
    else:
        base_cfg_rel = config_rel(base_files, explicit_rel)
        base_cfg = settings_of(base_files, base_cfg_rel, head_files, config_rel(head_files, explicit_rel),
                               head_plan.cfg)
    base_pack_paths = _config_pack_paths(root, base_cfg, base_cfg_rel) + list(args.rules)
    base_pack_rels = _inside(root, base_pack_paths)
    if base_pack_rels:
        more = policy_snapshot.at_revision(source.git, source.blobs, base_sha, base_pack_rels + head_pack_rels)
        base_files.texts.update(more.texts)
        base_files.folders.update(more.folders)
    packs_unchanged = all(base_files.text(r) == head_files.text(r) for r in _all_pack_files(
        head_files, base_files, head_pack_rels + base_pack_rels))
    if packs_unchanged and base_cfg == head_plan.cfg:
        base_rules = head_plan.rules
    elif packs_unchanged:  # the packs on disk are the base's: the rule-set cache serves
        base_rules = common.load_rules(args, base_cfg, base_pack_paths,
                                       base_cfg.disabled_rules + common.flatten(args.disable_rule), root)
    else:
        base_rules = _rules_at_base(args, root, base_cfg, base_pack_paths, base_files)
    base_ignore = ignore_file.parse(base_files.text(FINDINGS_IGNORE_FILE) or "")
    return BasePolicy(base_files, base_cfg, base_cfg_rel, base_rules, base_ignore, packs_unchanged)


def _default_policy(args: argparse.Namespace, root: Path, source) -> BasePolicy:
    from sentinel_hooks.commands import common
    from sentinel_hooks.config import Settings

    cfg = Settings()
    rules = common.load_rules(args, cfg, list(args.rules), common.flatten(args.disable_rule), root)
    return BasePolicy(policy_snapshot.PolicySnapshot(where=f"at {source.comparison.base[:7]}"), cfg, None, rules,
                      ignore_file.IgnoreFile([]), False)


def config_rel(files: policy_snapshot.PolicySnapshot, explicit_rel: Optional[str]) -> Optional[str]:
    """The repository-relative configuration file ``config.discover`` would choose among ``files``."""
    from sentinel_hooks.config import has_pyproject_section

    if explicit_rel is not None:
        return explicit_rel if files.text(explicit_rel) is not None else None
    if files.text(CONFIG_FILE) is not None:
        return CONFIG_FILE
    text = files.text(policy_snapshot.PYPROJECT)
    if text is not None and has_pyproject_section(text, files.where):
        return policy_snapshot.PYPROJECT
    return None


def settings_of(files: policy_snapshot.PolicySnapshot, rel: Optional[str], head_files: policy_snapshot.PolicySnapshot,
                head_rel: Optional[str], head_cfg):
    """The Settings of ``files``' configuration: the range's own when the text is the same (no parsing)."""
    from sentinel_hooks.config import Settings, settings_from_text

    if rel is None:
        return head_cfg if head_rel is None else Settings()
    text = files.text(rel)
    if rel == head_rel and text == head_files.text(head_rel):
        return head_cfg
    return settings_from_text(rel, text, files.where) or Settings()


def _config_pack_paths(root: Path, cfg, cfg_rel: Optional[str]) -> list[Path]:
    folder = root / os.path.dirname(cfg_rel) if cfg_rel else root
    return [p if p.is_absolute() else folder / p for p in map(Path, cfg.rules)]


def _inside(root: Path, paths: list[Path]) -> list[str]:
    return [rel for rel in (policy_snapshot.repo_relative(root, p) for p in paths) if rel is not None]


def _all_pack_files(head_files, base_files, rels: list[str]) -> list[str]:
    out: list[str] = []
    for rel in rels:
        for name in head_files.packs(rel) + base_files.packs(rel):
            if name not in out:
                out.append(name)
    return out


def _rules_at_base(args: argparse.Namespace, root: Path, cfg, pack_paths: list[Path], base_files) -> list:
    """The rule set the base's policy names: its packs inside the repository read from the base."""
    from sentinel_hooks.commands import common
    from sentinel_hooks.engine import rules as rules_mod

    packs = rules_mod.load_builtin_packs() if cfg.builtin_rules and not args.no_builtin_rules else []
    for path in pack_paths:
        rel = policy_snapshot.repo_relative(root, path)
        if rel is None:
            packs.extend(rules_mod.load_user_pack(path))
            continue
        names = base_files.packs(rel)
        if not names:
            raise ConfigError(f"rule pack {rel}: no such file or folder {base_files.where}")
        for name in names:
            packs.append(rules_mod.parse_pack(base_files.text(name), f"{name} ({base_files.where})"))
    return rules_mod.assemble_ruleset(packs, cfg.disabled_rules + common.flatten(args.disable_rule))


def _line_text(change: policy_changes.Change, head_files) -> str:
    if change.kind == "inline":
        # the scanned line may hold a secret: show the (redacted) snippet of what it hides
        first = next((f for f in change.hidden if f.line == change.line), None)
        return first.snippet if first is not None else ""
    lines = head_files.lines(change.path)
    return lines[change.line - 1] if 0 < change.line <= len(lines) else ""
