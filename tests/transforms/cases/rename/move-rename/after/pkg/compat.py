def ensure_text(value):
    return str(value)
