import pkg
from pkg import to_text
from pkg.compat import to_text as compat_text


def run(value):
    return pkg.to_text(value), to_text(value), compat_text(value)
