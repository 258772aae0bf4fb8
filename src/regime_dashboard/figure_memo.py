"""Figures built once per content: a chart builder decorated with `by_content` returns the
same object for equal inputs, so a rerun that changes nothing does not rebuild its Plotly
figures (building one costs 10-100 ms; looking it up costs a hash of its inputs).

The key is a digest of the arguments' content (DataFrames hashed row by row, every row), so
a changed input can never return a stale figure. Results are shared, not copied: callers
must not mutate what they get back (pages pass figures straight to st.plotly_chart).
"""

from __future__ import annotations

import functools
import hashlib
import pickle
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar

import pandas as pd

from .shared_cache import LeastRecentlyUsed

__all__ = ["by_content", "clear_all", "content_digest"]

MAX_ENTRIES = 256
P = ParamSpec("P")
R = TypeVar("R")
_STORES: list[LeastRecentlyUsed[bytes, Any]] = []


def _frame_bytes(frame: pd.DataFrame | pd.Series) -> bytes:
    try:
        rows = pd.util.hash_pandas_object(frame, index=True).to_numpy().tobytes()
    except TypeError:  # unhashable cells (dicts, lists): their pickled form instead
        rows = pickle.dumps(frame, protocol=5)
    columns = repr(list(frame.columns)) if isinstance(frame, pd.DataFrame) else str(frame.name)
    return rows + columns.encode() + repr(list(map(str, getattr(frame, "dtypes", [])))).encode()


def _feed(digest: Any, value: Any) -> None:
    if isinstance(value, pd.DataFrame | pd.Series):
        digest.update(b"F" + _frame_bytes(value))
    elif isinstance(value, dict):
        for key in sorted(value, key=repr):
            _feed(digest, key)
            _feed(digest, value[key])
    elif isinstance(value, list | tuple):
        digest.update(b"(" + str(len(value)).encode())
        for item in value:
            _feed(digest, item)
    else:
        digest.update(b"V" + repr(value).encode())


def content_digest(*args: Any, **kwargs: Any) -> bytes:
    """A digest of the arguments' content (order of keyword arguments does not matter)."""
    digest = hashlib.blake2b(digest_size=20)
    _feed(digest, list(args))
    _feed(digest, kwargs)
    return digest.digest()


def by_content(fn: Callable[P, R]) -> Callable[P, R]:
    """Memoize `fn` on the content of its arguments, keeping the MAX_ENTRIES latest."""
    store: LeastRecentlyUsed[bytes, R] = LeastRecentlyUsed(max_entries=lambda: MAX_ENTRIES)
    _STORES.append(store)

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        key = content_digest(*args, **kwargs)
        found, result = store.lookup(key)
        if found:
            return result  # type: ignore[return-value]
        result = fn(*args, **kwargs)
        store.store(key, result)
        return result

    return wrapper


def clear_all() -> None:
    """Forget every memoized result (tests, cold benchmarks)."""
    for store in _STORES:
        store.clear()
