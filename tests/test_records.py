"""``@record``: the parts of dataclasses the hook's modules use, without importing dataclasses."""
from __future__ import annotations

import pickle
import subprocess
import sys

import pytest

from gitutil import git
from sentinel_hooks.records import FrozenInstanceError, asdict, field, fields, record


@record
class Point:
    x: int
    y: int = 0
    tags: list[str] = field(default_factory=list)
    cache: dict = field(default_factory=dict, repr=False)


@record(frozen=True)
class Key:
    name: str
    size: int = 1


def test_init_defaults_and_factories_give_each_instance_its_own_value():
    a, b = Point(1), Point(2, 3, ["t"])
    assert (a.x, a.y, a.tags, b.y, b.tags) == (1, 0, [], 3, ["t"])
    a.tags.append("mine")
    assert Point(5).tags == [] and Point(5, tags=None).tags is None
    with pytest.raises(TypeError):
        Point()  # a field without a default is required


def test_repr_eq_and_hash_follow_dataclass_rules():
    assert repr(Point(1, 2)) == "Point(x=1, y=2, tags=[])"  # repr=False fields are left out
    assert Point(1, 2) == Point(1, 2) and Point(1, 2) != Point(1, 3) and Point(1) != Key("a")
    with pytest.raises(TypeError):
        hash(Point(1))  # mutable records are unhashable
    assert hash(Key("a", 2)) == hash(Key("a", 2)) and len({Key("a"), Key("a"), Key("b")}) == 2


@record(eq=False)
class Node:
    name: str
    children: list = field(default_factory=list)


def test_records_without_eq_compare_and_hash_by_identity():
    a, b = Node("n"), Node("n")
    assert a == a and a != b and len({a, b, a}) == 2  # as @dataclass(eq=False): usable as dict keys
    assert repr(a) == "Node(name='n', children=[])"


def test_frozen_records_refuse_assignment_and_survive_pickling():
    key = Key("a")
    with pytest.raises(FrozenInstanceError):
        key.name = "b"  # type: ignore[misc]
    with pytest.raises(AttributeError):
        del key.size
    assert pickle.loads(pickle.dumps(key)) == key
    assert pickle.loads(pickle.dumps(Point(1, 2, ["x"]))) == Point(1, 2, ["x"])


def test_fields_and_asdict():
    assert [f.name for f in fields(Point)] == ["x", "y", "tags", "cache"]
    p = Point(1, tags=["a"])
    d = asdict(p)
    assert d == {"x": 1, "y": 0, "tags": ["a"], "cache": {}}
    d["tags"].append("b")
    assert p.tags == ["a"]  # a copy


def test_a_hook_run_imports_neither_dataclasses_nor_hashlib(make_repo):
    repo = make_repo()
    (repo / "a.py").write_text("x = 1\n")
    git(repo, "add", "a.py")
    code = ("import sys\nfrom sentinel_hooks.cli import main\nmain(['scan', '--staged'])\n"
            "print(sorted(m for m in ('dataclasses', 'inspect', 'hashlib', '_hashlib') if m in sys.modules))")
    for _ in range(2):  # the first run validates the rule packs and caches the result, as a first commit does
        out = subprocess.run([sys.executable, "-c", code], cwd=repo, capture_output=True, text=True, timeout=60)
    assert out.stdout.strip().splitlines()[-1] == "[]", out.stdout + out.stderr
