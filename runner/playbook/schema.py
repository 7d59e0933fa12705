"""The JSON Schema of the playbook and its errors as ``path:line:col: $.x: message``."""
from __future__ import annotations

import difflib
import functools
import json
from importlib import resources
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from runner.errors import Diagnostic
from runner.playbook.read import RawPlaybook, format_json_path

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
    packaged = resources.files("runner").joinpath("schemas/playbook.schema.json")
    if packaged.is_file():
        return packaged.read_text(encoding="utf-8")
    source = Path(__file__).resolve().parents[2] / "schemas" / "playbook.schema.json"
    return source.read_text(encoding="utf-8")


@functools.lru_cache(maxsize=1)
def load_schema() -> dict[str, Any]:
    return json.loads(schema_text())


def schema_errors(data: Any) -> list[ValidationError]:
    """The most specific schema violations of ``data``, unsorted."""
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
    v = error.validator
    path = tuple(error.absolute_path)
    if v == "additionalProperties" and isinstance(error.instance, dict):
        allowed = sorted(error.schema.get("properties", {}))
        extra = [k for k in error.instance if k not in allowed]
        if extra and allowed:
            key = extra[0]
            hint = _did_you_mean(key, allowed)
            return f"unknown key `{key}`{hint}; allowed: {', '.join(allowed)}", (*path, key)
    if v == "required":
        missing = error.message.split("'")[1] if "'" in error.message else error.message
        return f"missing required key `{missing}`", None
    if v == "enum":
        options = [str(o) for o in error.validator_value]
        hint = _did_you_mean(str(error.instance), options)
        return f"`{error.instance}` is not one of: {', '.join(options)}{hint}", None
    if v == "const":
        if path == ("version",):
            return f"unsupported version {error.instance!r}; this batchmod reads version 1", None
        return f"must be {error.validator_value!r}", None
    if v == "type":
        expected = error.validator_value
        names = [expected] if isinstance(expected, str) else list(expected)
        want = " or ".join(_TYPE_NAMES.get(n, n) for n in names)
        return f"expected {want}, got {_describe(error.instance)}", None
    if v == "minItems":
        return "must not be empty" if error.validator_value == 1 else f"needs at least {error.validator_value} items", None
    if v == "minProperties":
        return "must declare at least one entry", None
    if v == "minLength":
        return "must not be empty", None
    if v == "minimum":
        return f"must be at least {error.validator_value}, got {error.instance}", None
    if v == "exclusiveMinimum":
        return f"must be greater than {error.validator_value}, got {error.instance}", None
    if v == "maximum":
        return f"must be at most {error.validator_value}, got {error.instance}", None
    if v == "pattern":
        if path and path[-1] == "name" or (len(path) == 1 and path[0] == "name"):
            return f"`{error.instance}` is not a valid name: use letters, digits, `_`, `.` and `-`, starting with a letter or digit", None
        return f"`{error.instance}` does not match the pattern {error.validator_value}", None
    if v == "propertyNames":
        return f"`{error.instance}` is not a valid name: use letters, digits, `_`, `.` and `-`", None
    if v == "anyOf" and path and path[-1] == "transform":
        return (
            f"`{error.instance}` is not a transform: use rename, rewrite, fstring, replace, command, model, "
            "a libcst codemod's dotted path (package.module.Class) or python:path/to/file.py:Class"
        ), None
    if v == "oneOf" and isinstance(error.instance, dict) and "to" in error.instance:
        return "a replace needs one of `regex` (a regular expression) and `literal` (plain text), not both", None
    if v == "oneOf" and isinstance(error.instance, dict) and "match" in error.instance:
        if "replace" in error.instance and "flag" in error.instance:
            return "a rule has either `replace` (rewrite) or `flag` (report as a gap), not both", None
        return "a rule needs `replace` (rewrite the match) or `flag` (report it as a gap)", None
    return error.message, None


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
    close = difflib.get_close_matches(word, options, n=1, cutoff=0.6)
    return f" (did you mean `{close[0]}`?)" if close else ""
