"""Tests for pkg.text.to_text."""
from unittest import mock

from pkg import text


def check_patch():
    with mock.patch("pkg.text.to_text") as fake:
        text.to_text("x")  # calls pkg.text.to_text (comments are not reported)
    assert getattr(text, "ensure_text") is not None
    mock.patch.object(text, "ensure_text")
    return fake, f"{text.__name__}.ensure_text", "ensure_text_v2"


def check_local():
    """Calls to_text through a local import."""
    from pkg.text import to_text
    return to_text("x")
