"""Price bars from a regime-switching random walk, each asset on its own calendar."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from ..calendars import sessions

__all__ = ["ASSET_UNIVERSE", "asset_table", "simulate_bars"]

# symbol, name, class, calendar (calendars.CALENDARS), start price
ASSET_UNIVERSE = [
    ("SPY", "SPDR S&P 500 ETF", "equity", "XNYS", 380.0),
    ("BTCUSD", "Bitcoin / US Dollar", "crypto", "24/7", 28000.0),
    ("EURUSD", "Euro / US Dollar", "fx", "24/5", 1.08),
    ("XAUUSD", "Gold spot / US Dollar", "commodity", "XNYS", 1850.0),
    ("QQQ", "Invesco QQQ Trust", "equity", "XNYS", 300.0),
    ("NVDA", "NVIDIA Corp.", "equity", "XNYS", 140.0),
    ("ETHUSD", "Ether / US Dollar", "crypto", "24/7", 1800.0),
    ("USDJPY", "US Dollar / Japanese Yen", "fx", "24/5", 135.0),
    ("WTI", "WTI crude oil", "commodity", "XNYS", 75.0),
    ("AAPL", "Apple Inc.", "equity", "XNYS", 170.0),
]
_CLASS_CYCLE = [
    ("equity", "XNYS", 100.0),
    ("crypto", "24/7", 50.0),
    ("fx", "24/5", 1.5),
    ("commodity", "XNYS", 60.0),
]
_PREFIX = {"equity": "EQ", "crypto": "CR", "fx": "FX", "commodity": "CM"}
_VOL_SCALE = {"equity": 1.0, "crypto": 3.2, "fx": 0.45, "commodity": 1.3}
# regime: (daily drift, daily volatility); rows of TRANSITIONS follow this order
REGIMES = {
    "bull": (0.0007, 0.008),
    "neutral": (0.0, 0.011),
    "bear": (-0.0009, 0.017),
    "crisis": (-0.0025, 0.032),
}
TRANSITIONS = np.array(
    [
        [0.985, 0.010, 0.004, 0.001],
        [0.015, 0.970, 0.013, 0.002],
        [0.010, 0.020, 0.960, 0.010],
        [0.010, 0.020, 0.050, 0.920],
    ]
)


def asset_table(n_assets: int) -> pd.DataFrame:
    """Columns id, name, asset_class, calendar, start_price: the named ten, then synthetic."""
    rows = list(ASSET_UNIVERSE[:n_assets])
    for i in range(len(rows), n_assets):
        cls, cal, price = _CLASS_CYCLE[i % 4]
        symbol = f"{_PREFIX[cls]}{i:03d}"
        rows.append((symbol, f"Synthetic {cls} {symbol}", cls, cal, price * (1 + i % 7)))
    return pd.DataFrame(rows, columns=["id", "name", "asset_class", "calendar", "start_price"])


def _regime_path(rng: np.random.Generator, n: int) -> np.ndarray:
    states = np.empty(n, dtype=np.int8)
    states[0] = 0
    draws = rng.random(n)
    cumulative = TRANSITIONS.cumsum(axis=1)
    for t in range(1, n):
        states[t] = np.searchsorted(cumulative[states[t - 1]], draws[t])
    return np.minimum(states, 3)


def simulate_bars(
    rng: np.random.Generator, asset: pd.Series, start: dt.date, end: dt.date
) -> pd.DataFrame:
    """Bars of one asset. Columns date, open, high, low, close, adj_close, volume."""
    dates = sessions(asset["calendar"], start, end)
    n = len(dates)
    params = np.array(list(REGIMES.values()))[_regime_path(rng, n)]
    scale = _VOL_SCALE[asset["asset_class"]]
    log_ret = params[:, 0] * scale + params[:, 1] * scale * rng.standard_normal(n)
    close = asset["start_price"] * np.exp(np.cumsum(log_ret))
    gap = params[:, 1] * scale * 0.25 * rng.standard_normal(n)
    open_ = np.concatenate([[asset["start_price"]], close[:-1]]) * np.exp(gap)
    wick = np.abs(rng.standard_normal((2, n))) * params[:, 1] * scale * 0.5
    high = np.maximum(open_, close) * np.exp(wick[0])
    low = np.minimum(open_, close) * np.exp(-wick[1])
    frame = pd.DataFrame(
        {"date": dates.date, "open": open_, "high": high, "low": low, "close": close}
    )
    frame["adj_close"] = _adjusted(close, asset["asset_class"])
    frame["volume"] = _volume(rng, params[:, 1], asset["asset_class"])
    return frame


def _adjusted(close: np.ndarray, asset_class: str) -> np.ndarray:
    """Equities pay a 0.4 % dividend every 63 sessions; adjusted closes fall back in time."""
    if asset_class != "equity":
        return np.full(len(close), np.nan)
    payouts = (np.arange(len(close)) % 63 == 62).astype(float) * np.log(1.004)
    factor = np.exp(-(payouts[::-1].cumsum()[::-1] - payouts))
    return close * factor


def _volume(rng: np.random.Generator, vol: np.ndarray, asset_class: str) -> np.ndarray:
    if asset_class == "fx":
        return np.full(len(vol), np.nan)
    base = {"equity": 5e7, "crypto": 2e4, "commodity": 2e5}[asset_class]
    return np.round(base * (vol / 0.011) * rng.lognormal(0.0, 0.3, len(vol)))
