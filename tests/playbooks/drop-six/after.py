"""Text helpers (drop-six golden input): six names, branches, metaclasses, moves."""
from __future__ import absolute_import

import sys

import six
from urllib.parse import quote

import pickle


class Meta(type):
    pass


class Registry(object, metaclass=Meta):
    """Keeps codecs by name."""

    def __init__(self, items=None):
        self.items = dict(items or {})

    def names(self):
        return sorted(k for k, _ in self.items.items())


class Strict(Registry, metaclass=Meta):
    pass


def to_text(value, encoding="utf-8"):
    if isinstance(value, bytes):
        return value.decode(encoding)
    if isinstance(value, (str,)):
        return value
    return str(value)


def keyed(mapping, text_type=None):
    # `text_type` here is a parameter: not six's
    return [(text_type or str)(k) for k in mapping]


def numbers(n):
    return [i.to_bytes(1, "big") for i in range(n)] + ["x".encode("latin-1"), "y"]


def dump(obj):
    return quote(pickle.dumps(obj))


def rethrow():
    exc_info = sys.exc_info()
    raise exc_info[1].with_traceback(exc_info[2])


def legacy(value):
    return six.ensure_str(value)
