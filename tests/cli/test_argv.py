"""How the command line is read before argparse: options before the sub-command, folded YAML lines."""
from __future__ import annotations

from sentinel_hooks.cli import command_first, unfolded


def test_options_before_the_sub_command_move_after_it():
    assert command_first(["--debug", "scan", "."]) == ["scan", "--debug", "."]
    assert command_first(["--config", "c.yaml", "rules"]) == ["rules", "--config", "c.yaml"]
    assert command_first(["scan", "--debug"]) == ["scan", "--debug"]
    assert command_first(["--version"]) == ["--version"]
    assert command_first(["--bogus", "--", "scan"]) == ["--bogus", "--", "scan"]


def test_a_folded_yaml_line_leaves_options_with_a_leading_blank():
    assert unfolded([".", " --output", "sarif", "\t--timeout", "5"]) == [".", "--output", "sarif", "--timeout", "5"]
    assert unfolded([" file with leading blank.py", "-"]) == [" file with leading blank.py", "-"]
