"""The query gate: the functions pages may run through `ui.data.q`, each declared by its own decorator.

`@query` marks a query function (its first parameter is the `Database`); `@public_query` marks
one a public session may call too: aggregates with small cells suppressed, reference facts,
published figures, the budget. The registry holds the function objects themselves, so renaming
or moving a query keeps its standing, and a function nobody declared is refused to everybody.
The declaration is checked when its module loads: a query takes the database first and lives at
the top of its module (its cached results are keyed by the function).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import TypeVar

F = TypeVar("F", bound=Callable[..., object])
_QUERIES: dict[Callable[..., object], bool] = {}  # function -> whether a public session may call it


def _declare(fn: F, public: bool) -> F:
    params = list(inspect.signature(fn).parameters)
    if not params or params[0] != "db":
        raise TypeError(f"{fn.__module__}.{fn.__qualname__}: a query takes the database (`db`) first")
    if fn.__qualname__ != fn.__name__:
        raise TypeError(f"{fn.__module__}.{fn.__qualname__}: a query is a function at the top of its module")
    _QUERIES[fn] = public
    return fn


def query(fn: F) -> F:
    """Declare a query function for managers (record-level data)."""
    return _declare(fn, public=False)


def public_query(fn: F) -> F:
    """Declare a query function a public session may call (no record-level data)."""
    return _declare(fn, public=True)


def is_query(fn: object) -> bool:
    return fn in _QUERIES


def is_public(fn: object) -> bool:
    """Whether a public session may call this function (False for anything not declared)."""
    return _QUERIES.get(fn, False)  # type: ignore[call-overload]


def public_queries() -> list[Callable[..., object]]:
    """Every function a public session may call, in declaration order."""
    return [fn for fn, public in _QUERIES.items() if public]
