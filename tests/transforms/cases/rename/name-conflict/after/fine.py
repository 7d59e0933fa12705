from pkg.text import to_text

print(to_text(1))
