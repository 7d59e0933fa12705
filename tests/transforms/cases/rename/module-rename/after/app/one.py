import pkg.legacy
import pkg.legacy as pc
from pkg import legacy
from pkg.legacy import ensure_text


def run(v):
    return pkg.legacy.ensure_text(v), pc.ensure_text(v), legacy.ensure_text(v), ensure_text(v)
