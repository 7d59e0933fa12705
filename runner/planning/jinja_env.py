"""The Jinja2 sandbox behind ``render.py``: bounded ``*``, ``**`` and ``range``, strict undefined."""
from __future__ import annotations

import functools
from contextvars import ContextVar
from typing import Any

from jinja2 import StrictUndefined, TemplateError, meta
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError, safe_range

from runner.planning.render import RenderError, shquote

#: the longest string or list a template may build with ``*`` (a path list, a command line)
MAX_REPEAT = 1_000_000
#: the largest power a template may compute, in bits
MAX_POWER_BITS = 4096


class _BoundedSandbox(ImmutableSandboxedEnvironment):
    """The sandbox, plus ``*`` and ``**`` that refuse results too big to build, so a
    template such as ``'x' * 5000000000`` fails fast instead of taking all memory."""

    intercepted_binops = frozenset({"*", "**"})

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator == "*":
            for seq, times in ((left, right), (right, left)):
                if isinstance(seq, (str, list, tuple)) and isinstance(times, int) and len(seq) * times > MAX_REPEAT:
                    raise SecurityError(f"the result of `*` would be {len(seq) * times:,} long (at most {MAX_REPEAT:,})")
        if operator == "**" and isinstance(left, int) and isinstance(right, int) and abs(left) > 1 and right > 0:
            if right * abs(left).bit_length() > MAX_POWER_BITS:
                raise SecurityError(f"`{left} ** {right}` is too large to compute (over {MAX_POWER_BITS} bits)")
        return super().call_binop(context, operator, left, right)


@functools.lru_cache(maxsize=1)
def _env() -> ImmutableSandboxedEnvironment:
    env = _BoundedSandbox(undefined=StrictUndefined, keep_trailing_newline=True, autoescape=False)
    env.filters["shquote"] = shquote
    env.globals["range"] = _counted_range
    return env


#: range() items one render may produce in all (nested loops multiply)
MAX_RANGE_STEPS = 1_000_000
#: the longest text a template may render to
MAX_OUTPUT = 1_000_000
_range_left: ContextVar[int] = ContextVar("range_left", default=MAX_RANGE_STEPS)


def _counted_range(*args: int) -> range:
    steps = safe_range(*args)  # the sandbox's own limit on one range
    left = _range_left.get() - len(steps)
    if left < 0:
        raise SecurityError(f"the template's ranges would run over {MAX_RANGE_STEPS:,} steps in all")
    _range_left.set(left)
    return steps


def render_template(template: str, context: dict[str, Any]) -> str:
    """Render ``template`` with ``context`` in the sandbox; any failure of the template is a RenderError."""
    budget = _range_left.set(MAX_RANGE_STEPS)
    try:
        size, out = 0, []
        for chunk in _env().from_string(template).generate(**context):
            size += len(chunk)
            if size > MAX_OUTPUT:
                raise SecurityError(f"the template renders to over {MAX_OUTPUT:,} characters")
            out.append(chunk)
        return "".join(out)
    except TemplateError as exc:
        raise RenderError(_explain(exc, context)) from None
    except (ArithmeticError, MemoryError, TypeError, ValueError, LookupError, RecursionError) as exc:
        # the template's own doing (range(10**8), 1/0, 'a' - 1): bad input, not a crash
        raise RenderError(f"template error: {type(exc).__name__}: {exc}") from None
    finally:
        _range_left.reset(budget)


def template_names(template: str) -> set[str]:
    """Variables a template uses (raises RenderError on a syntax error)."""
    try:
        return set(meta.find_undeclared_variables(_env().parse(template)))
    except TemplateError as exc:
        raise RenderError(f"template error: {exc}") from None


def _explain(exc: TemplateError, context: dict[str, Any]) -> str:
    message = str(exc)
    if "is undefined" in message:
        known = ", ".join(sorted(context)) or "none"
        return f"{message}; known variables: {known} (define it under `vars:` or pass --var NAME=VALUE)"
    return f"template error: {message}"
