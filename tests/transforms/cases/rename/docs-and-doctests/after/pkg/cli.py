"""Command line: reads entry points like "pkg.text:to_text"."""
ENTRY = "pkg.text:to_text"
TARGET = "pkg.text.to_text"
