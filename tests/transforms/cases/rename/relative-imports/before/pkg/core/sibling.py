from .text import strip, ensure_text
from . import text as text_mod


def clean(value):
    return strip(ensure_text(value)) + text_mod.ensure_text(value)
