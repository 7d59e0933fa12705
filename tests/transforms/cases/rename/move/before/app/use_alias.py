from pkg import compat


def show(value):
    return compat.ensure_text(value)
