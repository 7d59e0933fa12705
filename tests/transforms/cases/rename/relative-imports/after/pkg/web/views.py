from ..core.text import to_text
from ..core import text
from .. import core


def render(value):
    return to_text(value) + text.to_text(value) + core.text.to_text(value)
