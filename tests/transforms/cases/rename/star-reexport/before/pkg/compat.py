__all__ = ["ensure_text"]


def ensure_text(value):
    return str(value)
