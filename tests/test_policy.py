from sentinel_hooks.policy import inline_suppression, suppression_ids


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
