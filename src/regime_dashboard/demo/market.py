"""Assets, bars and the engine releases of every tenant, with their data hashes."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from ..calendars import periods_per_year
from ..reproducibility import bars_sha256
from .engine_outputs import engine_outputs
from .ids import uuids
from .prices import asset_table, simulate_bars

__all__ = ["MarketData", "build_market", "build_releases"]

BAR_COLUMNS = ["date", "open", "high", "low", "close", "adj_close", "volume"]
RESTATED_ASSET = 0  # this asset's bar is corrected after v1: v1's hash no longer matches


class MarketData:
    """assets (id, name, asset_class, calendar), bars per asset, engine outputs and hashes
    per (asset, version)."""

    def __init__(self) -> None:
        self.assets = pd.DataFrame()
        self.bars: dict[str, pd.DataFrame] = {}
        self.outputs: dict[tuple[str, str], pd.DataFrame] = {}
        self.sha: dict[tuple[str, str], str] = {}


def _window_sha(bars: pd.DataFrame, outputs: pd.DataFrame) -> str:
    window = bars[
        (bars["date"] >= outputs["date"].iloc[0]) & (bars["date"] <= outputs["date"].iloc[-1])
    ]
    return bars_sha256(window[BAR_COLUMNS].itertuples(index=False, name=None))


def _restate(bars: pd.DataFrame) -> pd.DataFrame:
    """A vendor correction of one close, late in the series."""
    fixed = bars.copy()
    i = len(fixed) - 40
    fixed.loc[i, "close"] = fixed.loc[i, "close"] * 1.01
    fixed.loc[i, "high"] = max(fixed.loc[i, "high"], fixed.loc[i, "close"])
    return fixed


def build_market(
    rng: np.random.Generator, n_assets: int, years: int, output_years: int, last_bar: dt.date
) -> MarketData:
    data = MarketData()
    data.assets = asset_table(n_assets)
    start = last_bar.replace(year=last_bar.year - years)
    for i, asset in data.assets.iterrows():
        bars = simulate_bars(rng, asset, start, last_bar)
        periods = periods_per_year(asset["calendar"])
        for version in ("v1", "v2"):
            if version == "v2" and i == RESTATED_ASSET:
                bars = _restate(bars)
            out = engine_outputs(bars, version, periods)
            cutoff = last_bar.replace(year=last_bar.year - output_years)
            out = out[out["date"] > cutoff].reset_index(drop=True)
            data.outputs[(asset["id"], version)] = out
            data.sha[(asset["id"], version)] = _window_sha(bars, out)
        data.bars[asset["id"]] = bars
    return data


def build_releases(
    rng: np.random.Generator, market: MarketData, follows: pd.DataFrame, last_bar: dt.date
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """engine_releases and engine_outputs_daily for every (tenant, followed asset, version)."""
    releases, outputs = [], []
    ids = uuids(rng, 2 * len(follows))
    for k, (tenant_id, asset_id) in enumerate(
        follows[["tenant_id", "asset_id"]].itertuples(index=False)
    ):
        for j, version in enumerate(("v1", "v2")):
            release_id = ids[2 * k + j]
            created = dt.datetime.combine(last_bar, dt.time(20 + j), tzinfo=dt.UTC)
            releases.append(
                {
                    "tenant_id": tenant_id,
                    "id": release_id,
                    "asset_id": asset_id,
                    "release_date": last_bar,
                    "version": version,
                    "git_commit": ("3f9c2ab" if version == "v1" else "8d41e07")
                    + "e5d1c0b9a7f6e3d2c1b0a9f8e7d6c5b4a39",
                    "data_sha256": market.sha[(asset_id, version)],
                    "env_json": {"python": "3.11.9", "numpy": "2.1.3", "engine": version},
                    "created_at": created,
                }
            )
            outputs.append(
                market.outputs[(asset_id, version)].assign(
                    tenant_id=tenant_id, release_id=release_id
                )
            )
    return pd.DataFrame(releases), pd.concat(outputs, ignore_index=True)


def bars_frame(market: MarketData, ingested_at: dt.datetime) -> pd.DataFrame:
    """All bars, columns of `price_bars`."""
    frames = [b.assign(asset_id=a) for a, b in market.bars.items()]
    return pd.concat(frames, ignore_index=True).assign(source="synthetic", ingested_at=ingested_at)


__all__ += ["bars_frame"]
