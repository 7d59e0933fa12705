"""Prompt templates of the model room, shipped as package data (``*.txt`` beside this file).

Templates use ``string.Template`` placeholders (``$name``), so code and braces in the
substituted text need no escaping.
"""
from __future__ import annotations

from functools import lru_cache
from importlib import resources
from string import Template


@lru_cache(maxsize=None)
def template(name: str) -> Template:
    """The template ``name`` (file ``name.txt`` of this package)."""
    return Template(resources.files(__name__).joinpath(f"{name}.txt").read_text(encoding="utf-8"))


def render(template_name: str, **values: str) -> str:
    """Template ``template_name`` with every placeholder filled (a missing one is a KeyError: a bug)."""
    return template(template_name).substitute(values)
