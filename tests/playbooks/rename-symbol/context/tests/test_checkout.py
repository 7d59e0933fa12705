from decimal import Decimal
from unittest import mock

from shop import to_cents
from shop.checkout import total


def test_total():
    assert total([(Decimal("1.50"), 2)]) == 300 == to_cents(Decimal("3"))


def test_total_uses_to_cents():
    with mock.patch("shop.checkout.to_cents", return_value=1) as fake:
        assert total([(Decimal("9.99"), 3)]) == 3
    fake.assert_called_with(Decimal("9.99"))
