"""Where items and stock levels are kept."""
from .jsonfile import JsonFileStore
from .memory import MemoryStore

__all__ = ["JsonFileStore", "MemoryStore"]
