"""inventory: a tiny stock-keeping library (items, stock levels, price lists, stores)."""
from .models import Item, StockLevel
from .pricing import PriceList, apply_discount
from .report import stock_report
from .storage import JsonFileStore, MemoryStore
from .text import to_text

__all__ = [
    "Item",
    "JsonFileStore",
    "MemoryStore",
    "PriceList",
    "StockLevel",
    "apply_discount",
    "stock_report",
    "to_text",
]

__version__ = "1.4.0"
