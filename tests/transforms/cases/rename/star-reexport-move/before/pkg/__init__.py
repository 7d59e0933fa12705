"""The public API."""
from .compat import *  # noqa: F403
