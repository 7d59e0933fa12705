from pkg.compat import ensure_text


def shout(value):
    return ensure_text(value).upper()
