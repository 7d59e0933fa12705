from shop import to_text
from shop.compat import to_text as as_text


def test_label():
    assert to_text(b"a") == as_text("a")
