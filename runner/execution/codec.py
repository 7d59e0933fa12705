"""Frozen records to JSON and back, driven by their type hints."""
from __future__ import annotations

import dataclasses
import types
import typing
from typing import Any, TypeVar

T = TypeVar("T")


def encode_record(value: Any) -> Any:
    """A JSON-ready copy: records become objects, tuples become lists."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: encode_record(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, (list, tuple)):
        return [encode_record(v) for v in value]
    return value


def decode_record(cls: type[T], data: Any) -> T:
    """Rebuild ``cls`` from ``encode_record`` output; raises ValueError on a bad shape."""
    try:
        return _decode(cls, data)  # type: ignore[no-any-return]
    except (TypeError, KeyError, AttributeError) as exc:
        raise ValueError(f"{cls.__name__}: {exc}") from None


def _decode(hint: Any, data: Any) -> Any:
    if dataclasses.is_dataclass(hint):
        hints = typing.get_type_hints(hint)
        kwargs = {f.name: _decode(hints[f.name], data[f.name]) for f in dataclasses.fields(hint) if f.name in data}
        return hint(**kwargs)
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        if data is None and type(None) in args:
            return None
        inner = [a for a in args if a is not type(None)]
        return _decode(inner[0], data) if len(inner) == 1 else data
    if origin is tuple:
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_decode(args[0], v) for v in data)
        return tuple(_decode(a, v) for a, v in zip(args, data))
    if hint is float and isinstance(data, int):
        return float(data)
    return data
