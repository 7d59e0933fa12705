"""A plain-text stock report."""
from typing import List, Optional

from .compat import ensure_text
from .pricing import PriceList
from .storage.memory import MemoryStore


def stock_report(store: MemoryStore, prices: Optional[PriceList] = None, title: Optional[str] = None) -> str:
    """One line per item: SKU, name, available quantity and, with prices, the stock value."""
    lines: List[str] = []
    if title:
        lines.append("== %s ==" % ensure_text(title))
    for item in store.items():
        level = store.stock(item.sku)
        line = "{:<8} {:<20} {:>5}".format(item.sku, item.name, level.available)
        if prices is not None:
            value = prices.price(item.sku, level.available)
            line += "  " + prices.format_amount(value)
        lines.append(line.rstrip())
    if not store.items():
        lines.append("(no items)")
    return "\n".join(lines) + "\n"
