from sentinel_hooks.engine.comments import comments_by_line


def texts(text: str, language: str | None) -> dict[int, list[str]]:
    return {n: [c for _, c in parts] for n, parts in comments_by_line(text, language).items()}


def test_python_comments_come_from_the_tokenizer():
    src = 'a = "x # no"  # yes\ns = """\n# inside a string\n"""\n'
    assert texts(src, "python") == {1: ["# yes"]}


def test_invalid_python_falls_back_to_the_hash_lexer():
    assert texts('a = "unclosed\nb = 1  # c\n', "python") == {2: ["# c"]}


def test_c_like_strings_and_block_comments():
    src = 'const a = "// no", b = `/* no */`; /* one\n two */ f(); // three\n'
    assert texts(src, "javascript") == {1: ["/* one"], 2: [" two */", "// three"]}


def test_json_values_are_never_comments():
    assert texts('{"a": "#x", "b": ";y", "c": "//z"}\n', "json") == {}


def test_yaml_hash_starts_a_comment_only_after_a_space():
    assert texts("url: http://h/p#frag\nk: v # c\n", "yaml") == {2: ["# c"]}


def test_columns_are_given():
    assert comments_by_line("x = 1  # c\n", "python") == {1: [(7, "# c")]}
