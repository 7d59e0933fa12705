from pkg.text import ensure_text, ensure_bytes; import pkg.text as txt

RESULT = [ensure_text(1), ensure_bytes(2), txt.ensure_text(3)]
