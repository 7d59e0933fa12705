"""Tests of the settings loader (a unittest-style module, before the migration)."""
import json
import math
import os
import unittest
import warnings
from decimal import Decimal

from settings import ConfigError, Settings, load, parse_duration
import pytest
import re


class SettingsTestBase(unittest.TestCase):
    """Shared helpers; `assertValidSettings` is the project's own assertion."""

    def assertValidSettings(self, settings):
        assert isinstance(settings, Settings)
        assert settings.name, "a name is required"

    def load(self, text):
        return load(json.loads(text))


class LoadTest(SettingsTestBase):
    def setUp(self):
        self.raw = '{"name": "demo", "port": 8080, "ratio": 0.1}'

    def test_values(self):
        settings = self.load(self.raw)
        self.assertValidSettings(settings)
        assert settings.name == "demo"
        assert settings.port == 8080, "default port"
        assert (settings.port or 80) == 8080  # precedence: parenthesised
        # the whole mapping
        assert settings.as_dict() == {"name": "demo", "port": 8080, "ratio": 0.1}
        assert settings.scheme == "http"
        assert settings.port != 0, "port is set"
        assert settings.extra == {}
        assert sorted(settings.keys()) == ["name", "port", "ratio"]
        # a line break inside brackets: converted
        assert sorted(
                settings.keys()) == ["name", "port", "ratio"]
        assert (settings.port > 1024 and
                        settings.port < 65536)  # spans lines outside brackets: parenthesised
        assert settings.name == ("de"
                                        "mo")  # implicit concatenation: parenthesised

    def test_truth(self):
        settings = self.load(self.raw)
        assert settings.enabled
        assert not (settings.debug or settings.verbose)
        assert settings.port
        assert not settings.readonly
        assert settings.proxy is None
        assert settings.port is not None, "port"
        assert settings.parent is None
        assert settings.copy() is not settings

    def test_membership_and_order(self):
        settings = self.load(self.raw)
        assert "name" in settings
        assert "password" not in settings.keys()
        assert settings.port > 1024
        assert settings.port >= 8080
        assert settings.ratio < 1
        assert -settings.ratio <= 0
        assert not isinstance(settings.port, str)
        assert re.search(r"^[a-z]+$", settings.name)
        assert not re.search(r"\s", settings.name)

    def test_floats(self):
        settings = self.load(self.raw)
        assert settings.ratio * 3 == pytest.approx(0.3, abs=0.5e-7)
        assert settings.ratio == pytest.approx(0.1, abs=0.5 * 10 ** -3)
        assert settings.ratio == pytest.approx(0.1, abs=0.5 * 10 ** -2), "two places"
        assert settings.ratio == pytest.approx(0.12, abs=0.05)
        assert settings.ratio != pytest.approx(0.2, abs=0.5e-7)
        assert float(Decimal("0.1")) == pytest.approx(math.fsum([0.05, 0.05]), abs=0.5e-7)

    def test_errors(self):
        with pytest.raises(ConfigError):
            self.load('{"port": -1}')
        with pytest.raises(ConfigError, match=r"port must be .* positive"):
            self.load('{"port": 0}')
        with pytest.raises(ValueError):
            parse_duration("ten minutes")
        with pytest.raises(KeyError):
            self.load("{}")["password"]
        with pytest.raises(ValueError, match="unit"):
            parse_duration("10 parsecs", strict=True)
        if os.name == "nt": self.assertRaises(OSError, os.readlink, "x")

    def test_error_details(self):
        with pytest.raises(ConfigError) as cm:
            self.load('{"port": "x"}')
        assert cm.value.field == "port"
        with pytest.raises(ConfigError, match="positive") as cm:
            self.load('{"port": -1}')
        assert str(cm.value) == "port must be a positive number"
        assert cm.value.args[0] == "port must be a positive number"

    def test_left_for_a_person(self):
        with self.assertRaises(ConfigError) as ctx:
            self.load("[]")
        assert ctx.expected is ConfigError  # no pytest equivalent: the with is left
        with self.assertWarns(UserWarning) as w:
            warnings.warn("old", UserWarning)
        assert str(w.warning) == "old"  # pytest.warns gives a list of records
        compare = self.assertEqual  # the alias is renamed, the call stays
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
