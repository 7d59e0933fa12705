"""The public API: re-exports the compat helpers."""
from .compat import ensure_text, ensure_bytes

__all__ = ["ensure_bytes", "ensure_text"]
