"""Command line: reads entry points like "pkg.text:ensure_text"."""
ENTRY = "pkg.text:ensure_text"
TARGET = "pkg.text.ensure_text"
