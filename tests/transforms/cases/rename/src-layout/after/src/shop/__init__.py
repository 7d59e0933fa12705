from .compat import to_text

__all__ = ["to_text"]
