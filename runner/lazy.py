"""Modules imported on first use, for the heavy parts of libcst a command may never need."""
from __future__ import annotations

import importlib
import types


class LazyModule(types.ModuleType):
    """Stands for the module of its name, imported at the first attribute read (then kept)."""

    def __getattr__(self, attr: str) -> object:
        value = getattr(importlib.import_module(self.__name__), attr)
        setattr(self, attr, value)
        return value


def lazy_module(name: str) -> types.ModuleType:
    """The module ``name`` as an object whose first attribute read imports it; nothing is imported now."""
    return LazyModule(name)
