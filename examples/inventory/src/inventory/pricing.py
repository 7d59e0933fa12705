"""Price lists and discounts (amounts are Decimals rounded to cents)."""
from decimal import ROUND_HALF_UP, Decimal
from typing import Dict, Iterable, Optional, Tuple, Union

from inventory import compat

Number = Union[int, float, Decimal, str]

CENT = Decimal("0.01")


def to_decimal(value: Number) -> Decimal:
    """An exact Decimal for ``value`` (floats go through their shortest repr)."""
    if isinstance(value, Decimal):
        return value
    return Decimal(compat.ensure_text(value))


def apply_discount(price: Number, percent: Number) -> Decimal:
    """``price`` reduced by ``percent`` percent, rounded half-up to cents."""
    rate = to_decimal(percent)
    if not 0 <= rate <= 100:
        raise ValueError("discount must be between 0 and 100, got {}".format(rate))
    discounted = to_decimal(price) * (100 - rate) / 100
    return discounted.quantize(CENT, rounding=ROUND_HALF_UP)


class PriceList:
    """Unit prices by SKU in one currency."""

    def __init__(self, currency: Union[str, bytes] = "EUR", prices: Optional[Dict[str, Number]] = None) -> None:
        self.currency = compat.ensure_text(currency).upper()
        self._prices: Dict[str, Decimal] = {}
        for sku, price in (prices or {}).items():
            self.set_price(sku, price)

    def set_price(self, sku: str, price: Number) -> None:
        self._prices[sku] = to_decimal(price).quantize(CENT, rounding=ROUND_HALF_UP)

    def price(self, sku: str, quantity: int = 1, discount: Optional[Number] = None) -> Decimal:
        try:
            unit = self._prices[sku]
        except KeyError:
            raise KeyError("no price for SKU {!r}".format(sku)) from None
        total = unit * quantity
        return apply_discount(total, discount) if discount is not None else total

    def quote(self, lines: Iterable[Tuple[str, int]]) -> Decimal:
        """The total of (sku, quantity) lines."""
        return sum((self.price(sku, quantity) for sku, quantity in lines), Decimal("0.00"))

    def format_amount(self, amount: Decimal) -> str:
        return "{:.2f} {}".format(amount, self.currency)
