from pkg.text import (
    ensure_bytes,
    ensure_text,  # the one we rename
)
from pkg import text


def show(value):
    return ensure_text(value), text.ensure_text(value), ensure_bytes(value)


def lazy(value):
    from pkg.text import ensure_text

    return ensure_text(value)
