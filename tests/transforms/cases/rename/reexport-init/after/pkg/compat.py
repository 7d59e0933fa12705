def to_text(value):
    return value.decode() if isinstance(value, bytes) else str(value)


def ensure_bytes(value):
    return to_text(value).encode()
