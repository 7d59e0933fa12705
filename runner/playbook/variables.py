"""Playbook variables: declared defaults, ``--var`` overrides typed like their default."""
from __future__ import annotations

import math
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from runner.errors import InputError


def resolve_variables(
    declared: dict[str, Any], overrides: dict[str, Any], path: str, require_values: bool
) -> dict[str, Any]:
    """The playbook's variables with ``overrides`` applied, each typed like its default.

    An override of an undeclared variable, a value that does not fit its default's type,
    or (with ``require_values``) a variable left null is bad input.
    """
    for key in overrides:
        if key not in declared:
            names = ", ".join(sorted(declared)) or "none"
            raise InputError(f"--var {key}=...: `{key}` is not declared under `vars:` in {path}; declared: {names}")
    merged = {**declared, **{k: type_override(k, declared[k], v) for k, v in overrides.items()}}
    missing = sorted(k for k, v in merged.items() if v is None)
    if missing and require_values:
        flags = " ".join(f"--var {k}=VALUE" for k in missing)
        many = len(missing) > 1
        raise InputError(f"{path}: variable{'s' if many else ''} {', '.join(missing)} need{'' if many else 's'} a value; pass {flags}")
    return merged


def type_override(name: str, default: Any, value: Any) -> Any:
    """``value`` (the text after ``--var name=``, or a value a saved plan recorded) as the
    type of ``default``: bool, int, float or str; a null default takes YAML's scalar
    typing (``5`` is a number, ``true`` a boolean, anything else stays text)."""
    if isinstance(default, bool):
        return _as_bool(name, value)
    if isinstance(default, int):
        return _as_number(name, value, int, default)
    if isinstance(default, float):
        return _as_number(name, value, float, default)
    if isinstance(default, str):
        return value if isinstance(value, str) else str(value)
    return _yaml_scalar(value) if isinstance(value, str) else value


def _as_bool(name: str, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("true", "false"):
        return text == "true"
    raise InputError(f"--var {name}={value}: {name} is a boolean (true/false)")


def _as_number(name: str, value: Any, kind: type, default: Any) -> Any:
    if isinstance(value, (int, float)) and not isinstance(value, bool) and (kind is float or isinstance(value, int)):
        return kind(value)
    what = "a whole number" if kind is int else "a number"
    try:
        number = kind(str(value).strip())
    except ValueError:
        number = None
    if number is None or not math.isfinite(number):
        raise InputError(f"--var {name}={value}: {name} is {what} (like its default, {default})")
    return number


def _yaml_scalar(text: str) -> Any:
    if len(text) > 200 or not text.strip():
        return text  # `--var x=` gives an empty text, not "unset"
    try:
        value = YAML(typ="safe", pure=True).load(text)
    except (YAMLError, ValueError):
        return text
    if value is None and text.strip() not in ("", "~", "null", "Null", "NULL"):
        return text
    if isinstance(value, float) and not math.isfinite(value):
        return text
    return value if isinstance(value, (bool, int, float, type(None))) or (isinstance(value, str) and value == text) else text
