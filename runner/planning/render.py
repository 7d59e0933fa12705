"""Jinja2 templates in playbooks: rendering, sandboxed and strict (an unknown variable is
an error, never ""). Strings without ``{{`` or ``{%`` are returned as they are, and
jinja2 itself (``jinja_env.py``) is imported only for a string that has them.
"""
from __future__ import annotations

import shlex
from typing import Any, Iterable

#: names the runner provides at render time, by field
RUNTIME_NAMES = {
    "files": ("files", "task", "phase"),  #: the command transform's `run`
    "checks": ("changed_files", "phase"),  #: a check's `run`/`junit` and a phase's `format`
    "plain": (),
}


def shquote(value: Any) -> str:
    """Shell-quote a string, or each item of a list joined by spaces."""
    if isinstance(value, (list, tuple)):
        return " ".join(shlex.quote(str(v)) for v in value)
    return shlex.quote(str(value))


class RenderError(ValueError):
    """A template that does not parse, names an unknown variable, or fails while rendering
    (a sandbox violation, a range or a result too big, a wrong type)."""


def render_text(template: str, context: dict[str, Any]) -> str:
    """Render ``template`` with ``context``; any failure of the template is a RenderError."""
    if "{{" not in template and "{%" not in template:
        return template
    from runner.planning.jinja_env import render_template

    return render_template(template, context)


def undeclared_names(template: str) -> set[str]:
    """Variables a template uses (raises RenderError on a syntax error)."""
    if "{{" not in template and "{%" not in template:
        return set()
    from runner.planning.jinja_env import template_names

    return template_names(template)


def render_value(value: Any, context: dict[str, Any]) -> Any:
    """Render every string inside a JSON-like value."""
    if isinstance(value, str):
        return render_text(value, context)
    if isinstance(value, list):
        return [render_value(v, context) for v in value]
    if isinstance(value, dict):
        return {k: render_value(v, context) for k, v in value.items()}
    return value


def strings_in(value: Any) -> Iterable[str]:
    """Every string in a JSON-like value (nested lists and mapping values), depth first."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, list):
        for v in value:
            yield from strings_in(v)
    elif isinstance(value, dict):
        for v in value.values():
            yield from strings_in(v)
