def to_text(value):
    return str(value)


def strip(value):
    return value.strip()
