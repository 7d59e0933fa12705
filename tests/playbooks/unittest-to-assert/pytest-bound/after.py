"""Tests that run with or without pytest installed: `pytest` may be None here."""
import unittest

try:
    import pytest
except ImportError:  # pragma: no cover
    pytest = None


def approx_sum(values):
    return sum(values)


class SumTest(unittest.TestCase):
    def test_total(self):
        assert approx_sum([1, 2]) == 3
        self.assertAlmostEqual(approx_sum([0.1, 0.2]), 0.3)

    def test_errors(self):
        with self.assertRaises(TypeError):
            approx_sum(None)
        assert (pytest and None) is None


if __name__ == "__main__":
    unittest.main()
