"""An in-memory store."""
from typing import Dict, List, Optional

from ..models import Item, StockLevel


class MemoryStore:
    """Items and their stock levels, kept in dictionaries."""

    def __init__(self) -> None:
        self._items: Dict[str, Item] = {}
        self._stock: Dict[str, StockLevel] = {}

    def add(self, item: Item, on_hand: int = 0) -> None:
        if item.sku in self._items:
            raise ValueError("SKU {} already exists".format(item.sku))
        self._items[item.sku] = item
        self._stock[item.sku] = StockLevel(item.sku, on_hand=on_hand)

    def get(self, sku: str) -> Optional[Item]:
        return self._items.get(sku)

    def items(self) -> List[Item]:
        return [self._items[sku] for sku in sorted(self._items)]

    def stock(self, sku: str) -> StockLevel:
        try:
            return self._stock[sku]
        except KeyError:
            raise KeyError("unknown SKU {!r}".format(sku)) from None

    def receive(self, sku: str, quantity: int) -> StockLevel:
        level = self.stock(sku)
        level.on_hand += quantity
        return level

    def reserve(self, sku: str, quantity: int) -> StockLevel:
        level = self.stock(sku)
        if quantity > level.available:
            raise ValueError(
                "cannot reserve {} of {}: only {} available".format(quantity, sku, level.available)
            )
        level.reserved += quantity
        return level
