"""Tests of the settings loader (a unittest-style module, before the migration)."""
import json
import math
import os
import unittest
import warnings
from decimal import Decimal

from settings import ConfigError, Settings, load, parse_duration


class SettingsTestBase(unittest.TestCase):
    """Shared helpers; `assertValidSettings` is the project's own assertion."""

    def assertValidSettings(self, settings):
        self.assertIsInstance(settings, Settings)
        self.assertTrue(settings.name, "a name is required")

    def load(self, text):
        return load(json.loads(text))


class LoadTest(SettingsTestBase):
    def setUp(self):
        self.raw = '{"name": "demo", "port": 8080, "ratio": 0.1}'

    def test_values(self):
        settings = self.load(self.raw)
        self.assertValidSettings(settings)
        self.assertEqual(settings.name, "demo")
        self.assertEqual(settings.port, 8080, "default port")
        self.assertEqual(settings.port or 80, 8080)  # precedence: parenthesised
        self.assertEqual(
            settings.as_dict(),
            {"name": "demo", "port": 8080, "ratio": 0.1},  # the whole mapping
        )
        self.assertEquals(settings.scheme, "http")
        self.assertNotEqual(settings.port, 0, msg="port is set")
        self.assertDictEqual(settings.extra, {})
        self.assertListEqual(sorted(settings.keys()), ["name", "port", "ratio"])
        self.assertEqual(
            sorted(
                settings.keys()),  # a line break inside brackets: converted
            ["name", "port", "ratio"],
        )
        self.assertTrue(settings.port > 1024 and
                        settings.port < 65536)  # spans lines outside brackets: parenthesised
        self.assertEqual(settings.name, "de"
                                        "mo")  # implicit concatenation: parenthesised

    def test_truth(self):
        settings = self.load(self.raw)
        self.assertTrue(settings.enabled)
        self.assertFalse(settings.debug or settings.verbose)
        self.assert_(settings.port)
        self.failIf(settings.readonly)
        self.assertIsNone(settings.proxy)
        self.assertIsNotNone(settings.port, "port")
        self.assertIs(settings.parent, None)
        self.assertIsNot(settings.copy(), settings)

    def test_membership_and_order(self):
        settings = self.load(self.raw)
        self.assertIn("name", settings)
        self.assertNotIn("password", settings.keys())
        self.assertGreater(settings.port, 1024)
        self.assertGreaterEqual(settings.port, 8080)
        self.assertLess(settings.ratio, 1)
        self.assertLessEqual(-settings.ratio, 0)
        self.assertNotIsInstance(settings.port, str)
        self.assertRegex(settings.name, r"^[a-z]+$")
        self.assertNotRegex(settings.name, r"\s")

    def test_floats(self):
        settings = self.load(self.raw)
        self.assertAlmostEqual(settings.ratio * 3, 0.3)
        self.assertAlmostEqual(settings.ratio, 0.1, places=3)
        self.assertAlmostEqual(settings.ratio, 0.1, 2, "two places")
        self.assertAlmostEqual(settings.ratio, 0.12, delta=0.05)
        self.assertNotAlmostEqual(settings.ratio, 0.2)
        self.assertAlmostEqual(float(Decimal("0.1")), math.fsum([0.05, 0.05]))

    def test_errors(self):
        with self.assertRaises(ConfigError):
            self.load('{"port": -1}')
        with self.assertRaisesRegex(ConfigError, r"port must be .* positive"):
            self.load('{"port": 0}')
        self.assertRaises(ValueError, parse_duration, "ten minutes")
        self.assertRaises(KeyError, lambda: self.load("{}")["password"])
        self.assertRaisesRegex(ValueError, "unit", parse_duration, "10 parsecs", strict=True)
        if os.name == "nt": self.assertRaises(OSError, os.readlink, "x")

    def test_error_details(self):
        with self.assertRaises(ConfigError) as cm:
            self.load('{"port": "x"}')
        self.assertEqual(cm.exception.field, "port")
        with self.assertRaisesRegex(ConfigError, "positive") as cm:
            self.load('{"port": -1}')
        self.assertEqual(str(cm.exception), "port must be a positive number")
        self.assertEqual(cm.exception.args[0], "port must be a positive number")

    def test_left_for_a_person(self):
        with self.assertRaises(ConfigError) as ctx:
            self.load("[]")
        self.assertIs(ctx.expected, ConfigError)  # no pytest equivalent: the with is left
        with self.assertWarns(UserWarning) as w:
            warnings.warn("old", UserWarning)
        self.assertEqual(str(w.warning), "old")  # pytest.warns gives a list of records
        compare = self.assertEquals  # the alias is renamed, the call stays
        compare(self.load(self.raw).port, 8080)
        check = lambda key: self.assertIn(key, self.load(self.raw))  # not a statement
        check("name")
        self.assertCountEqual(self.load(self.raw).keys(), ["ratio", "port", "name"])
        self.assertSequenceEqual(self.load(self.raw).path, ("a", "b"))  # a list is not == a tuple
        with self.assertLogs("settings", level="WARNING"):
            self.load('{"name": "demo", "unknown": 1}')
        with self.assertRaises(ConfigError, msg="a message is not pytest.raises' business"):
            self.load("[]")
        for key in ("name", "port"):
            if key not in self.load(self.raw):
                self.fail("missing %s" % key)  # self.fail keeps working: left alone


if __name__ == "__main__":
    unittest.main()
