import pkg
from pkg import ensure_bytes, to_text

print(to_text(1), ensure_bytes(2), pkg.to_text(3))
