"""Items and stock levels."""
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Dict, List, Optional

from .compat import ensure_text


@dataclass
class Item:
    sku: str
    name: str
    unit_price: Decimal
    tags: List[str] = field(default_factory=list)
    description: Optional[str] = None

    @classmethod
    def from_record(cls, record: Dict[str, object]) -> "Item":
        """Build an item from a decoded JSON record (values may still be bytes)."""
        description = record.get("description")
        return cls(
            sku=ensure_text(record["sku"]),
            name=ensure_text(record["name"]),
            unit_price=Decimal(ensure_text(record["unit_price"])),
            tags=[ensure_text(tag) for tag in record.get("tags", [])],
            description=ensure_text(description) if description is not None else None,
        )

    def to_record(self) -> Dict[str, object]:
        record: Dict[str, object] = {
            "sku": self.sku,
            "name": self.name,
            "unit_price": str(self.unit_price),
            "tags": list(self.tags),
        }
        if self.description is not None:
            record["description"] = self.description
        return record

    def label(self) -> str:
        return "{} ({})".format(self.name, self.sku)


@dataclass
class StockLevel:
    sku: str
    on_hand: int = 0
    reserved: int = 0

    @property
    def available(self) -> int:
        return max(self.on_hand - self.reserved, 0)

    def describe(self) -> str:
        return "{sku}: {available} available, {reserved} reserved".format(
            sku=self.sku, available=self.available, reserved=self.reserved
        )
