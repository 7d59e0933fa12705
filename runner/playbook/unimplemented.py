"""Options the schema accepts that this batchmod does not honour yet, refused by ``validate``.

One table, so nothing is accepted and then ignored: an entry names a schema path (``*``
stands for any mapping key or list index), the value that is not supported (``ANY``: any
value at all) and what the user can do instead. Whoever implements an option deletes
its entry; ``tests/test_unimplemented.py`` checks every entry is still refused.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterator

from runner.errors import Diagnostic
from runner.playbook.read import PathKey, RawPlaybook, format_json_path

ANY = object()  #: an entry's value: the key itself is not supported, whatever its value

@dataclass(frozen=True, slots=True)
class Unimplemented:
    """An option the schema accepts but this batchmod refuses, and what to use instead."""

    path: tuple[str, ...]  #: schema path; "*" matches any key or index
    value: Any  #: the refused value, or ANY
    instead: str  #: what to do instead, for the user


UNIMPLEMENTED: tuple[Unimplemented, ...] = ()  #: every option the schema accepts is honoured


def check_unimplemented(raw: RawPlaybook) -> list[Diagnostic]:
    """An error for every use of an option in ``UNIMPLEMENTED``; works on any data shape,
    so it runs alongside the schema check."""
    out = []
    for entry in UNIMPLEMENTED:
        for path, value in _values_at(raw.data, entry.path, ()):
            if entry.value is not ANY and not (isinstance(value, str) and value == entry.value):
                continue
            option = f"`{path[-1]}`" if entry.value is ANY else f"`{path[-1]}: {value}`"
            line, col = raw.source_map.position(path, key=entry.value is ANY)
            message = f"{option} is not supported yet; {entry.instead}"
            out.append(Diagnostic(raw.path, line, col, message, format_json_path(path)))
    return out


def _values_at(data: Any, pattern: tuple[str, ...], at: PathKey) -> Iterator[tuple[PathKey, Any]]:
    if not pattern:
        yield at, data
        return
    head, rest = pattern[0], pattern[1:]
    if isinstance(data, dict):
        keys = list(data) if head == "*" else [head] if head in data else []
        for key in keys:
            yield from _values_at(data[key], rest, (*at, key))
    elif isinstance(data, list) and head == "*":
        for index, item in enumerate(data):
            yield from _values_at(item, rest, (*at, index))
