from pkg.text import to_text, ensure_bytes; import pkg.text as txt

RESULT = [to_text(1), ensure_bytes(2), txt.to_text(3)]
