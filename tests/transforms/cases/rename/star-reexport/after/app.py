from pkg import to_text

print(to_text(1))
