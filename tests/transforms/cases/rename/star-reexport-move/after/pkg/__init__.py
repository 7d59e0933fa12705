"""The public API."""
from .compat import *  # noqa: F403
from .text import to_text
