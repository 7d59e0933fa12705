from .text import strip, to_text
from . import text as text_mod


def clean(value):
    return strip(to_text(value)) + text_mod.to_text(value)
