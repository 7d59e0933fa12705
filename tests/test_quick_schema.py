"""The quick schema check against jsonschema: the same verdict whenever it gives one (differential)."""
from __future__ import annotations

import copy
import random
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from runner.playbook.quick_schema import quick_valid
from runner.playbook.read import read_playbook
from runner.playbook.schema import load_schema, schema_errors

CHECKOUT = Path(__file__).resolve().parents[1]
PLAYBOOKS = sorted([*CHECKOUT.glob("playbooks/*.yaml"), *CHECKOUT.glob("examples/*/playbook.yaml")])

#: values a mutation puts anywhere: every JSON type, edge numbers, names the schema knows
VALUES: list[Any] = [None, True, False, 0, 1, -1, 2.0, 0.5, float("nan"), "", "x", "rename", "model", "fix",
                     "file", "a b", "pkg.mod.Class", "python:t.py:C", [], ["x"], ["x", "x"], [1], {}, {"x": 1},
                     {"name": "p", "tasks": []}, ["fix", "stop"]]


def _spots(value: Any, path: tuple = ()) -> list[tuple]:
    """Every path into a JSON-like value (the root included)."""
    out = [path]
    if isinstance(value, dict):
        for k, v in value.items():
            out += _spots(v, (*path, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out += _spots(v, (*path, i))
    return out


def _mutate(data: Any, rng: random.Random) -> Any:
    data = copy.deepcopy(data)
    for _ in range(rng.randint(1, 3)):
        path = rng.choice(_spots(data)[1:])
        parent = data
        for step in path[:-1]:
            parent = parent[step]
        key, kind = path[-1], rng.random()
        if kind < 0.35:
            parent[key] = copy.deepcopy(rng.choice(VALUES))
        elif kind < 0.55 and isinstance(parent, dict):
            del parent[key]
        elif kind < 0.7 and isinstance(parent, dict):
            parent[rng.choice(["extra", "name", "type", "with", "else", 1])] = copy.deepcopy(rng.choice(VALUES))
        elif kind < 0.85 and isinstance(parent, list):
            parent.append(copy.deepcopy(parent[key]))
        elif isinstance(parent[key], str):
            parent[key] = parent[key] + rng.choice(["", " ", "\n", "-", "."])
    return data


@pytest.mark.parametrize("path", PLAYBOOKS, ids=lambda p: p.name)
def test_every_shipped_playbook_passes_the_quick_check(path: Path) -> None:
    data = read_playbook(str(path)).data
    assert quick_valid(data, load_schema()) is True
    assert Draft202012Validator(load_schema()).is_valid(data)


def test_mutated_playbooks_get_jsonschemas_verdict() -> None:
    validator = Draft202012Validator(load_schema())
    rng = random.Random(20261202)
    bases = [read_playbook(str(p)).data for p in PLAYBOOKS]
    verdicts = {True: 0, False: 0, None: 0}
    for _ in range(1500):
        data = _mutate(rng.choice(bases), rng)
        quick = quick_valid(data, load_schema())
        verdicts[quick] += 1
        if quick is not None:
            assert quick == validator.is_valid(data), data
    assert min(verdicts.values()) > 20, verdicts  # each answer was exercised


@pytest.mark.parametrize("schema, data, verdict", [
    ({"type": "integer"}, 2.0, None),  # jsonschema takes 2.0 for an integer
    ({"type": "integer"}, True, False),
    ({"const": 1}, True, None),
    ({"enum": ["a"]}, 1, False),
    ({"exclusiveMinimum": 0}, float("nan"), True),  # as jsonschema: nan <= 0 is false
    ({"minimum": 0}, float("nan"), True),
    ({"pattern": "^a$"}, "a\n", True),  # re.search, as jsonschema: $ matches before a final newline
    ({"uniqueItems": True}, [1, True], None),
    ({"format": "email"}, "x", None),
    ({"properties": {"a": {"type": "string"}}}, {1: "x"}, None),
    ({"$ref": "http://example.com/s"}, 1, None),
    ({"if": {"const": 1}, "then": {"type": "string"}, "else": {}}, 1, None),
    ({"prefixItems": [{"const": "fix"}], "items": {"type": "integer"}}, ["fix", 1, 2], True),
    ({"prefixItems": [{"const": "fix"}], "items": False}, ["fix", 1], False),
    ({"oneOf": [{"type": "string"}, {"minLength": 1}]}, "x", False),  # both match: not one of
])
def test_golden_cases(schema: dict[str, Any], data: Any, verdict: bool | None) -> None:
    assert quick_valid(data, schema) is verdict
    if verdict is not None:
        assert Draft202012Validator(schema).is_valid(data) is verdict


def test_a_playbook_the_quick_check_refuses_still_gets_jsonschemas_errors() -> None:
    data = copy.deepcopy(read_playbook(str(PLAYBOOKS[0])).data)
    data["version"] = 2
    errors = schema_errors(data)
    assert [e.validator for e in errors] == ["const"]
