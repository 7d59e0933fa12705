from ..compat import ensure_text as et

LABEL = et(1)
