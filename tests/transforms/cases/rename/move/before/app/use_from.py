from pkg.compat import ensure_bytes, ensure_text  # both helpers


def show(value):
    return ensure_text(value), ensure_bytes(value)
