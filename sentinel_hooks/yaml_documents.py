"""Reading the YAML documents the scanner trusts least: the configuration file and rule packs.

:func:`load_without_aliases` returns the single document of a text and refuses every alias (which
defeats "billion laughs" alias bombs). It parses with libyaml when PyYAML was built with it (about
ten times faster than the pure-Python parser: a run without the rule-set cache parses every built-in
pack), first reading the event stream, where aliases stay unexpanded, so an alias is refused before
anything is built from it. Without libyaml, a pure-Python loader refuses an alias as it meets one.
Both build values with PyYAML's safe constructor, so both give the same document.
"""
from __future__ import annotations

from typing import Any

import yaml

ALIASES_REFUSED = "YAML aliases are not allowed"


def load_without_aliases(text: str) -> Any:
    """The document of ``text``; a ``yaml.YAMLError`` when it is not valid YAML or holds an alias
    (a ``ConstructorError`` whose ``problem`` is :data:`ALIASES_REFUSED`, marked at the alias)."""
    fast = getattr(yaml, "CSafeLoader", None)
    if fast is None:
        return yaml.load(text, Loader=no_alias_loader())  # noqa: S506 - a SafeLoader subclass
    for event in yaml.parse(text, Loader=fast):
        if isinstance(event, yaml.AliasEvent):
            raise _alias_refused(event.start_mark)
    return yaml.load(text, Loader=fast)  # noqa: S506 - libyaml's parser with the safe constructor


def no_alias_loader() -> type:
    """The pure-Python safe loader, refusing an alias where it meets one."""

    class NoAliasLoader(yaml.SafeLoader):
        def compose_node(self, parent, index):  # type: ignore[no-untyped-def]
            if self.check_event(yaml.AliasEvent):
                raise _alias_refused(self.peek_event().start_mark)
            return super().compose_node(parent, index)

    return NoAliasLoader


def _alias_refused(mark: Any) -> yaml.constructor.ConstructorError:
    return yaml.constructor.ConstructorError(None, None, ALIASES_REFUSED, mark)
