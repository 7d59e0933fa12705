from .compat import ensure_text
from . import compat


def label(raw):
    return ensure_text(raw) + compat.ensure_text(b"!")
