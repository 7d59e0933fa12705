"""Has its own ensure_text; nothing here refers to pkg.text."""


def ensure_text(value, fallback=""):
    return value or fallback
