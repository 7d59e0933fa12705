from .compat import to_text
from . import compat


def label(raw):
    return to_text(raw) + compat.to_text(b"!")
