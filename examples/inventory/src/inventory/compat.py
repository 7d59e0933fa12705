"""Helpers kept from the Python 2 days.

Deprecated: use :mod:`inventory.text`. The shim stays for third-party callers; code
inside this repository is migrated by ``playbook.yaml`` (phase ``rename``).
"""
import sys
import warnings
from decimal import Decimal
from typing import Optional, Union

from .text import to_text


def ensure_text(value: Union[str, bytes, int, float, Decimal, None], encoding: str = "utf-8") -> str:
    """Deprecated alias of :func:`inventory.text.to_text`."""
    warnings.warn(
        "inventory.compat.ensure_text is deprecated; use inventory.text.to_text",
        DeprecationWarning,
        stacklevel=2,
    )
    return to_text(value, encoding)
