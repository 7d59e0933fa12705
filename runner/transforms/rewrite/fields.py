"""Field names of libcst node classes (cached; ``__dataclass_fields__`` also lists
pseudo-fields such as ``__slots__``)."""
from __future__ import annotations

import dataclasses

_CACHE: dict[type, tuple[str, ...]] = {}


def field_names(tp: type) -> tuple[str, ...]:
    names = _CACHE.get(tp)
    if names is None:
        names = _CACHE[tp] = tuple(f.name for f in dataclasses.fields(tp))
    return names
