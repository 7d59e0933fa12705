"""The JSON Schema of the playbook and its errors as ``path:line:col: $.x: message``."""
from __future__ import annotations

import functools
import json
from typing import TYPE_CHECKING, Any, Callable

from runner.adapters.package_data import package_text
from runner.errors import Diagnostic
from runner.playbook.quick_schema import quick_valid
from runner.playbook.read import RawPlaybook, format_json_path

if TYPE_CHECKING:  # jsonschema is imported only for a playbook the quick check does not pass
    from jsonschema.exceptions import ValidationError

_TYPE_NAMES = {
    "object": "a mapping",
    "array": "a list",
    "string": "a string",
    "integer": "a whole number",
    "number": "a number",
    "boolean": "true or false",
    "null": "null",
}


def schema_text() -> str:
    """The schema as shipped: package data in a wheel, ``schemas/`` in a source checkout."""
    return package_text("schemas/playbook.schema.json")


@functools.lru_cache(maxsize=1)
def load_schema() -> dict[str, Any]:
    """The playbook's JSON Schema, parsed once per process (callers must not change it)."""
    return json.loads(schema_text())


def schema_errors(data: Any) -> list[ValidationError]:
    """The most specific schema violations of ``data``, unsorted."""
    if quick_valid(data, load_schema()) is True:
        return []
    from jsonschema import Draft202012Validator

    validator = Draft202012Validator(load_schema())
    return [leaf for error in validator.iter_errors(data) for leaf in _leaves(error)]


def check_schema(raw: RawPlaybook) -> list[Diagnostic]:
    """Every schema violation of the playbook, sorted by position."""
    diagnostics = [_diagnose(raw, leaf) for leaf in schema_errors(raw.data)]
    unique = {(d.line, d.column, d.json_path, d.message): d for d in diagnostics}
    return sorted(unique.values(), key=lambda d: (d.line, d.column, d.message))


def _leaves(error: ValidationError) -> list[ValidationError]:
    """The most specific errors: for anyOf/oneOf keep the branch that went deepest."""
    if error.validator in ("anyOf", "oneOf") and error.context:
        if error.validator == "oneOf" and not error.context:
            return [error]
        # Errors at the same depth as the parent say "matches none": report the parent.
        deeper = [e for e in error.context if len(e.absolute_path) > len(error.absolute_path)]
        if deeper:
            best = max(len(e.absolute_path) for e in deeper)
            out: list[ValidationError] = []
            for e in deeper:
                if len(e.absolute_path) == best:
                    out.extend(_leaves(e))
            return out
    return [error]


def _diagnose(raw: RawPlaybook, error: ValidationError) -> Diagnostic:
    path = tuple(error.absolute_path)
    message, at_key_path = _message(error)
    if at_key_path is not None:
        line, col = raw.source_map.position(at_key_path, key=True)
        json_path = format_json_path(at_key_path)
    else:
        line, col = raw.source_map.position(path)
        json_path = format_json_path(path)
    return Diagnostic(raw.path, line, col, message, json_path)


def _message(error: ValidationError) -> tuple[str, tuple | None]:
    """A one-line message with a hint, and (for unknown keys) the key's own path."""
    if error.validator == "additionalProperties":
        unknown = _unknown_key(error)
        if unknown is not None:
            return unknown
    word = _WORDS.get(str(error.validator))
    return (word(error, tuple(error.absolute_path)) if word else None) or error.message, None


def _unknown_key(error: ValidationError) -> tuple[str, tuple] | None:
    """The first key the mapping may not have, with the allowed ones (None: jsonschema's words)."""
    if not isinstance(error.instance, dict):
        return None
    allowed = sorted(error.schema.get("properties", {}))
    extra = [k for k in error.instance if k not in allowed]
    if not (extra and allowed):
        return None
    key = extra[0]
    return f"unknown key `{key}`{_did_you_mean(key, allowed)}; allowed: {', '.join(allowed)}", (*tuple(error.absolute_path), key)


