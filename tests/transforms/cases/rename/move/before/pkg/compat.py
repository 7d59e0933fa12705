__all__ = ["ensure_text", "ensure_bytes"]


def ensure_text(value):
    return str(value)


def ensure_bytes(value):
    return ensure_text(value).encode()
