"""A small package."""
from . import compat
from .compat import ensure_text as to_text

__all__ = ["compat", "to_text"]
