import pkg.compat

VALUE = pkg.compat.ensure_text(1)
