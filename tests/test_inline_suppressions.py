from sentinel_hooks.engine.comments import comments_by_line
from sentinel_hooks.inline_suppressions import suppressed_in_comments, suppression_ids


def inline_suppression(rule_id: str, line: str, previous_line: str) -> bool:
    """The suppression the engine applies to ``line`` with ``previous_line`` above it."""
    language = "javascript" if "//" in line + previous_line else "python"
    comments = comments_by_line(previous_line + "\n" + line + "\n", language)
    return suppressed_in_comments(rule_id, comments.get(2, []), comments.get(1, []), previous_line)


def test_suppression_comment_forms():
    assert suppression_ids("x = 1  # mcp-sentinel: ignore") == set()
    assert suppression_ids("x = 1  // mcp-sentinel: ignore[a, b]") == {"a", "b"}
    assert suppression_ids("<!-- mcp-sentinel: ignore[rule-x] -->") == {"rule-x"}
    assert suppression_ids("x = 1  # nothing here") is None
    assert suppression_ids("mcp-sentinel is a tool") is None


def test_suppression_on_the_line_or_a_comment_line_above():
    assert inline_suppression("r", "eval(x)  # mcp-sentinel: ignore[r]", "")
    assert inline_suppression("r", "eval(x)", "    # mcp-sentinel: ignore[r]")
    assert inline_suppression("r", "eval(x)", "// mcp-sentinel: ignore")


def test_suppression_names_other_rule_or_sits_on_a_code_line_above():
    assert not inline_suppression("r", "eval(x)  # mcp-sentinel: ignore[other]", "")
    # a trailing suppression on the previous code line covers that line only
    assert not inline_suppression("r", "eval(y)", "eval(x)  # mcp-sentinel: ignore")


def test_empty_brackets_suppress_nothing():
    assert suppression_ids("x = 1  # mcp-sentinel: ignore[]") is None
    assert suppression_ids("x = 1  # mcp-sentinel: ignore[ , ]") is None
    assert not suppressed_in_comments("r", [(7, "# mcp-sentinel: ignore[]")], [], "")


def test_a_comment_above_counts_only_when_the_line_holds_nothing_else():
    marker = "# mcp-sentinel: ignore"
    assert suppressed_in_comments("r", [], [(4, marker)], "    " + marker)
    assert not suppressed_in_comments("r", [], [(7, marker)], "x = 1  " + marker)
