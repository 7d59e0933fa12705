from .compat import *  # noqa: F403


def shout(value):
    return ensure_text(value).upper()  # noqa: F405
