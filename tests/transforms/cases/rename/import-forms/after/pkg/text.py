def to_text(value):
    return str(value)


def ensure_bytes(value):
    return to_text(value).encode()
