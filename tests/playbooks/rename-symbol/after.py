"""Checkout totals in cents (see shop.money.as_cents)."""
from decimal import Decimal

from shop import money
from shop.money import from_cents, as_cents
from . import money as m
from .money import as_cents as cents


def total(lines):
    return sum(as_cents(price) * qty for price, qty in lines)


def shipping(weight):
    return money.as_cents(Decimal("4.90")) + m.as_cents(weight) + cents(1)


def refund(total_cents):
    return from_cents(total_cents)


def converter(name="to_cents"):
    return getattr(money, name)


def to_cents_local():
    to_cents = 0  # a local of the same name is another binding
    return to_cents
