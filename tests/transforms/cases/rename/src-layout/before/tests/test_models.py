from shop import ensure_text
from shop.compat import ensure_text as as_text


def test_label():
    assert ensure_text(b"a") == as_text("a")
