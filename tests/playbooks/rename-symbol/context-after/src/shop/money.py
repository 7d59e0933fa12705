"""Money helpers."""
from decimal import Decimal

__all__ = ["as_cents", "from_cents"]


def as_cents(amount):
    """Convert a Decimal amount of money to integer cents."""
    return int((Decimal(amount) * 100).to_integral_value())


def from_cents(cents):
    return Decimal(cents) / 100


def round_trip(amount):
    return from_cents(as_cents(amount))
