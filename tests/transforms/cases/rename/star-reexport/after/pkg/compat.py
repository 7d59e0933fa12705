__all__ = ["to_text"]


def to_text(value):
    return str(value)
