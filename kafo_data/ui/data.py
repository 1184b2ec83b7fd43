"""The pages' access to the data: one Database per process, every query cached by data version.

Pages call the query functions themselves (`q(queries.events_summary, filters)`), so an editor
follows the call and the result keeps its type; the cache key is the function
object, its arguments, the data version (which changes when a batch is added or removed) and the
audience of the session (`kafo_data.access`). Only functions declared in `kafo_data.query_gate` run here;
a public session may call only those declared `@public_query` (aggregates with small cells
suppressed, reference facts, the budget), and never shares a cache entry with a manager's.

The cache is the process's own (`kept`), not `st.cache_data`: that one hashed every argument
through `inspect.signature` and unpickled a copy of the result on every hit, a quarter of a
click's script run on the budget page (issue 16). Here the key is the plain arguments, and a hit
hands out a copy the page may change freely: a shallow copy of a frame (pandas copies on write),
new dicts, lists and tuples around the values.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Hashable
from pathlib import Path
from typing import Any, Concatenate, ParamSpec, TypeVar

import duckdb
import pandas as pd
import streamlit as st

from kafo_data import query_gate
from kafo_data.access import Access
from kafo_data.config import data_dir
from kafo_data.errors import DataMissingError
from kafo_data.i18n import t
from kafo_data.store.db import Database, get_database
from kafo_data.ui import signin
from kafo_data.ui.lru import Lru
from kafo_data.ui.state import lang

_log = logging.getLogger(__name__)
P = ParamSpec("P")
T = TypeVar("T")
_RUN = threading.local()  # what one script run has already looked up (each run has its own thread)
RESULTS = Lru(2048)  # results kept in the process, the least recently used dropped first


def database() -> Database:
    """The data directory's Database, looked up once per script run (resolving its path is two system calls)."""
    found = getattr(_RUN, "db", None)
    if found is None:
        found = _RUN.db = get_database(data_dir())
    return found


def access() -> Access:
    """The role of this run's session, decided once per script run (`new_run` forgets it)."""
    found = getattr(_RUN, "access", None)
    if found is None:
        found = _RUN.access = signin.current()
    return found


def kept(key: Hashable, make: Callable[[], T]) -> T:
    """`make()`, computed once per key in this process; every caller gets its own copy (see the module's doc)."""
    return handed_out(RESULTS.get(key, make))


def handed_out(value: T) -> T:
    """A copy of a kept result that its caller may change without changing what the next caller gets."""
    if isinstance(value, pd.DataFrame | pd.Series):
        return value.copy(deep=False)  # type: ignore[return-value]
    if isinstance(value, dict):
        return {k: handed_out(v) for k, v in value.items()}  # type: ignore[return-value]
    if isinstance(value, list | tuple):
        return type(value)(handed_out(v) for v in value)  # type: ignore[return-value]
    return value


def forget() -> None:
    """Drop every kept result (tests that change the data in place under one version)."""
    RESULTS.clear()


def _call(fn: Callable[..., Any], audience: str, version: str, root: str, args: tuple, kwargs: tuple) -> Any:
    return kept((fn, audience, version, root, args, kwargs),
                lambda: fn(get_database(Path(root)), *args, **dict(kwargs)))


def q(fn: Callable[Concatenate[Database, P], T], *args: P.args, **kwargs: P.kwargs) -> T:
    """`fn(database, *args, **kwargs)`, cached by (query, arguments, data version).

    A data file that is missing or unreadable ends the page with one message that names the
    problem and the commands that check and rebuild the data, instead of a traceback; a public
    visitor gets a message that names no path, batch or file, whatever went wrong in the data
    layer (the server log has the details).
    """
    if not query_gate.is_query(fn):
        raise ValueError(f"not a declared query function (kafo_data.query_gate): {fn.__module__}.{fn.__qualname__}")
    who = access()
    if not who.is_manager and not query_gate.is_public(fn):
        signin.sign_in_required(who)  # a public session asked for record-level data: it gets none of it
        st.stop()
    db = database()
    try:
        return _call(fn, who.audience, run_version(db), str(db.root), args, tuple(sorted(kwargs.items())))
    except (DataMissingError, duckdb.Error) as exc:
        _log.exception("query %s.%s failed", fn.__module__, fn.__qualname__)
        if not who.is_manager:
            st.error(t("cellkey.unavailable", lang()), icon="🗂️")
            st.stop()
        if not isinstance(exc, DataMissingError | duckdb.IOException | duckdb.InvalidInputException):
            raise
        rebuild = "money build" if fn.__module__.startswith("kafo_data.money") else "build"
        st.error(t("app.data_missing", lang(), problem=str(exc).splitlines()[0]), icon="🗂️")
        st.code(f"python -m kafo_data validate\npython -m kafo_data {rebuild}", language="bash")
        st.stop()


def run_version(db: Database) -> str:
    """The data version, looked up once per script run (`new_run` forgets it): a page makes 20 queries."""
    version = getattr(_RUN, "version", None)
    if version is None or getattr(_RUN, "root", None) != db.root:
        version, _RUN.root = db.version(), db.root
        _RUN.version = version
    return version


def per_version(key: Hashable, make: Callable[[], T]) -> T:
    """`make()` once per data version and audience in this process: what pages derive from queries alike."""
    db = database()
    return kept(("derived", key, access().audience, run_version(db), str(db.root)), make)


def new_run() -> None:
    _RUN.version = None
    _RUN.access = None
    _RUN.db = None
