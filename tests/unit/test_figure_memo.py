"""figure_memo.by_content: equal inputs give the very same result, any change in content (a value,
a column name, a dtype, a keyword) gives a fresh one, and the store stays bounded."""

from __future__ import annotations

import pandas as pd
import pytest

from regime_dashboard import figure_memo


@pytest.fixture
def counted() -> tuple[list[int], object]:
    calls: list[int] = []

    @figure_memo.by_content
    def build(frame: pd.DataFrame, title: str, *, scale: float = 1.0) -> dict:
        calls.append(1)
        return {"title": title, "total": float(frame["y"].sum()) * scale}

    figure_memo.clear_all()
    return calls, build


def _frame(*values: float) -> pd.DataFrame:
    return pd.DataFrame({"x": pd.date_range("2026-01-01", periods=len(values)), "y": values})


def test_equal_content_returns_the_same_object_without_rebuilding(counted) -> None:
    calls, build = counted
    first = build(_frame(1.0, 2.0), "a")
    again = build(_frame(1.0, 2.0), "a")  # a different frame object with the same content
    assert again is first and len(calls) == 1
    assert first == {"title": "a", "total": 3.0}


@pytest.mark.parametrize(
    "changed",
    [
        lambda b: b(_frame(1.0, 2.5), "a"),  # one value
        lambda b: b(_frame(1.0, 2.0).rename(columns={"x": "date"}), "a"),  # a column name
        lambda b: b(_frame(1.0, 2.0).astype({"y": "float32"}), "a"),  # a dtype
        lambda b: b(_frame(1.0, 2.0).set_axis([5, 6]), "a"),  # the index
        lambda b: b(_frame(1.0, 2.0), "b"),  # a plain argument
        lambda b: b(_frame(1.0, 2.0), "a", scale=2.0),  # a keyword argument
    ],
)
def test_any_change_in_content_rebuilds(counted, changed) -> None:
    calls, build = counted
    build(_frame(1.0, 2.0), "a")
    changed(build)
    assert len(calls) == 2


def test_frames_with_unhashable_cells_are_keyed_by_content(counted) -> None:
    calls, build = counted

    def with_json(value: int) -> pd.DataFrame:
        return _frame(1.0).assign(meta=[{"k": [value]}])

    first = build(with_json(1), "a")
    assert build(with_json(1), "a") is first
    build(with_json(2), "a")
    assert len(calls) == 2


def test_the_store_keeps_only_the_latest_entries(counted, monkeypatch) -> None:
    calls, build = counted
    monkeypatch.setattr(figure_memo, "MAX_ENTRIES", 2)
    for title in ("a", "b", "c"):
        build(_frame(1.0), title)
    build(_frame(1.0), "c")  # still stored
    assert len(calls) == 3
    build(_frame(1.0), "a")  # evicted as the oldest
    assert len(calls) == 4


def test_clear_all_forgets_everything(counted) -> None:
    calls, build = counted
    build(_frame(1.0), "a")
    figure_memo.clear_all()
    build(_frame(1.0), "a")
    assert len(calls) == 2
