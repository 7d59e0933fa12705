import pkg
from pkg import ensure_text
from pkg.compat import ensure_text as compat_text


def run(value):
    return pkg.ensure_text(value), ensure_text(value), compat_text(value)