def _required(error: ValidationError, path: tuple) -> str:
    missing = error.message.split("'")[1] if "'" in error.message else error.message
    return f"missing required key `{missing}`"


def _enum(error: ValidationError, path: tuple) -> str:
    options = [str(o) for o in error.validator_value]
    return f"`{error.instance}` is not one of: {', '.join(options)}{_did_you_mean(str(error.instance), options)}"


def _const(error: ValidationError, path: tuple) -> str:
    if path == ("version",):
        return f"unsupported version {error.instance!r}; this batchmod reads version 1"
    return f"must be {error.validator_value!r}"


def _type(error: ValidationError, path: tuple) -> str:
    expected = error.validator_value
    names = [expected] if isinstance(expected, str) else list(expected)
    want = " or ".join(_TYPE_NAMES.get(n, n) for n in names)
    return f"expected {want}, got {_describe(error.instance)}"


def _limit(error: ValidationError, path: tuple) -> str:
    """minItems, minProperties, minLength, minimum, exclusiveMinimum and maximum in words."""
    v, limit, got = error.validator, error.validator_value, error.instance
    if v == "minItems":
        return "must not be empty" if limit == 1 else f"needs at least {limit} items"
    if v == "minProperties":
        return "must declare at least one entry"
    if v == "minLength":
        return "must not be empty"
    if v == "minimum":
        return f"must be at least {limit}, got {got}"
    if v == "exclusiveMinimum":
        return f"must be greater than {limit}, got {got}"
    return f"must be at most {limit}, got {got}"


def _pattern(error: ValidationError, path: tuple) -> str:
    if path and path[-1] == "name" or (len(path) == 1 and path[0] == "name"):
        return f"`{error.instance}` is not a valid name: use letters, digits, `_`, `.` and `-`, starting with a letter or digit"
    return f"`{error.instance}` does not match the pattern {error.validator_value}"


def _property_names(error: ValidationError, path: tuple) -> str:
    return f"`{error.instance}` is not a valid name: use letters, digits, `_`, `.` and `-`"


def _any_of(error: ValidationError, path: tuple) -> str | None:
    if not (path and path[-1] == "transform"):
        return None
    return (
        f"`{error.instance}` is not a transform: use rename, rewrite, fstring, replace, command, model, "
        "a libcst codemod's dotted path (package.module.Class) or python:path/to/file.py:Class"
    )


def _one_of(error: ValidationError, path: tuple) -> str | None:
    if not isinstance(error.instance, dict):
        return None
    if "to" in error.instance:
        return "a replace needs one of `regex` (a regular expression) and `literal` (plain text), not both"
    if "match" in error.instance:
        if "replace" in error.instance and "flag" in error.instance:
            return "a rule has either `replace` (rewrite) or `flag` (report as a gap), not both"
        return "a rule needs `replace` (rewrite the match) or `flag` (report it as a gap)"
    return None


#: each validator's message in words (None from one: jsonschema's own message)
_WORDS: dict[str, Callable[[ValidationError, tuple], str | None]] = {
    "required": _required, "enum": _enum, "const": _const, "type": _type,
    "minItems": _limit, "minProperties": _limit, "minLength": _limit, "minimum": _limit,
    "exclusiveMinimum": _limit, "maximum": _limit,
    "pattern": _pattern, "propertyNames": _property_names, "anyOf": _any_of, "oneOf": _one_of,
}


def _describe(value: Any) -> str:
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return f"a boolean ({str(value).lower()})"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return f"a string ({value!r})" if len(value) < 40 else "a string"
    return f"{type(value).__name__} ({value!r})"


def _did_you_mean(word: str, options: list[str]) -> str:
    import difflib  # only for a playbook with schema errors

    close = difflib.get_close_matches(word, options, n=1, cutoff=0.6)
    return f" (did you mean `{close[0]}`?)" if close else ""
