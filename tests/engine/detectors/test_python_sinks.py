"""The candidate sinks' helpers: the same answers from the literal index's offsets as from a search."""
from __future__ import annotations

import sysconfig
from pathlib import Path

from sentinel_hooks.engine.detectors import python_sinks
from sentinel_hooks.engine.detectors.python_sinks import SINK_IMPORT_GATE, imported_sink_names, sink_imports
from sentinel_hooks.engine.text_gate import LiteralIndex

CORPUS = Path(__file__).resolve().parents[2] / "corpus"
CRAFTED = [
    "from pickle import loads, Unpickler as U\nimport yaml as y\n",
    "from\t\n  pickle   import loads\nimport   torch.nn  as  nn\n",
    "xfrom pickle import loads\nreimport yaml as y\nfrom cloudpickle import dumps\nfrom _pickle import load\n",
    "from pickle import pickle as p; import pickle as q\n",  # a match ends where the next could start
    "from pickle import *\n",
    "from pickle import (loads,  # comment\n    dumps)\n",
    "import pickle\n" + " " * 500 + "from\n" + "\n" * 300 + "yaml import load\n",
    "frompickle import loads\nimport\u00a0pickle as p\n",
]


def texts() -> list[str]:
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    files = sorted(CORPUS.rglob("*.py")) + sorted(stdlib.glob("*.py"))
    return CRAFTED + [p.read_text(encoding="utf-8", errors="replace") for p in files]


def test_imports_of_the_sink_modules_are_the_same_from_the_modules_offsets_as_from_a_search():
    index = LiteralIndex()
    index.add(SINK_IMPORT_GATE.literals)
    for text in texts():
        found = index.found(text)
        expected = [(m.start(), m.end()) for m in python_sinks._SINK_IMPORT_ALIAS.finditer(text)]
        assert [(m.start(), m.end()) for m in sink_imports(text, found)] == expected
        assert imported_sink_names(text, found) == imported_sink_names(text)


def test_the_names_bound_by_imports_from_the_sink_modules_are_read_from_the_offsets():
    index = LiteralIndex()
    index.add(SINK_IMPORT_GATE.literals)
    text = "from\t\n  pickle   import loads, Unpickler as U\nimport yaml as y\nxfrom dill import z\n"
    assert imported_sink_names(text, index.found(text)) == {"loads", "U", "y"}
    star = "from pickle import *\n"
    assert imported_sink_names(star, index.found(star)) is None
