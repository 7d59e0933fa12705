import json
from decimal import Decimal

import pytest

from inventory import Item, JsonFileStore, MemoryStore, stock_report
from inventory.compat import ensure_text as text_of


def test_reserve_and_receive(store):
    store.reserve("A-100", 2)
    assert store.stock("A-100").available == 1
    with pytest.raises(ValueError, match="cannot reserve 5 of A-100: only 1 available"):
        store.reserve("A-100", 5)
    store.receive("A-100", 10)
    assert store.stock("A-100").available == 11


def test_duplicate_and_unknown_sku(store):
    with pytest.raises(ValueError, match="SKU B-200 already exists"):
        store.add(Item("B-200", "Bucket", Decimal("1")))
    with pytest.raises(KeyError, match="unknown SKU 'Z-999'"):
        store.stock("Z-999")


def test_json_store_round_trip(tmp_path):
    path = tmp_path / "stock.json"
    first = JsonFileStore(path)
    first.add(Item("A-100", "Anvil", Decimal("49.90"), tags=["heavy"]), on_hand=3)
    first.reserve("A-100", 1)
    first.save()
    assert json.loads(path.read_text())["items"][0]["reserved"] == 1
    second = JsonFileStore(str(path).encode())
    assert text_of(second.path.name) == "stock.json"
    assert second.get("A-100") == first.get("A-100")
    assert second.stock("A-100").available == 2


def test_stock_report(store, prices):
    assert stock_report(store, prices, title="Stock") == (
        "== Stock ==\n"
        "A-100    Anvil                    3  149.70 EUR\n"
        "B-200    Bucket                  12  51.00 EUR\n"
    )


def test_empty_report():
    assert stock_report(MemoryStore()) == "(no items)\n"
