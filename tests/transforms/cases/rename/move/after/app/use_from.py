from pkg.compat import ensure_bytes  # both helpers
from pkg.text import ensure_text


def show(value):
    return ensure_text(value), ensure_bytes(value)
