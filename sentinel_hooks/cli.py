"""Command line: one ``main(argv) -> int``; the only place that turns errors into exit codes."""
from __future__ import annotations

import argparse
import importlib
import sys
from typing import Optional, Sequence

from sentinel_hooks import __version__, errors
from sentinel_hooks.commands.common import Parser
from sentinel_hooks.errors import SentinelError

# sub-command name -> module in sentinel_hooks.commands (each has add_parser and run)
COMMAND_MODULES = {"scan": "scan", "rules": "rules", "ignore": "ignore", "merge-results": "merge_results"}


def build_parser(argv: Sequence[str] = ()) -> argparse.ArgumentParser:
    """The parser; when ``argv`` names a sub-command, only that command's module is imported."""
    parser = Parser(prog="mcp-sentinel", description="Security scanner for MCP servers and clients.")
    parser.add_argument("--version", action="version", version=f"mcp-sentinel {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    names = [argv[0]] if argv and argv[0] in COMMAND_MODULES else list(COMMAND_MODULES)
    for name in names:
        importlib.import_module(f"sentinel_hooks.commands.{COMMAND_MODULES[name]}").add_parser(sub)
    return parser


def main(argv: Optional[Sequence[str]] = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in argv
    try:
        args = build_parser(argv).parse_args(argv)
        if args.command is None:
            build_parser().print_help(sys.stderr)
            return errors.EXIT_CONFIG
        module = importlib.import_module(f"sentinel_hooks.commands.{COMMAND_MODULES[args.command]}")
        return module.run(args)
    except SentinelError as exc:
        if debug:
            import traceback
            traceback.print_exc()
        print(f"mcp-sentinel: {_one_line(str(exc))}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("mcp-sentinel: interrupted", file=sys.stderr)
        return errors.EXIT_INTERRUPTED
    except Exception as exc:  # the one place unexpected errors become exit 1
        if debug:
            raise
        print(f"mcp-sentinel: unexpected error: {exc.__class__.__name__}: {_one_line(str(exc))} "
              f"(rerun with --debug for a traceback)", file=sys.stderr)
        return errors.EXIT_ERROR


def _one_line(text: str) -> str:
    return " ".join(text.split()) or "no detail"
