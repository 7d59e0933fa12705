def to_text(value):
    return value.decode() if isinstance(value, bytes) else str(value)
