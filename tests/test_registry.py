"""The schema's list of built-in transforms is the registry's."""
from __future__ import annotations

from runner.playbook.schema import load_schema
from runner.transforms.registry import BUILTINS


def test_schema_enum_equals_registry() -> None:
    branches = load_schema()["$defs"]["transform"]["anyOf"]
    enum = next(b["enum"] for b in branches if "enum" in b)
    assert sorted(enum) == sorted(BUILTINS)


def test_every_builtin_has_a_conditional_with_schema_or_none() -> None:
    conditions = load_schema()["$defs"]["task_type"]["allOf"]
    named = {c["if"]["properties"]["transform"]["const"] for c in conditions}
    assert named == set(BUILTINS)
