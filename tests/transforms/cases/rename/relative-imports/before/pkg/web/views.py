from ..core.text import ensure_text
from ..core import text
from .. import core


def render(value):
    return ensure_text(value) + text.ensure_text(value) + core.text.ensure_text(value)
