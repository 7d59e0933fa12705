"""Text helpers."""
__all__ = ["to_text", "ensure_bytes"]

_cache = {}


def to_text(value, encoding="utf-8"):  # keep this comment
    """Return value as str."""
    if isinstance(value, bytes):
        return value.decode(encoding)
    return str(value)


def ensure_bytes(value):
    return to_text(value).encode()


def _reset():
    global to_text
    to_text = _cache.get("ensure_text", to_text)


def shadow(items):
    ensure_text = [str(i) for i in items]  # an unrelated local, same spelling
    return ensure_text


class Codec:
    ensure_text = staticmethod(lambda v: v)  # a class attribute, not the module one

    def run(self, v):
        return self.ensure_text(v), to_text(v)
