"""The parts of a playbook that passed the schema, so meaning checks run beside schema errors.

``prune_invalid`` returns a copy of the data in which every part with a schema error is
taken out: an optional key is deleted, a list item or a task type becomes ``PRUNED``
(indices and names stay, so positions and "is not declared" checks stay true), a
variable becomes null (unset). Taking a part out can leave its owner without a
required key; the owner is then taken out too, until the rest validates.
"""
from __future__ import annotations

import copy
from typing import Any, Iterator

from runner.playbook.schema import schema_errors

#: stands in for a part that failed the schema; meaning checks skip it
PRUNED: Any = type("Pruned", (), {"__repr__": lambda self: "PRUNED", "__deepcopy__": lambda self, memo: self})()

#: entries replaced, not deleted: task types (their names stay declared) and the top-level
#: parts meaning checks read without a default
_REPLACED = {("task_types",): None, (): ("task_types", "phases", "vars")}
_MAX_ROUNDS = 32


def prune_invalid(data: dict[str, Any]) -> dict[str, Any] | None:
    """A copy of ``data`` with the invalid parts taken out (see the module doc); None
    when no valid rest is found."""
    pruned = copy.deepcopy(data)
    for _ in range(_MAX_ROUNDS):
        targets = set()
        for error in schema_errors(pruned):
            if error.instance is PRUNED:
                continue
            path = tuple(error.absolute_path)
            if error.validator == "additionalProperties" and isinstance(error.instance, dict):
                allowed = error.schema.get("properties", {})
                targets.update((*path, key) for key in error.instance if key not in allowed)
            elif error.validator == "required" and not path:
                targets.update((key,) for key in ("task_types", "phases") if key not in pruned)
            else:
                targets.add(path)
        targets.discard(())
        if not targets:
            return pruned
        for path in sorted(targets, key=len, reverse=True):
            _take_out(pruned, path)
    return None


def _take_out(data: Any, path: tuple[Any, ...]) -> None:
    parent = data
    for part in path[:-1]:
        try:
            parent = parent[part]
        except (KeyError, IndexError, TypeError):
            return  # an ancestor was taken out already
    key = path[-1]
    if isinstance(parent, list) and isinstance(key, int) and key < len(parent):
        parent[key] = PRUNED
    elif isinstance(parent, dict):
        if path[:-1] == ("vars",):
            parent[key] = None
        elif path[:-1] in _REPLACED and (_REPLACED[path[:-1]] is None or key in _REPLACED[path[:-1]]):
            parent[key] = PRUNED
        else:
            parent.pop(key, None)


def entries(value: Any) -> Iterator[tuple[int, Any]]:
    """(index, item) of a list's items that passed the schema; nothing for a non-list."""
    if isinstance(value, list):
        for index, item in enumerate(value):
            if item is not PRUNED:
                yield index, item


def members(value: Any) -> Iterator[tuple[str, dict[str, Any]]]:
    """(key, entry) of a mapping's entries that are mappings and passed the schema."""
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(item, dict):
                yield key, item
