import os
import pkg.compat


def show(value):
    return pkg.compat.ensure_text(value), pkg.compat.ensure_bytes(value), os.sep
