"""Portfolios trading the tenant's assets: signals, the orders they produced, fills at the
day's close, and the holdings those fills leave. Long only; cash never goes negative."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from .ids import uuids

__all__ = ["PriceBook", "trading_frames"]

STARTING_CASH = 1_000_000.0
FEE_RATE = 0.0005


@dataclass
class PriceBook:
    """Closes by asset: `dates` (datetime64[D]) and `closes` arrays, ascending."""

    dates: dict[str, np.ndarray]
    closes: dict[str, np.ndarray]

    def at(self, asset: str, index: int) -> float:
        return float(self.closes[asset][index])


@dataclass
class _Book:
    cash: float = STARTING_CASH
    positions: dict[str, float] = field(default_factory=dict)


def _fwd_return(book: PriceBook, asset: str, i: int, horizon: int = 5) -> float:
    closes = book.closes[asset]
    j = min(i + horizon, len(closes) - 1)
    return float(closes[j] / closes[i] - 1)


def _decide(rng, state: _Book, asset: str, price: float, crypto: bool) -> tuple[str, float]:
    held = state.positions.get(asset, 0.0)
    if held > 0 and rng.random() < 0.45:
        qty = held if rng.random() < 0.5 else held * rng.uniform(0.2, 0.8)
        return "SELL", round(qty, 4) if crypto else float(max(1, int(qty)))
    notional = min(state.cash * 0.9, STARTING_CASH * rng.uniform(0.02, 0.08))
    qty = notional / price
    return "BUY", round(qty, 4) if crypto else float(int(qty))


def _portfolio_orders(
    rng, portfolio: dict, assets: list[str], book: PriceBook, n: int, crypto: set[str]
) -> list[dict[str, Any]]:
    """Simulate `n` signals; returns one dict per order with its signal and fill."""
    state, rows = _Book(), []
    picks = rng.choice(assets, n)
    fractions = np.sort(rng.random(n))
    for asset, frac in zip(picks, fractions, strict=True):
        i = int(frac * (len(book.dates[asset]) - 1))
        price = book.at(asset, i)
        side, qty = _decide(rng, state, asset, price, asset in crypto)
        if qty <= 0 or (side == "SELL" and qty > state.positions.get(asset, 0.0) + 1e-9):
            continue
        status = rng.choice(["COMPLETE", "CANCELLED", "REJECTED"], p=[0.88, 0.07, 0.05])
        edge = _fwd_return(book, asset, i) * (1 if side == "BUY" else -1)
        confidence = float(np.clip(0.55 + 3 * edge + rng.normal(0, 0.12), 0.01, 0.99))
        fill_price = price * (1 + (0.0005 if side == "BUY" else -0.0005))
        fees = round(qty * fill_price * FEE_RATE, 4)
        if status == "COMPLETE":
            sign = 1 if side == "BUY" else -1
            state.positions[asset] = state.positions.get(asset, 0.0) + sign * qty
            state.cash -= sign * qty * fill_price + fees
        day = pd.Timestamp(book.dates[asset][i]).to_pydatetime().replace(tzinfo=dt.UTC)
        rows.append(
            {
                "asset_id": asset,
                "side": side,
                "qty": qty,
                "price": price,
                "fill_price": fill_price,
                "fees": fees,
                "status": status,
                "confidence": confidence,
                "day": day,
            }
        )
    return rows


def _frames_for(rng, portfolio: dict, rows: list[dict]) -> dict[str, list[dict]]:
    n = len(rows)
    signal_ids, order_ids, fill_ids = uuids(rng, n), uuids(rng, n), uuids(rng, n)
    out: dict[str, list[dict]] = {"signals": [], "orders": [], "fills": []}
    base = {"tenant_id": portfolio["tenant_id"], "portfolio_id": portfolio["id"]}
    for k, r in enumerate(rows):
        signal_at = r["day"] + dt.timedelta(hours=19, seconds=k)  # strictly in order
        order_at = signal_at + dt.timedelta(minutes=30)
        out["signals"].append(
            {
                **base,
                "id": signal_ids[k],
                "asset_id": r["asset_id"],
                "signal_type": r["side"],
                "confidence_score": r["confidence"],
                "entry_price": r["price"],
                "generated_at": signal_at,
                "created_at": signal_at,
            }
        )
        done = r["status"] == "COMPLETE"
        out["orders"].append(
            {
                **base,
                "id": order_ids[k],
                "signal_id": signal_ids[k],
                "asset_id": r["asset_id"],
                "broker_order_id": f"BRK-{order_ids[k].hex[:12]}",
                "order_type": "MARKET",
                "transaction_type": r["side"],
                "quantity": r["qty"],
                "price": None,
                "status": r["status"],
                "filled_quantity": r["qty"] if done else 0.0,
                "average_price": r["fill_price"] if done else None,
                "fees": r["fees"] if done else 0.0,
                "taxes": 0.0,
                "order_timestamp": order_at,
                "created_at": order_at,
                "rejection_reason": "insufficient margin" if r["status"] == "REJECTED" else None,
            }
        )
        if done:
            out["fills"].append(
                {
                    **base,
                    "id": fill_ids[k],
                    "order_id": order_ids[k],
                    "asset_id": r["asset_id"],
                    "side": r["side"],
                    "quantity": r["qty"],
                    "price": r["fill_price"],
                    "fees": r["fees"],
                    "filled_at": order_at + dt.timedelta(seconds=2),
                }
            )
    return out


def trading_frames(
    rng: np.random.Generator,
    tenants: pd.DataFrame,
    follows: pd.DataFrame,
    owners: pd.Series,
    book: PriceBook,
    crypto: set[str],
    total_orders: int,
    now: dt.datetime,
) -> dict[str, pd.DataFrame]:
    """Frames for broker_accounts, portfolios, signals, orders, fills, holdings."""
    per_tenant = rng.integers(1, 3, len(tenants))
    per_portfolio = max(5, total_orders // max(1, int(per_tenant.sum())))
    out: dict[str, list[dict]] = {
        k: [] for k in ("broker_accounts", "portfolios", "signals", "orders", "fills")
    }
    for tenant, count in zip(tenants.itertuples(), per_tenant, strict=True):
        assets = follows.loc[follows["tenant_id"] == tenant.id, "asset_id"].tolist()
        for j in range(int(count)):
            broker, portfolio = _accounts(rng, tenant, owners[tenant.id], j)
            out["broker_accounts"].append(broker)
            out["portfolios"].append(portfolio)
            rows = _portfolio_orders(rng, portfolio, assets, book, per_portfolio, crypto)
            for key, values in _frames_for(rng, portfolio, rows).items():
                out[key].extend(values)
    frames = {k: pd.DataFrame(v) for k, v in out.items()}
    frames["holdings"] = _holdings(frames["fills"], now)
    return frames


def _accounts(rng, tenant: Any, owner: Any, j: int) -> tuple[dict, dict]:
    broker_id, portfolio_id = uuids(rng, 2)
    token = rng.bytes(16).hex()
    broker = {
        "tenant_id": tenant.id,
        "id": broker_id,
        "user_id": owner,
        "broker": "Zerodha",
        "broker_user_id": f"ZR{token[:6]}",
        "api_key": f"key_{token[:16]}",
        "access_token": f"tok_live_{token}",
        "refresh_token": f"ref_{token[::-1]}",
        "created_at": tenant.signup,
    }
    portfolio = {
        "tenant_id": tenant.id,
        "id": portfolio_id,
        "user_id": owner,
        "broker_account_id": broker_id,
        "name": ["Core book", "Tactical book"][j],
        "currency": "USD",
        "starting_cash": STARTING_CASH,
        "created_at": tenant.signup,
    }
    return broker, portfolio


def _holdings(fills: pd.DataFrame, now: dt.datetime) -> pd.DataFrame:
    """The platform's snapshot: FIFO open lots per portfolio and asset."""
    from ..metrics.pnl import open_lots

    columns = ["tenant_id", "portfolio_id", "asset_id", "quantity", "average_price", "updated_at"]
    if fills.empty:
        return pd.DataFrame(columns=columns)
    parts = []
    for (tenant_id, portfolio_id), group in fills.groupby(
        ["tenant_id", "portfolio_id"], sort=False
    ):
        lots = open_lots(group)
        parts.append(lots.assign(tenant_id=tenant_id, portfolio_id=portfolio_id))
    lots = pd.concat(parts, ignore_index=True).rename(columns={"avg_cost": "average_price"})
    return lots.assign(updated_at=now)[columns]
