from pkg.text import to_text

__all__ = ["to_text", "run"]


def run(value):
    return to_text(value) + to_text(value)
