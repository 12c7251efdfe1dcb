"""The one reader of JSON in scanned files: tolerant documents with positions, string literals, strict objects."""
from sentinel_hooks.engine import jsonc


def test_positions_count_lines_as_the_line_helper_does():
    root = jsonc.parse('{\n  // note\n  "a": [1,],\n  b: \'x\\\'y\'\n}\n')
    a, b = root.get("a"), root.get("b")
    assert (a.line, a.column, a.end_line, a.end_column) == (3, 8, 3, 12)
    assert (b.text, b.line, b.column) == ("x'y", 4, 6)


def test_string_literal_decodes_one_json_string_or_gives_none():
    assert jsonc.string_literal('"api_key = \\"sk\\"\\n"') == 'api_key = "sk"\n'
    assert jsonc.string_literal('"bad \\q"') is None and jsonc.string_literal("12") is None


def test_strict_object_refuses_leniency_and_deep_nesting():
    assert jsonc.strict_object('{"alg": "HS256"}') == {"alg": "HS256"}
    assert jsonc.strict_object("{alg: 'HS256'}") is None and jsonc.strict_object("[1]") is None
    assert jsonc.strict_object("[" * 100_000) is None
