"""`mcp-sentinel ignore`: accept findings by fingerprint in .mcp-sentinel-ignore.

  ignore add FINGERPRINT... [--reason TEXT]   list these findings
  ignore add --from REPORT [--reason TEXT]    list every unsuppressed finding of a JSON or SARIF report
  ignore list                                 show the entries
  ignore prune [--dry-run]                    scan the repository, drop entries that match no finding

The file lives at the repository root, one entry a line; '#' lines and blank lines are kept:

  <fingerprint>  [<rule-id>  [<path>]]  [# reason]

A fingerprint is '<32 hex digits>:<occurrence>' as the JSON and SARIF reports give it; the bare
hash accepts every occurrence. Rule id and path are for the reader; matching uses the fingerprint.
Listed findings are reported as suppressed ("ignore-file") and do not fail the scan.
Only 'add' and 'prune' write, and only the ignore file, atomically.
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

from sentinel_hooks import ignore_file
from sentinel_hooks.commands import common
from sentinel_hooks.errors import ConfigError, FileSystemError, ScanTimeout
from sentinel_hooks.ignore_file import Entry
from sentinel_hooks.printable import printable


def add_parser(sub) -> None:
    p = sub.add_parser("ignore", help="accept findings by fingerprint (.mcp-sentinel-ignore)",
                       description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    actions = p.add_subparsers(dest="ignore_action", metavar="ACTION", parser_class=common.Parser)
    add = actions.add_parser("add", help="add fingerprints, or every finding of a report")
    add.add_argument("fingerprints", nargs="*", metavar="FINGERPRINT")
    add.add_argument("--from", dest="from_report", type=Path, metavar="REPORT",
                     help="a JSON or SARIF report of mcp-sentinel: accept all of its unsuppressed findings")
    add.add_argument("--reason", default="", metavar="TEXT", help="why the findings are accepted")
    add.add_argument("--debug", action="store_true")
    lst = actions.add_parser("list", help="show the entries of the ignore file")
    lst.add_argument("--debug", action="store_true")
    prune = actions.add_parser("prune", help="scan the repository and remove entries that match nothing")
    common.add_rule_options(prune)
    prune.add_argument("--exclude-dir", action="append", type=common.csv, default=[], metavar="DIR[,DIR]")
    prune.add_argument("--exclude-pattern", action="append", type=common.csv, default=[], metavar="GLOB[,GLOB]")
    prune.add_argument("--dry-run", action="store_true", help="show what would be removed, change nothing")
    prune.add_argument("--debug", action="store_true")
    p.add_argument("--debug", action="store_true")


def run(args: argparse.Namespace) -> int:
    action = getattr(args, "ignore_action", None)
    if action is None:
        raise ConfigError("ignore: give an action: add, list or prune")
    root = common.find_root(Path.cwd())
    return {"add": run_add, "list": run_list, "prune": run_prune}[action](args, root)


def run_add(args: argparse.Namespace, root: Path) -> int:
    new = [Entry(ignore_file.normalise_fingerprint(fp), reason=args.reason) for fp in args.fingerprints]
    if args.from_report is not None:
        new += [Entry(ignore_file.normalise_fingerprint(fp), rule, path, args.reason) for fp, rule, path in report_findings(args.from_report)]
    if not new:
        raise ConfigError("ignore add: give fingerprints or --from REPORT")
    ignore = ignore_file.load(root)
    added = sum(1 for entry in new if ignore.add(entry))
    if added:
        ignore_file.save(root, ignore)
    already = len(new) - added
    note = f" ({already} already listed)" if already else ""
    print(f"added {added} entr{'y' if added == 1 else 'ies'} to {ignore_file.FINDINGS_IGNORE_FILE}{note}")
    return 0


def run_list(args: argparse.Namespace, root: Path) -> int:
    entries = ignore_file.load(root).entries
    for e in entries:
        print(printable(e.render()))
    print(f"{len(entries)} entr{'y' if len(entries) == 1 else 'ies'} in {ignore_file.FINDINGS_IGNORE_FILE}")
    return 0


def run_prune(args: argparse.Namespace, root: Path) -> int:
    ignore = ignore_file.load(root)
    if not ignore.entries:
        print(f"nothing to prune: {ignore_file.FINDINGS_IGNORE_FILE} has no entries")
        return 0
    fingerprints, errors = scan_repository(args, root)
    if errors:
        raise FileSystemError(f"ignore prune: {len(errors)} file(s) could not be read "
                              f"(first: {printable(errors[0][0])}); nothing removed")
    unused = ignore_file.unused_entries(ignore, fingerprints)
    for e in unused:
        print(f"{'would remove' if args.dry_run else 'removed'}: {printable(e.render())}")
    if unused and not args.dry_run:
        ignore.remove(unused)
        ignore_file.save(root, ignore)
    kept = len(ignore.entries) - (len(unused) if args.dry_run else 0)
    print(f"{len(unused)} unused entr{'y' if len(unused) == 1 else 'ies'} "
          f"{'found' if args.dry_run else 'removed'}; {kept} kept")
    return 0


def scan_repository(args: argparse.Namespace, root: Path) -> tuple[list[str], list[tuple[str, str]]]:
    """Scan the whole repository as `scan` does (every severity kept, this command's rule and exclude
    options on top); returns the fingerprints found and the (path, reason) of files that could not be read."""
    from sentinel_hooks.commands import scan as scan_command

    scan_args = scan_command.defaults([str(root)])
    scan_args.severity_threshold = "info"
    for option in ("config", "rules", "disable_rule", "no_builtin_rules", "exclude_dir", "exclude_pattern"):
        setattr(scan_args, option, getattr(args, option))
    result, _plan = scan_command.execute(scan_args)
    if result.incomplete is not None:
        raise ScanTimeout(result.incomplete)
    return [f.fingerprint for f in result.reported], result.errors


def report_findings(path: Path) -> list[tuple[str, str, str]]:
    """(fingerprint, rule id, path) of every unsuppressed finding in a JSON or SARIF report."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise FileSystemError(f"{path}: no such file") from None
    except OSError as exc:
        raise FileSystemError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    except (UnicodeDecodeError, ValueError):
        raise ConfigError(f"{path}: not a JSON or SARIF report of mcp-sentinel (invalid JSON)") from None
    if isinstance(data, dict) and isinstance(data.get("findings"), list):
        return [(f["fingerprint"], str(f.get("rule_id", "")), str(f.get("path", "")))
                for f in data["findings"]
                if isinstance(f, dict) and f.get("fingerprint") and not f.get("suppressed")]
    if isinstance(data, dict) and isinstance(data.get("runs"), list):
        return _sarif_findings(data)
    raise ConfigError(f"{path}: not a JSON or SARIF report of mcp-sentinel")


def _sarif_findings(data: dict) -> list[tuple[str, str, str]]:
    from urllib.parse import unquote

    from sentinel_hooks.report.sarif import FINGERPRINT_KEY

    out = []
    for run in data["runs"]:
        for r in (run.get("results") or []) if isinstance(run, dict) else []:
            fp = (r.get("partialFingerprints") or {}).get(FINGERPRINT_KEY)
            if not fp or r.get("suppressions"):
                continue
            uri = ""
            for loc in r.get("locations") or []:
                uri = unquote(loc.get("physicalLocation", {}).get("artifactLocation", {}).get("uri", ""))
                break
            out.append((fp, str(r.get("ruleId", "")), uri))
    return out

