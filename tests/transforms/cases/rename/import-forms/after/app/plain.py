import pkg.text


def show(value):
    return pkg.text.to_text(value)
