from decimal import Decimal

from inventory import Item, StockLevel
from inventory.compat import ensure_text


def test_item_from_record_decodes_bytes():
    item = Item.from_record({"sku": b"A-100", "name": b"Anvil", "unit_price": "49.90", "tags": [b"heavy"]})
    assert item == Item("A-100", "Anvil", Decimal("49.90"), tags=["heavy"])
    assert item.description is None


def test_item_record_round_trip():
    item = Item("C-300", "Chisel", Decimal("7.50"), description="wood chisel, 12 mm")
    assert Item.from_record(item.to_record()) == item


def test_item_label():
    assert Item("A-100", "Anvil", Decimal("49.90")).label() == "Anvil (A-100)"


def test_stock_level_available_never_negative():
    level = StockLevel("A-100", on_hand=2, reserved=5)
    assert level.available == 0
    assert StockLevel("A-100", on_hand=7, reserved=2).describe() == "A-100: 5 available, 2 reserved"


def test_text_helper_used_for_labels():
    assert ensure_text(b"Anvil") + " " + ensure_text(3) == "Anvil 3"
