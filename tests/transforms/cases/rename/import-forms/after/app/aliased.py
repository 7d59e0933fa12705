import pkg.text as t
from pkg.text import to_text as et


def show(value):
    return t.to_text(value) + et(value)
