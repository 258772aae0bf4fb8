"""Metered usage: some tenants run near or over their plan limits."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from .plans import USAGE_METRICS, plan_limits

__all__ = ["daily_plan_status", "usage_events"]

_UNLIMITED_BASE = {"api_calls": 2_000_000, "backtests": 1_000, "tokens": 80_000_000}
LIVE = ("trialing", "active", "past_due")


def daily_plan_status(events: pd.DataFrame, days: pd.DatetimeIndex) -> pd.DataFrame:
    """The plan and status of every tenant on every day (state after the day's last event).
    Columns tenant_id, day, plan_id, status; days before a tenant's first event are absent."""
    ev = events.sort_values("occurred_at").assign(
        day=lambda f: (
            pd.to_datetime(f["occurred_at"])
            .dt.tz_convert("UTC")
            .dt.tz_localize(None)
            .dt.normalize()
        )
    )
    last = ev.groupby(["tenant_id", "day"], sort=False).tail(1)
    grid = pd.MultiIndex.from_product(
        [last["tenant_id"].unique(), days], names=["tenant_id", "day"]
    )
    state = last.set_index(["tenant_id", "day"])[["plan_id", "status"]]
    full = state.reindex(state.index.union(grid)).groupby(level=0).ffill()
    return full.loc[grid].dropna().reset_index()


def _intensity(rng: np.random.Generator, tenant_ids: pd.Series) -> pd.Series:
    """Share of the limit each tenant uses per month; tenants 1 and 4 run over, 2 near."""
    values = np.clip(rng.lognormal(np.log(0.45), 0.45, len(tenant_ids)), 0.05, 1.6)
    forced = {1: 1.25, 2: 0.9, 4: 1.15}
    for index, value in forced.items():
        if index < len(values):
            values[index] = value
    return pd.Series(values, index=tenant_ids.to_numpy())


def _cells(rng: np.random.Generator, states: pd.DataFrame, intensity: pd.Series) -> pd.DataFrame:
    """Expected quantity per (tenant, day, metric) while the subscription is live."""
    live = states[states["status"].isin(LIVE)]
    frames = []
    for metric in USAGE_METRICS:
        limit = live["plan_id"].map(lambda p, m=metric: plan_limits(p)[m] or _UNLIMITED_BASE[m])
        weekday = np.where(live["day"].dt.day_of_week < 5, 1.15, 0.63)
        noise = rng.lognormal(0.0, 0.35, len(live))
        quantity = limit * live["tenant_id"].map(intensity) / 30.4 * weekday * noise
        frames.append(live[["tenant_id", "day"]].assign(metric=metric, expected=quantity))
    return pd.concat(frames, ignore_index=True)


def usage_events(
    rng: np.random.Generator,
    states: pd.DataFrame,
    tenant_ids: pd.Series,
    members: pd.DataFrame,
    target_events: int,
) -> pd.DataFrame:
    """Columns tenant_id, occurred_at, user_id, metric, quantity. Backtests are one event
    each; api_calls and tokens are batched so the total is near `target_events`."""
    cells = _cells(rng, states, _intensity(rng, tenant_ids))
    is_bt = (cells["metric"] == "backtests").to_numpy()
    counts = np.empty(len(cells), dtype=np.int64)
    counts[is_bt] = rng.poisson(cells.loc[is_bt, "expected"])
    lam = max(0.3, (target_events - counts[is_bt].sum()) / max(1, (~is_bt).sum()))
    counts[~is_bt] = rng.poisson(lam, (~is_bt).sum())
    rows = cells.loc[cells.index.repeat(counts)].reset_index(drop=True)
    per_event = np.repeat(cells["expected"].to_numpy() / np.maximum(counts, 1), counts)
    rows["quantity"] = np.where(
        rows["metric"] == "backtests",
        1.0,
        np.maximum(1.0, np.round(per_event * rng.uniform(0.6, 1.4, len(rows)))),
    )
    seconds = rng.integers(0, 86_400, len(rows))
    rows["occurred_at"] = (rows["day"] + pd.to_timedelta(seconds, unit="s")).dt.tz_localize("UTC")
    rows["user_id"] = _pick_members(rng, rows["tenant_id"], members)
    return rows[["tenant_id", "occurred_at", "user_id", "metric", "quantity"]]


def _pick_members(rng: np.random.Generator, tenant_col: pd.Series, links: pd.DataFrame) -> list:
    grouped = links.groupby("tenant_id", sort=False)["user_id"].apply(list)
    sizes = tenant_col.map(grouped.map(len)).to_numpy()
    picks = (rng.random(len(tenant_col)) * sizes).astype(int)
    return [grouped[t][i] for t, i in zip(tenant_col, picks, strict=True)]


def clip_to(now: dt.datetime, frame: pd.DataFrame) -> pd.DataFrame:
    """Drop events after `now` (the last day is partial)."""
    return frame[frame["occurred_at"] <= pd.Timestamp(now)]


__all__ += ["clip_to"]
