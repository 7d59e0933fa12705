import pkg.text

VALUE = pkg.text.ensure_text(1)
