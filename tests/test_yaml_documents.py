"""The YAML reader of configuration files and rule packs: libyaml's parser where PyYAML has it, the
pure-Python one otherwise; the same document from both, and aliases refused by both."""
from __future__ import annotations

import pytest
import yaml

from sentinel_hooks.packs import builtin_pack_files
from sentinel_hooks.yaml_documents import ALIASES_REFUSED, load_without_aliases

ALIAS_BOMB = 'a: &a ["x","x"]\nb: &b [*a,*a]\nc: [*b,*b]\n'
TRICKY = ('key: value\nempty:\nquoted: "a: b"\nlist: [1, 2.5, true, null, ~, 0x1f]\n'
          'block: |\n  line one\n  line two\nanchor_only: &name plain\nwhen: 2024-01-02\n')


@pytest.fixture(params=["libyaml", "pure-python"])
def parser(request, monkeypatch):
    if request.param == "libyaml":
        if not getattr(yaml, "__with_libyaml__", False):
            pytest.skip("PyYAML was built without libyaml here")
    else:
        monkeypatch.delattr(yaml, "CSafeLoader")
    return request.param


def test_both_parsers_give_the_safe_loaders_document(parser):
    assert load_without_aliases(TRICKY) == yaml.safe_load(TRICKY)


def test_builtin_packs_read_the_same_as_with_the_safe_loader(parser):
    for pack in builtin_pack_files():
        text = pack.read_text(encoding="utf-8")
        assert load_without_aliases(text) == yaml.safe_load(text), pack.name


@pytest.mark.parametrize("text, line", [(ALIAS_BOMB, 2), ("x: &v 1\ny: *v\n", 2), ("- &v 1\n- [2, *v]\n", 2)])
def test_an_alias_is_refused_where_it_is(parser, text, line):
    with pytest.raises(yaml.constructor.ConstructorError) as caught:
        load_without_aliases(text)
    assert caught.value.problem == ALIASES_REFUSED
    assert caught.value.problem_mark.line + 1 == line


def test_invalid_yaml_is_a_yaml_error_with_its_line(parser):
    with pytest.raises(yaml.YAMLError) as caught:
        load_without_aliases("a: 1\nb: [unclosed\nc: 2\n")
    assert caught.value.problem_mark is not None
