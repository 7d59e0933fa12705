"""The public API: re-exports the compat helpers."""
from .compat import to_text, ensure_bytes

__all__ = ["ensure_bytes", "to_text"]
