"""The deserialisation check's text gate: a file is parsed only when it names a deserialiser's module,
and every way of reaching a deserialiser the check knows still gets through."""
from __future__ import annotations

import textwrap

import pytest

from sentinel_hooks.engine import detectors
from sentinel_hooks.engine.detectors import python_sinks
from sentinel_hooks.engine.rule import Rule
from sentinel_hooks.engine.units import TextUnit
from sentinel_hooks.findings import Confidence, Severity

RULE = Rule(id="t-deserialization", title="t", severity=Severity.HIGH, confidence=Confidence.MEDIUM, cwe="CWE-502",
            description="d", remediation="r", languages=("python",), detector="python-deserialization")

REACHED = {
    "module call": "import pickle\ndef f(data):\n    return pickle.loads(data)\n",
    "module alias": "import cPickle as pickle\ndef f(data):\n    return pickle.loads(data)\n",
    "imported name": "from pickle import loads\ndef f(data):\n    return loads(data)\n",
    "another module under a common name": "import dill as pickle\ndef f(data):\n    return pickle.loads(data)\n",
    "short alias": "import pandas as pd\ndef f(path):\n    return pd.read_pickle(path)\n",
    "yaml without a loader": "from yaml import load\ndef f(text):\n    return load(text)\n",
    "unsafe yaml": "import yaml\ndef f(text):\n    return yaml.unsafe_load(text)\n",
    "submodule": "from jsonpickle.unpickler import decode\ndef f(text):\n    return decode(text)\n",
    "shelve": "import shelve\ndef f(path):\n    return shelve.open(path)\n",
    "marshal": "import marshal\ndef f(blob):\n    return marshal.loads(blob)\n",
    "joblib": "import joblib\ndef f(path):\n    return joblib.load(path)\n",
    "spread over lines": "import pickle\ndef f(data):\n    return (pickle\n            .loads(data))\n",
}


def found(source: str) -> list[int]:
    unit = TextUnit(path="server.py", text=textwrap.dedent(source))
    return [h.line for h in detectors.REGISTRY["python-deserialization"](unit, RULE)]


@pytest.mark.parametrize("name", sorted(REACHED))
def test_every_way_to_a_known_deserialiser_passes_the_gate_and_is_reported(name):
    source = REACHED[name]
    assert python_sinks.DESERIALIZATION_GATE.search(source)
    assert found(source)


def test_every_deserialiser_module_is_one_the_gate_looks_for():
    known = (python_sinks.PICKLE_LIKE | python_sinks.WEAKER_DESERIALIZERS | python_sinks.YAML_LOADS
             | python_sinks.YAML_UNSAFE)
    for name in known:
        assert python_sinks.DESERIALIZER_MODULE_GATE.search(f"import {name.split('.')[0]}\n"), name


@pytest.mark.parametrize("source", [
    "import json\ndef f(data):\n    return json.loads(data.decode())\n  # unpickled by the marshaller\n",
    "import json\ndef f(data):\n    return json.loads(data)  # pickles would be slower\n",
    "def f(obj):\n    return obj.codec.decode(obj.yaml_text)\n",
])
def test_a_file_that_names_no_deserialiser_module_as_a_word_is_not_parsed(source):
    assert python_sinks.DESERIALIZATION_CALL_GATE.search(source)  # the old gate let these through
    assert not python_sinks.DESERIALIZATION_GATE.search(source)
    assert found(source) == []
