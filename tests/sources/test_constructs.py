from sentinel_hooks.sources.constructs import construct_spans, widen
from sentinel_hooks.sources.git_diff import line_offsets


def spans(path: str, text: str) -> list[tuple[int, int]]:
    return construct_spans(path, text, line_offsets(text))


def test_pem_blocks_triple_quotes_and_template_literals():
    text = "a\n-----BEGIN X KEY-----\nb\nc\n-----END X KEY-----\ns = '''\nd\n'''\nt = `\ne\n`\n"
    assert spans("f.py", text) == [(2, 5), (6, 8)]
    assert spans("f.ts", text) == [(2, 5), (6, 8), (9, 11)]


def test_one_line_constructs_and_unclosed_ones_are_not_spans():
    assert spans("f.py", 'x = """one line"""\ny = """\nnever closed\n') == []
    assert spans("f.pem", "-----BEGIN X KEY-----\nno end\n") == []


def test_widen_adds_only_spans_holding_an_added_line():
    assert widen([(6, 8)], [(1, 13), (20, 30)], [7]) == [(1, 13)]
    assert widen([(35, 37)], [(1, 13), (20, 30)], [36]) == [(35, 37)]
    assert widen([(10, 14), (40, 40)], [(12, 20)], [12, 40]) == [(10, 20), (40, 40)]
