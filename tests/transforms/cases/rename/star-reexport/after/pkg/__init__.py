"""The public API."""
from .compat import *  # noqa: F403

VERSION = "1.0"
__all__ = ["VERSION", "to_text"]
