"""Text helpers: the replacement of the legacy helpers in ``inventory.compat``."""
from decimal import Decimal
from typing import Union


def to_text(value: Union[str, bytes, int, float, Decimal, None], encoding: str = "utf-8") -> str:
    """Return ``value`` as ``str``: bytes are decoded, ``None`` becomes ``""``."""
    if value is None:
        return ""
    if isinstance(value, bytes):
        return value.decode(encoding)
    return str(value)
