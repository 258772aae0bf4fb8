"""A process-wide cache that hands out shallow copies instead of unpickled ones.

`st.cache_data` pickles every result when it stores it and unpickles it on every hit, so
that no caller can change what another caller gets. With pandas' copy-on-write (the only
mode since pandas 3) a shallow copy gives the same guarantee for a DataFrame: writing to
the copy copies the touched column first and never reaches the stored frame. So this cache
keeps the objects themselves and returns `share(value)`: DataFrames and Series shallow-
copied, containers and dataclasses rebuilt around shared values, arrays as read-only views,
and the mutable cells of object columns (jsonb dicts and lists) deep-copied.
A hit costs microseconds instead of an unpickle; a miss skips the pickle.

Entries live `ttl_s` seconds and at most `max_entries` are kept (least recently used go
first). Concurrent misses of one key compute it once: the others wait for that result.
"""

from __future__ import annotations

import copy
import dataclasses
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

import numpy as np
import pandas as pd

__all__ = ["SharedCache", "share"]

R = TypeVar("R")


def _holds_mutable_cells(column: pd.Series) -> bool:
    if column.dtype != object:
        return False
    present = column.notna().to_numpy()
    return bool(present.any()) and isinstance(column.iloc[int(present.argmax())], dict | list)


def _share_frame(frame: pd.DataFrame) -> pd.DataFrame:
    shared = frame.copy(deep=False)
    for name in [c for c in shared.columns if _holds_mutable_cells(shared[c])]:
        shared[name] = shared[name].map(copy.deepcopy)
    return shared


def share(value: R) -> R:
    """A view of `value` that the caller may change freely without changing `value`."""
    if isinstance(value, pd.DataFrame):
        return _share_frame(value)  # type: ignore[return-value]
    if isinstance(value, pd.Series | pd.Index):
        return value.copy(deep=False)  # type: ignore[return-value]
    if isinstance(value, np.ndarray):
        view = value.view()
        view.flags.writeable = False
        return view  # type: ignore[return-value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {f.name: share(getattr(value, f.name)) for f in dataclasses.fields(value)}
        return dataclasses.replace(value, **changes)  # type: ignore[type-var]
    if isinstance(value, dict):
        return type(value)((key, share(item)) for key, item in value.items())  # type: ignore[return-value]
    if isinstance(value, list):
        return [share(item) for item in value]  # type: ignore[return-value]
    if isinstance(value, tuple) and not hasattr(value, "_fields"):
        return tuple(share(item) for item in value)  # type: ignore[return-value]
    return value  # immutable: str, numbers, dates, None, named tuples of those


class SharedCache:
    """Results of `compute()` by key, for `ttl_s` seconds, at most `max_entries` of them."""

    def __init__(self, *, ttl_s: float, max_entries: int) -> None:
        self.ttl_s = ttl_s
        self.max_entries = max_entries
        self._entries: OrderedDict[Hashable, tuple[float, Any]] = OrderedDict()
        self._lock = threading.Lock()
        self._computing: dict[Hashable, threading.Lock] = {}

    def _lookup(self, key: Hashable) -> tuple[bool, Any]:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return False, None
            stored_at, value = entry
            if time.monotonic() - stored_at > self.ttl_s:
                del self._entries[key]
                return False, None
            self._entries.move_to_end(key)
            return True, value

    def _store(self, key: Hashable, value: Any) -> None:
        with self._lock:
            self._entries[key] = (time.monotonic(), value)
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)

    def _key_lock(self, key: Hashable) -> threading.Lock:
        with self._lock:
            return self._computing.setdefault(key, threading.Lock())

    def get(self, key: Hashable, compute: Callable[[], R]) -> R:
        """The cached result for `key` (shared, see `share`), computing it on a miss."""
        found, value = self._lookup(key)
        if found:
            return share(value)
        key_lock = self._key_lock(key)
        with key_lock:
            found, value = self._lookup(key)
            if not found:
                value = compute()
                self._store(key, value)
        with self._lock:
            if self._computing.get(key) is key_lock and not key_lock.locked():
                del self._computing[key]
        return share(value)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)
