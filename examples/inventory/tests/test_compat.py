"""The deprecated shim itself: kept for third-party callers, so it keeps its old name."""
import pytest

from inventory import compat


def test_ensure_text_still_works_but_warns():
    with pytest.deprecated_call():
        assert compat.ensure_text(b"caf\xc3\xa9") == "café"
    with pytest.deprecated_call():
        assert compat.ensure_text(None) == ""
