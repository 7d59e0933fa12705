"""Text helpers (drop-six golden input): six names, branches, metaclasses, moves."""
from __future__ import absolute_import

import sys

import six
from six import iteritems, text_type
from six.moves import range
from six.moves.urllib.parse import quote

if six.PY2:
    import cPickle as pickle
else:
    import pickle


class Meta(type):
    pass


@six.add_metaclass(Meta)
class Registry(object):
    """Keeps codecs by name."""

    def __init__(self, items=None):
        self.items = dict(items or {})

    def names(self):
        return sorted(k for k, _ in iteritems(self.items))


class Strict(six.with_metaclass(Meta, Registry)):
    pass


def to_text(value, encoding="utf-8"):
    if isinstance(value, six.binary_type):
        return value.decode(encoding)
    if isinstance(value, six.string_types):
        return value
    return text_type(value)


def keyed(mapping, text_type=None):
    # `text_type` here is a parameter: not six's
    return [(text_type or str)(k) for k in mapping]


def numbers(n):
    return [six.int2byte(i) for i in range(n)] + [six.b("x"), six.u("y")]


def dump(obj):
    return quote(pickle.dumps(obj))


def rethrow():
    exc_info = sys.exc_info()
    six.reraise(exc_info[0], exc_info[1], exc_info[2])


def legacy(value):
    return six.ensure_str(value)
