def to_text(value):
    return str(value)
