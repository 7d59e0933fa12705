"""Long lists in one line: the first few items in full, the rest counted."""
from __future__ import annotations

from typing import Sequence

#: items named in full before the rest are counted
SHOWN = 5


def list_some(items: Sequence[str], shown: int = SHOWN) -> str:
    """``a, b, c, … and 4 more``."""
    more = f", … and {len(items) - shown} more" if len(items) > shown else ""
    return ", ".join(items[:shown]) + more
