from .compat import ensure_text

__all__ = ["ensure_text"]
