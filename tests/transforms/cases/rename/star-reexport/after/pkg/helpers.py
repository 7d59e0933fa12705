from .compat import *  # noqa: F403


def shout(value):
    return to_text(value).upper()  # noqa: F405
