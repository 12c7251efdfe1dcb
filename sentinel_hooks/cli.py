"""Command line: one ``main(argv) -> int``; the only place that turns errors into exit codes."""
from __future__ import annotations

import argparse
import importlib
import sys
from typing import Optional, Sequence

from sentinel_hooks import __version__, errors, platform_os
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


def unfolded(argv: list[str]) -> list[str]:
    """Options with the leading blank a folded YAML line leaves (` --output`) read as options.

    A CI script written as a plain YAML scalar with shell line continuations (`scan . \\` and the
    options on the next lines, as in GitLab jobs) is folded into one line where each `\\ ` escapes a
    space, so the shell passes ` --output`: taken as a path it would make the job fail for nothing.
    """
    return [token.lstrip() if token[:1].isspace() and token.lstrip().startswith("-") else token
            for token in argv]


def command_first(argv: list[str]) -> list[str]:
    """Options written before the sub-command (`mcp-sentinel --debug scan .`) moved after it, where
    the sub-command's parser knows them; ``--help`` and ``--version`` stay with the top level."""
    if not argv or not argv[0].startswith("-") or argv[0] in ("-h", "--help", "--version"):
        return argv
    for i, token in enumerate(argv):
        if token in COMMAND_MODULES:
            return [token, *argv[:i], *argv[i + 1:]]
        if token == "--":
            break
    return argv


def main(argv: Optional[Sequence[str]] = None) -> int:
    argv = command_first(unfolded(list(sys.argv[1:] if argv is None else argv)))
    platform_os.protect_console()
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
    except BrokenPipeError:  # `mcp-sentinel rules | head`: the reader has what it wanted
        from sentinel_hooks.outputs import silence_stdout

        silence_stdout()
        return errors.EXIT_OK
    except Exception as exc:  # the one place unexpected errors become exit 1
        if debug:
            raise
        print(f"mcp-sentinel: unexpected error: {exc.__class__.__name__}: {_one_line(str(exc))} "
              f"(rerun with --debug for a traceback)", file=sys.stderr)
        return errors.EXIT_ERROR


def _one_line(text: str) -> str:
    from sentinel_hooks.printable import printable

    return printable(" ".join(text.split())) or "no detail"
