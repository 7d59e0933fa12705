from pkg.text import ensure_text


def show(value):
    return ensure_text(value)
