from pkg.text import (
    ensure_bytes,
    to_text,  # the one we rename
)
from pkg import text


def show(value):
    return to_text(value), text.to_text(value), ensure_bytes(value)


def lazy(value):
    from pkg.text import to_text

    return to_text(value)
