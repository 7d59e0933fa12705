"""A quick check that a playbook satisfies the JSON Schema, without importing jsonschema.

It knows the keywords the playbook schema uses, with jsonschema's Draft 2020-12 meaning,
and answers True (valid), False (invalid) or None (not sure: a keyword, a ``$ref`` or a
value it does not know, such as a float where an integer is wanted). Only a True is
used: the playbook then has no schema error; anything else goes to jsonschema, which
also words the errors. ``tests/test_quick_schema.py`` compares the two verdicts.
"""
from __future__ import annotations

import re
from typing import Any

#: keywords that do not constrain the instance
_NOTES = frozenset({"$schema", "$id", "$defs", "$comment", "title", "description", "default", "examples"})
_KNOWN = _NOTES | frozenset({
    "type", "properties", "additionalProperties", "required", "minLength", "maxLength", "minimum", "maximum",
    "exclusiveMinimum", "items", "prefixItems", "enum", "const", "$ref", "pattern", "minItems", "maxItems",
    "if", "then", "oneOf", "anyOf", "allOf", "minProperties", "propertyNames", "uniqueItems",
})
_PLAIN = (str, int, float, bool, type(None), list, dict)


class _Unsure(Exception):
    """Raised where the quick check cannot give jsonschema's answer."""


def quick_valid(data: Any, schema: dict[str, Any]) -> bool | None:
    """Whether ``data`` satisfies ``schema`` as jsonschema's Draft 2020-12 validator says:
    True or False, or None when this check cannot tell."""
    try:
        return _valid(data, schema, schema)
    except (_Unsure, RecursionError):
        return None


def _valid(data: Any, schema: Any, root: dict[str, Any]) -> bool:
    if schema is True or schema is False:
        return schema
    if not isinstance(schema, dict) or not schema.keys() <= _KNOWN or not isinstance(data, _PLAIN):
        raise _Unsure
    if "$id" in schema and schema is not root:
        raise _Unsure  # a new base for the $refs below it
    return all(_CHECKS[key](data, value, schema, root) for key, value in schema.items() if key not in _NOTES)


def _ref(data: Any, ref: Any, schema: dict[str, Any], root: dict[str, Any]) -> bool:
    if not isinstance(ref, str) or not ref.startswith("#/$defs/") or "~" in ref or "%" in ref:
        raise _Unsure
    target = root.get("$defs", {}).get(ref[len("#/$defs/"):])
    if target is None:
        raise _Unsure
    return _valid(data, target, root)


def _type(data: Any, names: Any, schema: dict[str, Any], root: dict[str, Any]) -> bool:
    wanted = [names] if isinstance(names, str) else names
    return any(_is_type(data, name) for name in wanted)


def _is_type(data: Any, name: str) -> bool:
    if name == "integer" and isinstance(data, float):
        raise _Unsure  # jsonschema takes 2.0 for an integer
    checks = {
        "object": lambda: isinstance(data, dict), "array": lambda: isinstance(data, list),
        "string": lambda: isinstance(data, str), "boolean": lambda: isinstance(data, bool),
        "null": lambda: data is None, "integer": lambda: isinstance(data, int) and not isinstance(data, bool),
        "number": lambda: isinstance(data, (int, float)) and not isinstance(data, bool),
    }
    if name not in checks:
        raise _Unsure
    return checks[name]()


def _keys(data: dict[Any, Any]) -> list[str]:
    if not all(isinstance(k, str) for k in data):
        raise _Unsure
    return list(data)


def _properties(data: Any, props: dict[str, Any], schema: dict[str, Any], root: dict[str, Any]) -> bool:
    if not isinstance(data, dict):
        return True
    return all(_valid(data[k], props[k], root) for k in _keys(data) if k in props)


def _additional(data: Any, extra: Any, schema: dict[str, Any], root: dict[str, Any]) -> bool:
    if not isinstance(data, dict):
        return True
    props = schema.get("properties", {})
    return all(_valid(data[k], extra, root) for k in _keys(data) if k not in props)


