from pkg.text import ensure_text


def run(values):
    to_text = ", ".join  # a local that the renamed import would be captured by
    return to_text(ensure_text(v) for v in values)
