"""A small shop."""
from .money import from_cents, as_cents

__all__ = ["from_cents", "as_cents"]
