"""whitespace_only: same tokens and comments means a layout change, whatever the shortcut."""
from __future__ import annotations

import pytest

from runner.transforms.validation import whitespace_only


@pytest.mark.parametrize(
    "before, after",
    [
        (b"x = 1\n", b"x  =  1\n"),
        (b"f(a,\n  b)\n", b"f(a, b)\n"),
        (b"x = 1 + \\\n    2\n", b"x = 1 + 2\n"),  # a line continuation is layout
        (b"\xef\xbb\xbfx = 1\n", b"x = 1\n"),  # so is the BOM
        (b"if x:\n    y\n", b"if x:\n\ty\n"),
    ],
)
def test_layout_changes_are_whitespace_only(before: bytes, after: bytes) -> None:
    assert whitespace_only(before, after)


@pytest.mark.parametrize(
    "before, after",
    [
        (b"x = 1\n", b"x = 2\n"),
        (b"s = 'a b'\n", b"s = 'ab'\n"),  # whitespace inside a string is text
        (b"s = 'a\\\\b'\n", b"s = 'ab'\n"),
        (b"x = 1  # note\n", b"x = 1  # other\n"),
        (b"x = 1\n", b"x = 1  # note\n"),
        (b"ab = 1\n", b"a b = 1\n"),  # same characters, other tokens
        (b"x = (\n", b"x = (  \n"),  # does not tokenize: never dropped as layout
    ],
)
def test_other_changes_are_not(before: bytes, after: bytes) -> None:
    assert not whitespace_only(before, after)
