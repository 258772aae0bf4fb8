"""A process-wide cache that hands out shallow copies instead of unpickled ones.

`st.cache_data` pickles every result when it stores it and unpickles it on every hit, so
that no caller can change what another caller gets. With pandas' copy-on-write (the only
mode since pandas 3) a shallow copy gives the same guarantee for a DataFrame: writing to
the copy copies the touched column first and never reaches the stored frame. So this cache
keeps the objects themselves and returns `share(value)`: DataFrames and Series shallow-
copied, containers and dataclasses rebuilt around shared values, arrays as read-only views,
the mutable cells of object columns (jsonb dicts and lists) deep-copied, and indexes other
than a RangeIndex copied, so that each caller builds its own lookup table.
A hit costs microseconds instead of an unpickle; a miss skips the pickle.

Entries live `ttl_s` seconds and at most `max_entries` are kept (least recently used go
first: `LeastRecentlyUsed`, the package's one LRU). Concurrent misses of one key compute
it once: the others wait for that result.
"""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import decimal
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, Generic, TypeVar

import numpy as np
import pandas as pd

__all__ = ["LeastRecentlyUsed", "SharedCache", "share"]

R = TypeVar("R")
K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


# values nobody can change in place: handed out as they are
_IMMUTABLE = (
    str, bytes, int, float, complex, bool, type(None), frozenset, range,
    dt.date, dt.time, dt.timedelta, decimal.Decimal, uuid.UUID, np.generic,
)  # fmt: skip
# what pandas infers for object columns that hold only such values (a C-level scan)
_PLAIN_OBJECT_KINDS = {
    "empty", "string", "bytes", "integer", "floating", "mixed-integer-float", "decimal",
    "complex", "boolean", "date", "datetime", "datetime64", "time", "timedelta",
    "timedelta64", "period",
}  # fmt: skip


def _unshared_cells(values: pd.Series) -> pd.Series:
    """`values` shallow-copied; in an object column holding anything but plain values, each
    cell is shared like a result of its own (jsonb dicts and lists rebuilt, immutable
    values such as uuid.UUID kept)."""
    plain = not pd.api.types.is_object_dtype(values.dtype)
    if plain or pd.api.types.infer_dtype(values) in _PLAIN_OBJECT_KINDS:
        return values.copy(deep=False)
    return values.map(share)


def _own_labels(index: pd.Index) -> pd.Index:
    """An index whose lookup table is this caller's: pandas builds it lazily on the first
    lookup, and two sessions filling one shared table at once is not known to be safe.
    A RangeIndex has no table; other indexes hold labels (a few to thousands): cheap."""
    return index if isinstance(index, pd.RangeIndex) else index.copy(deep=True)


def _share_frame(frame: pd.DataFrame) -> pd.DataFrame:
    shared = frame.copy(deep=False)
    shared.index = _own_labels(frame.index)
    shared.columns = _own_labels(frame.columns)
    for position, dtype in enumerate(shared.dtypes):
        if pd.api.types.is_object_dtype(dtype):  # by position: column labels may repeat
            shared.isetitem(position, _unshared_cells(shared.iloc[:, position]))
    return shared


def _share_dataclass(value: Any) -> Any:
    """A copy whose fields are shared views (no __init__ or __post_init__ runs again)."""
    shared = copy.copy(value)
    for item in dataclasses.fields(value):
        object.__setattr__(shared, item.name, share(getattr(value, item.name)))
    return shared


def _share_container(value: dict | list | tuple) -> Any:
    if isinstance(value, dict):
        shared = copy.copy(value)  # keeps the type (OrderedDict, defaultdict, TypedDict)
        for key, item in value.items():
            shared[key] = share(item)
        return shared
    items = [share(item) for item in value]
    if isinstance(value, list):
        return items
    if hasattr(value, "_fields"):  # a namedtuple
        return type(value)._make(items)  # type: ignore[attr-defined]
    return type(value)(items)


def share(value: R) -> R:
    """A view of `value` that the caller may change freely without changing `value`:
    frames and series shallow-copied (copy-on-write) with their dict and list cells
    deep-copied, arrays read-only, dataclasses and containers rebuilt around shared
    values, immutable values as they are, anything else deep-copied."""
    if isinstance(value, _IMMUTABLE):
        return value
    if isinstance(value, pd.DataFrame):
        return _share_frame(value)  # type: ignore[return-value]
    if isinstance(value, pd.Series):
        series = _unshared_cells(value)
        series.index = _own_labels(value.index)
        return series  # type: ignore[return-value]
    if isinstance(value, pd.Index):
        return _own_labels(value)  # type: ignore[return-value]
    if isinstance(value, np.ndarray) and value.dtype != object:
        view = value.view()
        view.flags.writeable = False
        return view  # type: ignore[return-value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return _share_dataclass(value)  # type: ignore[no-any-return]
    if isinstance(value, dict | list | tuple):
        return _share_container(value)  # type: ignore[no-any-return]
    return copy.deepcopy(value)


