"""SharedCache: what one caller does to its result never reaches another caller, entries
expire and stay bounded, and concurrent misses of one key compute it once."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pytest

from regime_dashboard.shared_cache import SharedCache, share


@dataclass(frozen=True)
class View:
    table: pd.DataFrame
    totals: dict
    label: str


def _plans() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "plan": ["basic", "pro"],
            "price": [10.0, 20.0],
            "limits_json": [{"api_calls": 100}, {"api_calls": 500}],
        }
    )


def _every_way_to_change(frame: pd.DataFrame) -> None:
    frame.loc[0, "price"] = 999.0
    frame.iloc[1, 1] = 888.0
    frame["plan"] = "changed"
    frame["new"] = 1
    frame.loc[0, "limits_json"]["api_calls"] = -1
    frame.iloc[1, 2]["extra"] = True
    del frame["price"]


def test_a_caller_changing_its_frame_leaves_the_next_callers_frame_as_stored() -> None:
    cache = SharedCache(ttl_s=60, max_entries=10)
    first = cache.get("plans", _plans)
    _every_way_to_change(first)
    second = cache.get("plans", _plans)
    pd.testing.assert_frame_equal(second, _plans())


def test_arrays_handed_out_are_read_only() -> None:
    cache = SharedCache(ttl_s=60, max_entries=10)
    series = cache.get("series", lambda: pd.Series([1.0, 2.0]))
    with pytest.raises(ValueError, match="read-only"):
        series.to_numpy()[0] = 5.0
    raw = cache.get("array", lambda: np.array([1, 2, 3]))
    with pytest.raises(ValueError, match="read-only"):
        raw[0] = 9
    np.testing.assert_array_equal(cache.get("array", lambda: np.array([0])), [1, 2, 3])


def test_dataclasses_and_containers_are_rebuilt_around_shared_frames() -> None:
    cache = SharedCache(ttl_s=60, max_entries=10)
    make = lambda: View(_plans(), {"mrr": [1, 2]}, "june")  # noqa: E731
    first = cache.get("view", make)
    _every_way_to_change(first.table)
    first.totals["mrr"].append(3)
    first.totals["arr"] = 0
    second = cache.get("view", make)
    pd.testing.assert_frame_equal(second.table, _plans())
    assert second.totals == {"mrr": [1, 2]}
    assert second.label == "june"


def test_share_keeps_immutable_values_and_named_tuples_as_they_are() -> None:
    stamp = pd.Timestamp("2026-11-30")
    assert share(stamp) is stamp
    assert share(("a", 1)) == ("a", 1)


def test_a_hit_does_not_compute_and_an_expired_entry_does() -> None:
    cache = SharedCache(ttl_s=0.05, max_entries=10)
    calls: list[int] = []

    def compute() -> int:
        calls.append(1)
        return len(calls)

    assert cache.get("k", compute) == 1
    assert cache.get("k", compute) == 1
    time.sleep(0.1)
    assert cache.get("k", compute) == 2
    assert len(calls) == 2


def test_the_least_recently_used_entry_goes_first() -> None:
    cache = SharedCache(ttl_s=60, max_entries=2)
    cache.get("a", lambda: "A")
    cache.get("b", lambda: "B")
    cache.get("a", lambda: "recomputed")  # a is now the most recent
    cache.get("c", lambda: "C")  # evicts b
    assert len(cache) == 2
    assert cache.get("a", lambda: "recomputed") == "A"
    assert cache.get("b", lambda: "recomputed") == "recomputed"


def test_concurrent_misses_of_one_key_compute_it_once() -> None:
    cache = SharedCache(ttl_s=60, max_entries=10)
    calls: list[int] = []
    release = threading.Event()

    def slow() -> pd.DataFrame:
        calls.append(1)
        release.wait(5)
        return _plans()

    results: list[pd.DataFrame] = []
    threads = [
        threading.Thread(target=lambda: results.append(cache.get("k", slow))) for _ in range(8)
    ]
    for thread in threads:
        thread.start()
    time.sleep(0.1)
    release.set()
    for thread in threads:
        thread.join(5)
    assert len(calls) == 1
    assert len(results) == 8
    assert len({id(r) for r in results}) == 8  # each caller has its own copy


def test_a_failed_computation_is_not_stored() -> None:
    cache = SharedCache(ttl_s=60, max_entries=10)

    def broken() -> int:
        raise RuntimeError("database unavailable")

    with pytest.raises(RuntimeError):
        cache.get("k", broken)
    assert cache.get("k", lambda: 7) == 7
