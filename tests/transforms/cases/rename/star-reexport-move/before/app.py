import pkg
from pkg import ensure_bytes, ensure_text

print(ensure_text(1), ensure_bytes(2), pkg.ensure_text(3))
