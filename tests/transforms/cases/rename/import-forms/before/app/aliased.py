import pkg.text as t
from pkg.text import ensure_text as et


def show(value):
    return t.ensure_text(value) + et(value)
