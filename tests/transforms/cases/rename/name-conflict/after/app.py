from pkg.text import to_text as ensure_text


def to_text(value):  # this module's own helper keeps its name
    return ensure_text(value).strip()
