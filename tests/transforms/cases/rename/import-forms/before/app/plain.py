import pkg.text


def show(value):
    return pkg.text.ensure_text(value)