def _property_names(data: Any, names: Any, schema: dict[str, Any], root: dict[str, Any]) -> bool:
    return not isinstance(data, dict) or all(_valid(k, names, root) for k in _keys(data))


def _items(data: Any, items: Any, schema: dict[str, Any], root: dict[str, Any]) -> bool:
    if not isinstance(data, list):
        return True
    return all(_valid(item, items, root) for item in data[len(schema.get("prefixItems", ())):])


def _prefix_items(data: Any, prefix: list[Any], schema: dict[str, Any], root: dict[str, Any]) -> bool:
    return not isinstance(data, list) or all(_valid(item, sub, root) for item, sub in zip(data, prefix))


def _equal(a: Any, b: Any) -> bool:
    """jsonschema's equality where it is plain; unsure for floats, containers and bools against numbers."""
    if isinstance(a, str) or isinstance(b, str):
        return bool(a == b)
    if type(a) is type(b) and type(a) in (int, bool):
        return bool(a == b)
    raise _Unsure


def _enum(data: Any, options: list[Any], schema: dict[str, Any], root: dict[str, Any]) -> bool:
    return any(_equal(data, option) for option in options)


def _const(data: Any, value: Any, schema: dict[str, Any], root: dict[str, Any]) -> bool:
    return _equal(data, value)


def _unique(data: Any, unique: Any, schema: dict[str, Any], root: dict[str, Any]) -> bool:
    if not unique or not isinstance(data, list):
        return True
    if not all(isinstance(item, str) for item in data):
        raise _Unsure
    return len(set(data)) == len(data)


def _number(check: Any) -> Any:
    def run(data: Any, limit: Any, schema: dict[str, Any], root: dict[str, Any]) -> bool:
        if isinstance(data, bool) or not isinstance(data, (int, float)):
            return True
        return bool(check(data, limit))
    return run


def _size(kind: type, check: Any) -> Any:
    def run(data: Any, limit: Any, schema: dict[str, Any], root: dict[str, Any]) -> bool:
        return not isinstance(data, kind) or bool(check(len(data), limit))
    return run


def _pattern(data: Any, pattern: str, schema: dict[str, Any], root: dict[str, Any]) -> bool:
    return not isinstance(data, str) or re.search(pattern, data) is not None


def _if(data: Any, condition: Any, schema: dict[str, Any], root: dict[str, Any]) -> bool:
    if "else" in schema or "then" not in schema:
        raise _Unsure
    return not _valid(data, condition, root) or _valid(data, schema["then"], root)


_CHECKS: dict[str, Any] = {
    "$ref": _ref, "type": _type, "properties": _properties, "additionalProperties": _additional,
    "propertyNames": _property_names, "items": _items, "prefixItems": _prefix_items,
    "enum": _enum, "const": _const, "uniqueItems": _unique, "pattern": _pattern, "if": _if,
    "then": lambda data, then, schema, root: True,  # checked with its `if`
    "required": lambda data, keys, schema, root: not isinstance(data, dict) or all(k in data for k in keys),
    "minimum": _number(lambda x, m: not x < m), "maximum": _number(lambda x, m: not x > m),
    "exclusiveMinimum": _number(lambda x, m: not x <= m),
    "minLength": _size(str, lambda n, m: n >= m), "maxLength": _size(str, lambda n, m: n <= m),
    "minItems": _size(list, lambda n, m: n >= m), "maxItems": _size(list, lambda n, m: n <= m),
    "minProperties": _size(dict, lambda n, m: n >= m),
    "allOf": lambda data, subs, schema, root: all(_valid(data, s, root) for s in subs),
    "anyOf": lambda data, subs, schema, root: any([_valid(data, s, root) for s in subs]),
    "oneOf": lambda data, subs, schema, root: sum(_valid(data, s, root) for s in subs) == 1,
}