class LeastRecentlyUsed(Generic[K, V]):
    """At most `max_entries` values by key, the least recently used dropped first: the one
    LRU of the package (the shared query cache and the figure memo both keep theirs here).
    Every method holds one lock, so sessions may use a store at once.

    `max_entries` is a number or a function giving it, read on every store."""

    def __init__(self, *, max_entries: int | Callable[[], int]) -> None:
        self._max_entries = max_entries
        self._entries: OrderedDict[K, V] = OrderedDict()
        self._lock = threading.Lock()

    @property
    def max_entries(self) -> int:
        """How many values are kept at the most."""
        bound = self._max_entries
        return int(bound() if callable(bound) else bound)

    @max_entries.setter
    def max_entries(self, bound: int | Callable[[], int]) -> None:
        self._max_entries = bound

    def lookup(self, key: K, *, keep: Callable[[V], bool] | None = None) -> tuple[bool, V | None]:
        """(True, the value) for a stored key, which becomes the most recently used;
        (False, None) for an unknown one or one whose value `keep` rejects (then dropped)."""
        with self._lock:
            if key not in self._entries:
                return False, None
            value = self._entries[key]
            if keep is not None and not keep(value):
                del self._entries[key]
                return False, None
            self._entries.move_to_end(key)
            return True, value

    def store(self, key: K, value: V, *, keep: Callable[[V], bool] | None = None) -> None:
        """Store `value` as the most recently used, first dropping every value `keep`
        rejects, then the least recently used past `max_entries`."""
        with self._lock:
            if keep is not None:
                for stale in [k for k, v in self._entries.items() if not keep(v)]:
                    del self._entries[stale]
            self._entries[key] = value
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)


class SharedCache:
    """Results of `compute()` by key, for `ttl_s` seconds, at most `max_entries` of them.

    `ttl_s` is a number of seconds, or a function giving it, read on every lookup (the
    dashboard's caches take it from the `CACHE_TTL_SECONDS` setting)."""

    def __init__(self, *, ttl_s: float | Callable[[], float], max_entries: int) -> None:
        self._ttl_s = ttl_s
        self._entries: LeastRecentlyUsed[Hashable, tuple[float, Any]] = LeastRecentlyUsed(
            max_entries=max_entries
        )
        self._lock = threading.Lock()  # guards `_computing`
        self._computing: dict[Hashable, threading.Lock] = {}

    @property
    def ttl_s(self) -> float:
        """How many seconds an entry lives."""
        return float(self._ttl_s() if callable(self._ttl_s) else self._ttl_s)

    @property
    def max_entries(self) -> int:
        """How many entries are kept at the most."""
        return self._entries.max_entries

    @max_entries.setter
    def max_entries(self, bound: int) -> None:
        self._entries.max_entries = bound

    def _fresh(self) -> Callable[[tuple[float, Any]], bool]:
        """Whether a (stored at, value) entry is still within the TTL, as of now."""
        now, ttl_s = time.monotonic(), self.ttl_s
        return lambda entry: now - entry[0] <= ttl_s

    def _lookup(self, key: Hashable) -> tuple[bool, Any]:
        found, entry = self._entries.lookup(key, keep=self._fresh())
        return (True, entry[1]) if found and entry is not None else (False, None)

    def _store(self, key: Hashable, value: Any) -> None:
        # expired keys go too: keys of an older data version are never asked for again
        self._entries.store(key, (time.monotonic(), value), keep=self._fresh())

    def _key_lock(self, key: Hashable) -> threading.Lock:
        with self._lock:
            return self._computing.setdefault(key, threading.Lock())

    def get(self, key: Hashable, compute: Callable[[], R]) -> R:
        """The cached result for `key` (shared, see `share`), computing it on a miss."""
        found, value = self._lookup(key)
        if found:
            return share(value)
        key_lock = self._key_lock(key)
        try:
            with key_lock:
                found, value = self._lookup(key)
                if not found:
                    value = compute()
                    self._store(key, value)
        finally:  # also when compute() raised: no lock is left behind for a dead key
            with self._lock:
                if self._computing.get(key) is key_lock and not key_lock.locked():
                    del self._computing[key]
        return share(value)

    def computing(self) -> int:
        """Keys being computed right now (0 when the cache is idle)."""
        with self._lock:
            return len(self._computing)

    def clear(self) -> None:
        self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)
