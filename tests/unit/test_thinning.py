"""Tests of regime_dashboard.thinning."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from regime_dashboard.thinning import (
    DEFAULT_N_OUT,
    LINE_POINTS,
    MAX_POINTS_PER_TRACE,
    MIN_N_OUT,
    downsample_frame,
    downsample_ohlc,
    downsample_xy,
    thin_line,
)

N = 50_000


def _walk(n: int = N, seed: int = 3) -> np.ndarray:
    """Seeded random walk with spikes placed away from the LTTB-friendly spots."""
    rng = np.random.default_rng(seed)
    y = 100.0 + np.cumsum(rng.normal(0.0, 1.0, n))
    y[n // 3 + 1] = y.max() + 50.0  # isolated one-bar spike up
    y[2 * n // 3 + 7] = y.min() - 50.0  # and down
    return y


def _dates(n: int = N) -> np.ndarray:
    """Daily datetime64[ns] x axis."""
    return pd.date_range("1990-01-01", periods=n, freq="D").to_numpy()


def test_constants() -> None:
    assert MAX_POINTS_PER_TRACE == 5000
    assert DEFAULT_N_OUT <= MAX_POINTS_PER_TRACE


@pytest.mark.parametrize("n_out", [MIN_N_OUT, 6, 101, 1000, DEFAULT_N_OUT])
@pytest.mark.parametrize("x_kind", ["datetime64", "int", "float"])
def test_downsample_xy_keeps_shape_points(n_out: int, x_kind: str) -> None:
    y = _walk()
    x = {"datetime64": _dates(), "int": np.arange(N), "float": np.arange(N) * 0.5}[x_kind]
    idx = downsample_xy(x, y, n_out)
    assert idx.dtype == np.int64
    assert len(idx) <= n_out
    assert np.all(np.diff(idx) > 0)  # sorted and unique
    assert idx[0] == 0
    assert idx[-1] == N - 1
    assert np.argmax(y) in idx
    assert np.argmin(y) in idx


def test_default_n_out_is_reached() -> None:
    idx = downsample_xy(_dates(), _walk())
    assert DEFAULT_N_OUT - 2 <= len(idx) <= DEFAULT_N_OUT


def test_microsecond_and_tz_aware_dates() -> None:
    y = _walk(20_000)
    dates = pd.date_range("2000-01-03", periods=20_000, freq="h", tz="Europe/Paris", unit="us")
    utc_us = dates.tz_convert("UTC").tz_localize(None).to_numpy()
    assert utc_us.dtype == np.dtype("datetime64[us]")
    from_us = downsample_xy(utc_us, y, 500)
    from_tz = downsample_xy(pd.Series(dates).to_numpy(), y, 500)  # object Timestamps
    np.testing.assert_array_equal(from_us, downsample_xy(dates.asi8, y, 500))
    np.testing.assert_array_equal(from_tz, from_us)
    assert len(from_tz) <= 500
    assert {0, 19_999, int(np.argmax(y)), int(np.argmin(y))} <= set(from_tz.tolist())


@pytest.mark.parametrize("length", [0, 1, 2, 10, 4000])
def test_short_input_is_identity(length: int) -> None:
    y = np.linspace(0.0, 1.0, length)
    np.testing.assert_array_equal(downsample_xy(_dates(length), y, 4000), np.arange(length))


def test_nan_in_y_is_ignored() -> None:
    y = _walk()
    y[100:200] = np.nan
    idx = downsample_xy(np.arange(N), y, 300)
    assert len(idx) <= 300
    assert np.nanargmax(y) in idx
    assert np.nanargmin(y) in idx


def test_invalid_arguments() -> None:
    with pytest.raises(ValueError, match="n_out"):
        downsample_xy(np.arange(10), np.arange(10.0), MIN_N_OUT - 1)
    with pytest.raises(ValueError, match="length"):
        downsample_xy(np.arange(10), np.arange(9.0), 5)
    with pytest.raises(ValueError, match="sorted"):
        downsample_xy(np.arange(10)[::-1].copy(), np.arange(10.0), 5)


def test_downsample_frame() -> None:
    y = _walk()
    df = pd.DataFrame({"date": _dates(), "equity": y, "regime": np.arange(N) % 3})
    df.index = df.index + 1000
    out, downsampled = downsample_frame(df, "date", "equity", 1000)
    assert downsampled
    assert len(out) <= 1000
    assert list(out.columns) == ["date", "equity", "regime"]
    assert out.index.is_monotonic_increasing
    assert out["equity"].max() == y.max()
    assert out["equity"].min() == y.min()
    assert out["date"].iloc[0] == df["date"].iloc[0]
    assert out["date"].iloc[-1] == df["date"].iloc[-1]
    pd.testing.assert_frame_equal(out, df.loc[out.index])


def test_downsample_frame_short_is_identity() -> None:
    df = pd.DataFrame({"date": _dates(100), "equity": _walk(100)})
    out, downsampled = downsample_frame(df, "date", "equity", 4000)
    assert not downsampled
    assert out is df


def _bars(n: int, seed: int = 11) -> pd.DataFrame:
    """Random but consistent daily candles with columns date, open, high, low, close, volume."""
    rng = np.random.default_rng(seed)
    close = 100.0 + np.cumsum(rng.normal(0.0, 1.0, n))
    open_ = np.concatenate(([100.0], close[:-1]))
    high = np.maximum(open_, close) + rng.uniform(0.0, 2.0, n)
    low = np.minimum(open_, close) - rng.uniform(0.0, 2.0, n)
    volume = rng.integers(1_000, 50_000, n)
    dates = pd.bdate_range("2000-01-03", periods=n)
    columns = {"date": dates, "open": open_, "high": high, "low": low, "close": close}
    return pd.DataFrame({**columns, "volume": volume})


@pytest.mark.parametrize(("n", "n_out"), [(10_000, 4000), (10_001, 7), (4001, 4000)])
def test_downsample_ohlc_preserves_extremes(n: int, n_out: int) -> None:
    bars = _bars(n)
    candles, downsampled = downsample_ohlc(bars, n_out)
    assert downsampled
    assert len(candles) == n_out
    assert list(candles.columns) == ["date", "open", "high", "low", "close", "volume"]
    assert candles["high"].max() == bars["high"].max()
    assert candles["low"].min() == bars["low"].min()
    assert candles["open"].iloc[0] == bars["open"].iloc[0]
    assert candles["close"].iloc[-1] == bars["close"].iloc[-1]
    assert candles["volume"].sum() == bars["volume"].sum()
    assert candles["date"].iloc[0] == bars["date"].iloc[0]
    assert candles["date"].is_monotonic_increasing
    assert (candles["high"] >= candles[["open", "close"]].max(axis=1)).all()
    assert (candles["low"] <= candles[["open", "close"]].min(axis=1)).all()


def test_downsample_ohlc_buckets_are_consecutive() -> None:
    bars = _bars(10)
    candles, _ = downsample_ohlc(bars, 5)
    assert candles["date"].tolist() == bars["date"].iloc[::2].tolist()
    assert candles["open"].tolist() == bars["open"].iloc[::2].tolist()
    assert candles["close"].tolist() == bars["close"].iloc[1::2].tolist()
    assert candles["volume"].tolist() == bars["volume"].groupby(np.arange(10) // 2).sum().tolist()


def test_downsample_ohlc_short_input_and_missing_columns() -> None:
    bars = _bars(50)
    same, downsampled = downsample_ohlc(bars, 4000)
    assert not downsampled
    assert same is bars
    without_volume, _ = downsample_ohlc(bars.drop(columns="volume"), 5)
    assert list(without_volume.columns) == ["date", "open", "high", "low", "close"]
    with pytest.raises(ValueError, match="high"):
        downsample_ohlc(bars.drop(columns="high"), 5)


def test_thin_line_drops_missing_sorts_and_thins() -> None:
    n = LINE_POINTS * 3
    frame = pd.DataFrame(
        {"date": pd.date_range("2000-01-01", periods=n, freq="D"), "v": _walk(n), "tag": "t"}
    ).iloc[::-1]
    frame.loc[frame.index[0], "v"] = np.nan
    line, thinned = thin_line(frame, "date", "v")
    assert thinned and len(line) <= LINE_POINTS
    assert list(line.columns) == ["date", "v", "tag"]
    assert line["date"].is_monotonic_increasing and line["v"].notna().all()
    assert list(line.index) == list(range(len(line)))


def test_thin_line_keeps_a_short_line_whole() -> None:
    frame = pd.DataFrame({"x": [3.0, 1.0, 2.0], "y": [1.0, None, 3.0]})
    line, thinned = thin_line(frame, "x", "y")
    assert not thinned
    assert line.to_dict("list") == {"x": [2.0, 3.0], "y": [3.0, 1.0]}
