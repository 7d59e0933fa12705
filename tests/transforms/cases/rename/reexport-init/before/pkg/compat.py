def ensure_text(value):
    return value.decode() if isinstance(value, bytes) else str(value)


def ensure_bytes(value):
    return ensure_text(value).encode()
