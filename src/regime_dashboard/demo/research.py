"""Strategies, versions, backtest runs with daily equity and metrics, paper-trade runs."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pandas as pd

from ..metrics.performance import summary_metrics
from .ids import uuids

__all__ = ["research_frames"]

_TITLES = [
    "Regime trend follower",
    "Crisis hedge overlay",
    "Mean reversion in neutral",
    "Momentum with vol target",
    "Carry in calm regimes",
]
_STATUS_P = {"succeeded": 0.8, "failed": 0.1, "running": 0.05, "queued": 0.05}


def _equity(rng: np.random.Generator, end: dt.date) -> pd.Series:
    """A business-day equity curve of one to two years ending at `end`, starting at 100,000."""
    days = pd.bdate_range(end=end, periods=int(rng.integers(252, 505)))
    drift, vol = rng.normal(0.0004, 0.0003), rng.uniform(0.006, 0.014)
    flat = rng.random(len(days)) < 0.15  # days out of the market
    returns = np.where(flat, 0.0, rng.normal(drift, vol, len(days)))
    returns[0] = 0.0
    return pd.Series(100_000 * np.cumprod(1 + returns), index=days)


def _stored_metrics(rng: np.random.Generator, equity: pd.Series) -> dict[str, Any]:
    """The platform's metrics JSON; about one run in ten carries a stale Sharpe."""
    metrics = summary_metrics(equity, trades=int(rng.integers(20, 400)))
    if rng.random() < 0.1:
        metrics["sharpe"] *= 1.08
    return {k: (None if isinstance(v, float) and np.isnan(v) else v) for k, v in metrics.items()}


def _strategies(rng, tenants: pd.DataFrame, owners: pd.Series, per_tenant: int, now) -> list[dict]:
    rows = []
    ids = uuids(rng, len(tenants) * per_tenant)
    for i, tenant in enumerate(tenants.itertuples()):
        for j in range(per_tenant):
            title = _TITLES[(i + j) % len(_TITLES)]
            rows.append(
                {
                    "tenant_id": tenant.id,
                    "id": ids[i * per_tenant + j],
                    "owner_id": owners[tenant.id],
                    "title": title,
                    "slug": title.lower().replace(" ", "-"),
                    "status": "active",
                    "visibility": "tenant",
                    "tags": ["regime", "demo"],
                    "created_at": tenant.signup,
                    "updated_at": tenant.signup,
                }
            )
    return rows


def research_frames(
    rng: np.random.Generator,
    tenants: pd.DataFrame,
    owners: pd.Series,
    per_tenant: int,
    now: dt.datetime,
) -> dict[str, pd.DataFrame]:
    """Frames for strategies, strategy_versions, backtest_runs, backtest_equity_daily,
    paper_trade_runs. `owners` maps tenant id to the user who owns its strategies."""
    strategies = _strategies(rng, tenants, owners, per_tenant, now)
    versions: list[dict] = []
    runs: list[dict] = []
    equity_frames: list[pd.DataFrame] = []
    papers: list[dict] = []
    for strategy in strategies:
        for number in range(1, int(rng.integers(1, 4)) + 1):
            version = {
                "tenant_id": strategy["tenant_id"],
                "id": uuids(rng, 1)[0],
                "strategy_id": strategy["id"],
                "version": number,
                "graph_json": {
                    "nodes": ["regime_filter", "signal", "sizing"],
                    "lookback": 20 + 10 * number,
                },
                "notes": f"v{number}",
                "created_by": strategy["owner_id"],
                "created_at": strategy["created_at"],
            }
            versions.append(version)
            for _ in range(int(rng.integers(1, 3))):
                runs.append(_backtest(rng, version, now, equity_frames))
            if number == 1 and rng.random() < 0.6:
                papers.append(_paper_run(rng, version, now))
    return {
        "strategies": pd.DataFrame(strategies),
        "strategy_versions": pd.DataFrame(versions),
        "backtest_runs": pd.DataFrame(runs),
        "backtest_equity_daily": pd.concat(equity_frames, ignore_index=True),
        "paper_trade_runs": pd.DataFrame(papers),
    }


def _backtest(rng, version: dict, now: dt.datetime, equity_frames: list) -> dict[str, Any]:
    status = rng.choice(list(_STATUS_P), p=list(_STATUS_P.values()))
    created = max(version["created_at"], now - dt.timedelta(days=int(rng.integers(1, 200))))
    run = {
        "tenant_id": version["tenant_id"],
        "id": uuids(rng, 1)[0],
        "strategy_version_id": version["id"],
        "requested_by": version["created_by"],
        "parameters": {"universe": "watchlist", "fee_bps": int(rng.integers(1, 10))},
        "status": status,
        "metrics": None,
        "created_at": created,
        "started_at": None if status == "queued" else created + dt.timedelta(minutes=2),
        "completed_at": None,
    }
    if status in ("succeeded", "failed"):
        run["completed_at"] = run["started_at"] + dt.timedelta(seconds=int(rng.integers(20, 900)))
    if status == "succeeded":
        equity = _equity(rng, (created - dt.timedelta(days=1)).date())
        run["metrics"] = _stored_metrics(rng, equity)
        equity_frames.append(
            pd.DataFrame(
                {
                    "tenant_id": run["tenant_id"],
                    "backtest_run_id": run["id"],
                    "date": equity.index.date,
                    "equity": equity.values,
                }
            )
        )
    return run


def _paper_run(rng, version: dict, now: dt.datetime) -> dict[str, Any]:
    status = rng.choice(["active", "paused", "stopped", "failed"], p=[0.6, 0.2, 0.1, 0.1])
    last = now - dt.timedelta(hours=int(rng.integers(1, 72)))
    snapshot = {
        "as_of": last.isoformat(),
        "equity": round(float(rng.normal(105_000, 8_000)), 2),
        "return_pct": round(float(rng.normal(4, 6)), 2),
        "open_positions": int(rng.integers(0, 8)),
    }
    return {
        "tenant_id": version["tenant_id"],
        "id": uuids(rng, 1)[0],
        "strategy_version_id": version["id"],
        "schedule": {"cron": "0 22 * * 1-5"},
        "status": status,
        "last_execution_at": last,
        "performance_snapshot": snapshot,
        "alert_config": {"drawdown_pct": 10},
        "created_at": version["created_at"],
    }
