"""The module under test of the golden unittest-to-assert case (copied beside before.py
and after.py, whose tests must pass before and after the migration)."""
import logging
import re

log = logging.getLogger("settings")

KNOWN = ("name", "port", "ratio")


class ConfigError(ValueError):
    def __init__(self, message, field=None):
        super().__init__(message)
        self.field = field


class Settings(dict):
    scheme = "http"
    enabled = True
    debug = verbose = readonly = False
    proxy = parent = None
    path = ["a", "b"]

    def __getattr__(self, key):
        try:
            return self[key]
        except KeyError:
            raise AttributeError(key) from None

    @property
    def extra(self):
        return {k: v for k, v in self.items() if k not in KNOWN}

    def as_dict(self):
        return dict(self)

    def copy(self):
        return Settings(self)


def load(raw):
    if not isinstance(raw, dict):
        raise ConfigError("settings must be an object")
    port = raw.get("port", 8080)
    if not isinstance(port, int):
        raise ConfigError("port must be a number", field="port")
    if port <= 0:
        raise ConfigError("port must be a positive number", field="port")
    for key in raw:
        if key not in KNOWN:
            log.warning("unknown setting %r", key)
    return Settings({"name": raw.get("name", ""), "port": port, "ratio": raw.get("ratio", 0.0)})


def parse_duration(text, strict=False):
    m = re.fullmatch(r"(\d+) ?(s|min|h)", text)
    if m is None:
        raise ValueError(f"bad duration {text!r}: expected a number and a unit (s, min, h)")
    return int(m.group(1)) * {"s": 1, "min": 60, "h": 3600}[m.group(2)]
