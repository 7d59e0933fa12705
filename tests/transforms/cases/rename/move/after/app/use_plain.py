import os
import pkg.compat
import pkg.text


def show(value):
    return pkg.text.ensure_text(value), pkg.compat.ensure_bytes(value), os.sep
