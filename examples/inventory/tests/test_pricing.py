from decimal import Decimal
from unittest import mock

import pytest

from inventory import PriceList, apply_discount
from inventory import compat


def test_apply_discount_rounds_half_up():
    assert apply_discount("10.00", 15) == Decimal("8.50")
    assert apply_discount(Decimal("0.05"), 50) == Decimal("0.03")


def test_apply_discount_rejects_bad_rates():
    with pytest.raises(ValueError, match="between 0 and 100, got 120"):
        apply_discount(10, 120)


def test_price_and_quote(prices):
    assert prices.currency == "EUR"
    assert prices.price("B-200", 4) == Decimal("17.00")
    assert prices.price("A-100", 2, discount=10) == Decimal("89.82")
    assert prices.quote([("A-100", 1), ("B-200", 2)]) == Decimal("58.40")
    assert prices.format_amount(Decimal("58.4")) == "58.40 EUR"


def test_unknown_sku(prices):
    with pytest.raises(KeyError, match="no price for SKU 'Z-999'"):
        prices.price("Z-999")


def test_currency_is_normalised_through_the_text_helper():
    with mock.patch("inventory.compat.ensure_text", return_value="usd") as helper:
        prices = PriceList(currency=b"usd")
    helper.assert_called_once_with(b"usd")
    assert prices.currency == "USD"


def test_float_prices_are_exact():
    assert compat.ensure_text(4.1) == "4.1"
    assert PriceList(prices={"X": 4.1}).price("X", 3) == Decimal("12.30")
