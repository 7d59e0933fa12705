"""A store persisted as one JSON file."""
import json
import os
from pathlib import Path
from typing import Any, Dict, List, Union

from inventory.compat import ensure_text as as_text

from ..models import Item, StockLevel
from .memory import MemoryStore


class JsonFileStore(MemoryStore):
    """A MemoryStore that loads from and saves to ``path``."""

    def __init__(self, path: Union[str, bytes, Path]) -> None:
        super().__init__()
        self.path = Path(as_text(path)) if isinstance(path, bytes) else Path(path)
        if self.path.exists():
            self.load()

    def load(self) -> None:
        data: Dict[str, Any] = json.loads(self.path.read_text(encoding="utf-8"))
        for record in data.get("items", []):
            item = Item.from_record(record)
            self._items[item.sku] = item
            self._stock[item.sku] = StockLevel(
                item.sku, on_hand=int(record.get("on_hand", 0)), reserved=int(record.get("reserved", 0))
            )

    def save(self) -> None:
        records: List[Dict[str, Any]] = []
        for item in self.items():
            record = item.to_record()
            level = self.stock(item.sku)
            record["on_hand"] = level.on_hand
            record["reserved"] = level.reserved
            records.append(record)
        tmp = self.path.with_name("{}.tmp".format(self.path.name))
        tmp.write_text(json.dumps({"items": records}, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        os.replace(tmp, self.path)
