"""A small shop."""
from .money import from_cents, to_cents

__all__ = ["from_cents", "to_cents"]
