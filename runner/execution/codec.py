"""Frozen records to JSON and back, driven by their type hints."""
from __future__ import annotations

import dataclasses
import json
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
    """Rebuild ``cls`` from ``encode_record`` output; raises ValueError saying where the shape is wrong."""
    return _decode(cls, data, "")  # type: ignore[no-any-return]


_SCALARS = {str: "a string", int: "an integer", float: "a number", bool: "true or false"}


def _decode(hint: Any, data: Any, where: str) -> Any:
    if dataclasses.is_dataclass(hint):
        if not isinstance(data, dict):
            raise ValueError(f"{where + ': ' if where else ''}expected an object, got {_kind(data)}")
        hints = typing.get_type_hints(hint)
        kwargs = {}
        for f in dataclasses.fields(hint):
            inner = f"{where}.{f.name}" if where else f.name
            if f.name in data:
                kwargs[f.name] = _decode(hints[f.name], data[f.name], inner)
            elif f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
                raise ValueError(f"missing {inner}")
        return hint(**kwargs)
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        if data is None and type(None) in args:
            return None
        inner = [a for a in args if a is not type(None)]
        return _decode(inner[0], data, where) if len(inner) == 1 else data
    if origin is tuple:
        if not isinstance(data, list):
            raise ValueError(f"{where}: expected a list, got {_kind(data)}")
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_decode(args[0], v, f"{where}[{i}]") for i, v in enumerate(data))
        if len(args) != len(data):
            raise ValueError(f"{where}: expected {len(args)} items, got {len(data)}")
        return tuple(_decode(a, v, f"{where}[{i}]") for i, (a, v) in enumerate(zip(args, data)))
    if hint is float and isinstance(data, int) and not isinstance(data, bool):
        return float(data)
    if hint in _SCALARS and (not isinstance(data, hint) or (hint is int and isinstance(data, bool))):
        raise ValueError(f"{where}: expected {_SCALARS[hint]}, got {json.dumps(data)[:40]}")
    return data


def _kind(data: Any) -> str:
    return {dict: "an object", list: "a list", str: "a string", type(None): "null"}.get(type(data), json.dumps(data)[:40])
