"""The cached query layer (docs/architecture.md): query functions are pure
(connection, parameters) -> DataFrame; this module runs them in read-only transactions and
caches the result under a key of (query, viewer's tenant scope, data version, parameters).

Results are kept in process-wide `SharedCache`s, which hand out shallow copies (pandas
copy-on-write keeps the stored frame unchanged) rather than pickling on store and
unpickling on every hit as `st.cache_data` would.

A dashboard edit bumps the data version in the same transaction, so every session of every
process sees it on its next rerun; rows written by other services appear within the TTL.

Nothing here needs Streamlit: the data version a script run is drawn from is pinned by a
context variable (`pinned_data_version`, entered by app.py around the page), and the
database, its engines and the row-level-security probe are made once per process. So
services run the same from a page, the CLI, the benchmark or a notebook.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, Generic, TypeVar

import pandas as pd
from sqlalchemy import Connection, Engine

from . import figure_memo
from .config import get_settings
from .db.engine import make_engine, read_only, rls_available
from .db.resolve import resolve_database
from .queries.versions import bump_data_version, read_data_version
from .scope import TenantScope
from .shared_cache import SharedCache
from .viewer import Viewer

__all__ = [
    "QueryFn",
    "cache_ttl_seconds",
    "clear",
    "data_version",
    "database_description",
    "derived",
    "dispose",
    "get_engine",
    "get_read_engine",
    "pinned_data_version",
    "run_query",
]

QueryFn = Callable[..., pd.DataFrame]
R = TypeVar("R")
_ENGINES: list[Engine] = []
# The data version of the script run in progress (None: read the row on each lookup). A
# context variable: each thread (Streamlit runs each session's script in its own) and each
# asyncio task sees its own value.
_PINNED_VERSION: ContextVar[int | None] = ContextVar("pinned_data_version", default=None)


class _OncePerProcess(Generic[R]):
    """`fn(*args)` made once per distinct arguments and kept for the process (the database,
    an engine per URL, the RLS probe), under a lock so that two sessions starting at once
    never make two; a call that raised is tried again next time. `clear()` forgets all."""

    def __init__(self, fn: Callable[..., R]) -> None:
        self._fn = fn
        self._made: dict[tuple[Hashable, ...], R] = {}
        self._lock = threading.RLock()
        functools.update_wrapper(self, fn)

    def __call__(self, *args: Hashable) -> R:
        with self._lock:
            if args not in self._made:
                self._made[args] = self._fn(*args)
            return self._made[args]

    def clear(self) -> None:
        with self._lock:
            self._made.clear()


def cache_ttl_seconds() -> float:
    """How long a cached result lives: the `CACHE_TTL_SECONDS` setting, read per lookup."""
    return float(get_settings().cache_ttl_seconds)


_QUERIES = SharedCache(ttl_s=cache_ttl_seconds, max_entries=2000)
_DERIVED_RESULTS = SharedCache(ttl_s=cache_ttl_seconds, max_entries=500)


@_OncePerProcess
def _database() -> Any:
    """The resolved database of this process (starts the embedded one when needed)."""
    return resolve_database(get_settings())


def database_description() -> str:
    """The one line saying which database is in use (no password)."""
    return _database().describe()


def get_engine() -> Engine:
    return _engine(_database().url)


@_OncePerProcess
def _engine(url: str) -> Engine:
    settings = get_settings()
    engine = make_engine(
        url, statement_timeout_ms=settings.statement_timeout_ms, pool_size=settings.pool_size
    )
    _ENGINES.append(engine)
    return engine


def get_read_engine() -> Engine:
    """The replica named by DATABASE_READ_URL, else the primary."""
    replica = get_settings().database_read_url
    return _engine(replica) if replica else get_engine()


@_OncePerProcess
def _rls_on(url: str) -> bool:
    return get_settings().row_level_security and rls_available(_engine(url))


def _read_url() -> str:
    return get_settings().database_read_url or _database().url


def _read_data_version() -> int:
    with read_only(get_read_engine()) as conn:
        return read_data_version(conn)


@contextmanager
def pinned_data_version() -> Iterator[int]:
    """Read the data version once and draw everything inside the block from it: app.py
    wraps each script run (sign-in and page) in it, so every cached query of the run uses
    that version instead of reading the row again, and the page shows one version of the
    data. Outside any block (the CLI, a notebook, a widget callback) each lookup reads the
    current version. Leaving the block restores what was pinned before it."""
    version = _read_data_version()
    token = _PINNED_VERSION.set(version)
    try:
        yield version
    finally:
        _PINNED_VERSION.reset(token)


def data_version() -> int:
    """The data version pinned for this run, else the current one (one indexed row)."""
    pinned = _PINNED_VERSION.get()
    return _read_data_version() if pinned is None else pinned


def _name(fn: QueryFn) -> str:
    return f"{fn.__module__}.{fn.__qualname__}"


def _params_key(params: dict[str, Any]) -> tuple:
    """The parameters as a hashable key: each value with its type (1, 1.0 and True are
    equal in Python but not the same parameter), or, for a value that cannot be hashed (a
    dict of stored metrics, a list), a digest of its content."""
    items = []
    for name, value in sorted(params.items()):
        try:
            hash(value)
        except TypeError:
            value = ("content", figure_memo.content_digest(value))
        items.append((name, type(value).__qualname__, value))
    return tuple(items)


def _run(fn: QueryFn, scope: TenantScope, params: dict[str, Any]) -> pd.DataFrame:
    url = _read_url()
    with read_only(_engine(url), scope, rls=_rls_on(url)) as conn:
        return fn(conn, scope=scope, **params)


def run_query(fn: QueryFn, *, scope: TenantScope, **params: Any) -> pd.DataFrame:
    """Run `fn(conn, scope=scope, **params)` through the cache."""
    key = (_name(fn), scope.cache_key(), data_version(), _params_key(params))
    return _QUERIES.get(key, lambda: _run(fn, scope, params))


@contextmanager
def write_transaction(viewer: Viewer) -> Iterator[Connection]:
    """The one way dashboard edits reach the database: admins only, on the primary, in one
    transaction that also bumps the data version, so every session sees the edit on its
    next rerun and nothing is half-written."""
    viewer.require("admin")
    with get_engine().begin() as conn:
        yield conn
        bump_data_version(conn)
    _PINNED_VERSION.set(None)  # the rest of this run reads what was just written


def derived(fn: Callable[..., R]) -> Callable[..., R]:
    """Cache a service's computation over cached queries (metrics, P&L, statistics) under
    the same key as a query: its name, the viewer's scope, the data version and its keyword
    parameters. A rerun that changes nothing then costs a lookup, not the computation."""
    name = _name(fn)

    @functools.wraps(fn)
    def wrapper(scope: TenantScope, **params: Any) -> R:
        key = (name, scope.cache_key(), data_version(), _params_key(params))
        return _DERIVED_RESULTS.get(key, lambda: fn(scope, **params))

    return wrapper


def clear() -> None:
    """Drop every cached result (tests; the data version makes this unnecessary in use)."""
    _QUERIES.clear()
    _DERIVED_RESULTS.clear()
    figure_memo.clear_all()


def dispose() -> None:
    """Close every pooled connection and forget the engines (tests, shutdown)."""
    while _ENGINES:
        _ENGINES.pop().dispose()
    _engine.clear()
    _database.clear()
    _rls_on.clear()
