from pkg import ensure_text

print(ensure_text(1))
