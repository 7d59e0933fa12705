"""Text helpers: ensure_text() and friends.

>>> ensure_text(b"x")
'x'
"""


def ensure_text(value):
    """Return ``value`` as text (see also pkg.text.ensure_text_v2, not renamed).

    >>> from pkg.text import ensure_text
    >>> ensure_text(
    ...     3)
    '3'
    >>> import pkg.text
    >>> pkg.text.ensure_text("y")
    'y'
    """
    # ensure_text is kept simple: str() does the work
    return value.decode() if isinstance(value, bytes) else str(value)


def unrelated(ensure_text):
    """Takes a parameter named like it: >>> examples elsewhere are left alone.

    >>> unrelated(lambda ensure_text: ensure_text)(1)
    1
    """
    return ensure_text


def tabbed(sep):
    "Joins with ensure_text()" " per item."
    return sep


def continued():
    """A doctest continued with a backslash in the docstring itself.

    >>> v = ensure_text("\\t") ; \
        v == '\\t'
    True
    """
