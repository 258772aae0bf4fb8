"""The cached query layer (docs/architecture.md): query functions are pure
(connection, parameters) -> DataFrame; this module runs them in read-only transactions and
caches the result under a key of (query, viewer's tenant scope, data version, parameters).

Results are kept in process-wide `SharedCache`s, which hand out shallow copies (pandas
copy-on-write keeps the stored frame unchanged) rather than pickling on store and
unpickling on every hit as `st.cache_data` would.

A dashboard edit bumps the data version in the same transaction, so every session of every
process sees it on its next rerun; rows written by other services appear within the TTL.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import pandas as pd
import streamlit as st
from sqlalchemy import Connection, Engine
from streamlit.runtime.scriptrunner import get_script_run_ctx

from . import memo
from .config import get_settings
from .db.engine import make_engine, read_only, rls_available
from .db.resolve import resolve_database
from .queries.versions import bump_data_version, read_data_version
from .scope import TenantScope
from .shared_cache import SharedCache
from .viewer import Viewer

__all__ = [
    "cache_ttl_seconds",
    "clear",
    "data_version",
    "database_description",
    "derived",
    "dispose",
    "get_engine",
    "get_read_engine",
    "pin_data_version",
    "run_query",
]

QueryFn = Callable[..., pd.DataFrame]
_ENGINES: list[Engine] = []
_PINNED_VERSION = "_data_version_of_this_run"


def cache_ttl_seconds() -> float:
    """How long a cached result lives: the `CACHE_TTL_SECONDS` setting, read per lookup."""
    return float(get_settings().cache_ttl_seconds)


_QUERIES = SharedCache(ttl_s=cache_ttl_seconds, max_entries=2000)
_DERIVED_RESULTS = SharedCache(ttl_s=cache_ttl_seconds, max_entries=500)


@st.cache_resource(show_spinner=False)
def _database() -> Any:
    """The resolved database of this process (starts the embedded one when needed)."""
    return resolve_database(get_settings())


def database_description() -> str:
    """The one line saying which database is in use (no password)."""
    return _database().describe()


def get_engine() -> Engine:
    return _engine(_database().url)


@st.cache_resource(show_spinner=False)
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


@st.cache_resource(show_spinner=False)
def _rls_on(url: str) -> bool:
    return get_settings().row_level_security and rls_available(_engine(url))


def _read_url() -> str:
    return get_settings().database_read_url or _database().url


def _read_data_version() -> int:
    with read_only(get_read_engine()) as conn:
        return read_data_version(conn)


def pin_data_version() -> int:
    """Read the data version once for this script run (app.py does, before anything else):
    every cached query of the run then uses that version instead of reading the row again,
    and the whole page is drawn from one version of the data."""
    version = _read_data_version()
    st.session_state[_PINNED_VERSION] = version
    return version


def _pinned_version() -> int | None:
    if get_script_run_ctx(suppress_warning=True) is None:
        return None
    return st.session_state.get(_PINNED_VERSION)


def data_version() -> int:
    """The data version this run pinned, else the current one (one indexed row)."""
    pinned = _pinned_version()
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
            value = ("content", memo.content_digest(value))
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
    if _pinned_version() is not None:  # the rest of this run reads what was just written
        del st.session_state[_PINNED_VERSION]


R = TypeVar("R")


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
    memo.clear_all()


def dispose() -> None:
    """Close every pooled connection and forget the engines (tests, shutdown)."""
    while _ENGINES:
        _ENGINES.pop().dispose()
    _engine.clear()
    _database.clear()
    _rls_on.clear()
