"""A small package."""
from . import legacy
from .legacy import ensure_text as to_text

__all__ = ["legacy", "to_text"]
