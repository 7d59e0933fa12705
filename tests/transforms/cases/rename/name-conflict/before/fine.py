from pkg.text import ensure_text

print(ensure_text(1))
