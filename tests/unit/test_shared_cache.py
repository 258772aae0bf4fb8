"""SharedCache: what one caller does to its result never reaches another caller, entries
expire and stay bounded, and concurrent misses of one key compute it once."""

from __future__ import annotations

import threading
import time
from collections import defaultdict, namedtuple
from dataclasses import dataclass, field

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


def test_a_failed_computation_is_not_stored_and_leaves_no_lock_behind() -> None:
    cache = SharedCache(ttl_s=60, max_entries=10)

    def broken() -> int:
        raise RuntimeError("database unavailable")

    for key in ("a", "b", "c"):
        with pytest.raises(RuntimeError):
            cache.get(key, broken)
    assert cache.computing() == 0
    assert cache.get("a", lambda: 7) == 7


def test_storing_drops_every_expired_entry() -> None:
    cache = SharedCache(ttl_s=0.05, max_entries=100)
    for version in range(5):  # keys of data versions that will never be asked for again
        cache.get(("plans", version), _plans)
    time.sleep(0.1)
    cache.get(("plans", 5), _plans)
    assert len(cache) == 1


@dataclass
class Built:
    table: pd.DataFrame
    rows: int = field(init=False)
    built: list = field(default_factory=list)

    def __post_init__(self) -> None:
        self.rows = len(self.table)
        self.built.append("once")


Pair = namedtuple("Pair", ["frame", "label"])


class Opaque:
    def __init__(self) -> None:
        self.items = [1, 2]


def test_other_shapes_of_results_are_protected_too() -> None:
    cache = SharedCache(ttl_s=60, max_entries=10)
    first = cache.get("built", lambda: Built(_plans()))
    assert (first.rows, first.built) == (2, ["once"])  # __post_init__ not run again
    first.built.append("changed")
    _every_way_to_change(first.table)
    again = cache.get("built", lambda: Built(_plans()))
    assert again.built == ["once"]
    pd.testing.assert_frame_equal(again.table, _plans())

    counts = cache.get("counts", lambda: defaultdict(list, {"a": [1]}))
    counts["a"].append(2)
    counts["b"].append(3)
    assert cache.get("counts", dict) == {"a": [1]}

    pair = cache.get("pair", lambda: Pair(_plans(), "x"))
    assert isinstance(pair, Pair)
    _every_way_to_change(pair.frame)
    pd.testing.assert_frame_equal(cache.get("pair", dict).frame, _plans())

    opaque = cache.get("opaque", Opaque)
    opaque.items.append(3)
    assert cache.get("opaque", Opaque).items == [1, 2]


def test_dict_cells_are_copied_wherever_they_are() -> None:
    settings = pd.Series([None, 3, {"watchlist": True}], dtype=object)  # not first, mixed
    cache = SharedCache(ttl_s=60, max_entries=10)
    cache.get("series", lambda: settings.copy())[2]["watchlist"] = False
    assert cache.get("series", dict)[2] == {"watchlist": True}
    twice = pd.DataFrame([[{"a": 1}, {"b": 2}]], columns=["json", "json"])  # repeated label
    got = cache.get("twice", lambda: twice.copy())
    got.iloc[0, 1]["b"] = 99
    assert cache.get("twice", dict).iloc[0, 1] == {"b": 2}


def test_query_parameters_are_keyed_with_their_type() -> None:
    from regime_dashboard.cache import _params_key

    assert _params_key({"n": 1}) != _params_key({"n": True})
    assert _params_key({"n": 1}) != _params_key({"n": 1.0})
    assert _params_key({"b": 2, "a": 1}) == _params_key({"a": 1, "b": 2})
    assert _params_key({"m": {"x": 1}}) == _params_key({"m": {"x": 1}})
    assert _params_key({"m": {"x": 1}}) != _params_key({"m": {"x": 2}})


def test_each_caller_gets_its_own_index_but_a_range_index_is_shared() -> None:
    cache = SharedCache(ttl_s=60, max_entries=10)
    by_run = pd.DataFrame({"sharpe": [0.5, 1.5, 2.5]}, index=pd.Index([10, 20, 30], name="run"))
    first, second = (cache.get("runs", lambda: by_run.copy()) for _ in range(2))
    assert first.index is not second.index  # each builds its own lookup table
    assert first.index.equals(by_run.index) and first.index.name == "run"
    assert second.loc[20, "sharpe"] == 1.5
    plain = [cache.get("plain", _plans) for _ in range(2)]
    assert isinstance(plain[0].index, pd.RangeIndex)
