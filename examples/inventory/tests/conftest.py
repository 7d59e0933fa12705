from decimal import Decimal

import pytest

from inventory import Item, MemoryStore, PriceList


@pytest.fixture
def store() -> MemoryStore:
    store = MemoryStore()
    store.add(Item("A-100", "Anvil", Decimal("49.90"), tags=["heavy"]), on_hand=3)
    store.add(Item("B-200", "Bucket", Decimal("4.25")), on_hand=12)
    return store


@pytest.fixture
def prices() -> PriceList:
    return PriceList("eur", {"A-100": "49.90", "B-200": 4.25})
