"""batchmod's own dataclasses with their rarely called methods compiled on first call.

``@dataclass`` writes each generated method as source and compiles it when the class is
made: six functions for a frozen class, about 70 µs each, so the records a plan imports
(nearly 60) cost a third of its start-up. Only ``__init__`` is called on most of them;
:func:`install` makes ``__repr__``, ``__eq__``, ``__hash__``, ``__setattr__`` and
``__delattr__`` of classes defined in ``runner`` modules stand-ins that compile the
method dataclasses would have made at their first call, put it on the class in their
place (``__repr__`` stays behind its recursion guard) and call it. The methods then
behave exactly as dataclasses makes them; ``__init__`` (whose signature dataclasses may
read to write a docstring) and every other package's dataclasses are left alone.
"""
from __future__ import annotations

import dataclasses
from typing import Any, Callable

#: the dataclasses methods made on first call; __init__ is compiled at once
_LAZY = frozenset({"__repr__", "__eq__", "__hash__", "__setattr__", "__delattr__"})


def install() -> None:
    """Make dataclasses compile the methods of ``_LAZY`` of batchmod's classes on first
    call; does nothing where dataclasses builds methods otherwise (Python 3.13 compiles a
    class's methods at once) or when already done."""
    create = getattr(dataclasses, "_create_fn", None)
    if create is None or getattr(create, "_batchmod_lazy", False):
        return
    lazy = _lazy_create_fn(create)
    lazy._batchmod_lazy = True  # type: ignore[attr-defined]
    dataclasses._create_fn = lazy  # type: ignore[attr-defined]


def _lazy_create_fn(create: Callable[..., Any]) -> Callable[..., Any]:
    def create_fn(name: str, args: list[str], body: list[str], *, globals: dict[str, Any] | None = None,
                  locals: dict[str, Any] | None = None, return_type: Any = dataclasses.MISSING) -> Any:
        module = (globals or {}).get("__name__") or ""
        if name not in _LAZY or not (module == "runner" or module.startswith("runner.")):
            return create(name, args, body, globals=globals, locals=locals, return_type=return_type)
        return _stand_in(name, module, lambda: create(name, args, body, globals=globals, locals=locals,
                                                      return_type=return_type))

    return create_fn


def _stand_in(name: str, module: str, compile_method: Callable[[], Any]) -> Any:
    """A method named as dataclasses names its own (``_set_qualname`` renames it on the
    class) that compiles the real one at its first call and passes every call on."""
    real = None

    def method(self: Any, *args: Any) -> Any:
        nonlocal real
        if real is None:
            real = compile_method()
            real.__qualname__ = method.__qualname__
            for klass in type(self).__mro__:
                if klass.__dict__.get(name) is method:
                    setattr(klass, name, real)
                    break
        return real(self, *args)

    method.__name__ = name
    method.__qualname__ = f"__create_fn__.<locals>.{name}"
    method.__module__ = module
    return method
