"""Argument types shared by the commands: one whole-number type with its bounds."""
from __future__ import annotations

import argparse

import pytest

from sentinel_hooks.commands.common import exit_code, positive_int, whole_number


@pytest.mark.parametrize("parse, text, expected", [
    (exit_code, "0", 0), (exit_code, "255", 255), (positive_int, "1", 1), (positive_int, "10000", 10000),
    (whole_number(0, 50), " 7 ", 7),
])
def test_whole_numbers_within_their_bounds_are_accepted(parse, text, expected):
    assert parse(text) == expected


@pytest.mark.parametrize("parse, text, message", [
    (exit_code, "256", "must be 0-255, got 256"), (exit_code, "-1", "must be 0-255, got -1"),
    (positive_int, "0", "must be at least 1, got 0"), (whole_number(0, 50), "51", "must be 0-50, got 51"),
    (exit_code, "3.5", "not a whole number: '3.5'"), (positive_int, "many", "not a whole number: 'many'"),
])
def test_other_values_are_refused_with_the_bounds_in_one_line(parse, text, message):
    with pytest.raises(argparse.ArgumentTypeError, match=f"^{message}$"):
        parse(text)
