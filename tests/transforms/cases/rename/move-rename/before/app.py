import pkg.compat as c
from pkg.compat import ensure_text

__all__ = ["ensure_text", "run"]


def run(value):
    return ensure_text(value) + c.ensure_text(value)
