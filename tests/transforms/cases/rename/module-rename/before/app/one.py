import pkg.compat
import pkg.compat as pc
from pkg import compat
from pkg.compat import ensure_text


def run(v):
    return pkg.compat.ensure_text(v), pc.ensure_text(v), compat.ensure_text(v), ensure_text(v)
