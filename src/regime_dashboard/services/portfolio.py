"""The Portfolio P&L page's data: FIFO holdings and realized P&L from fills, daily equity
marked to price_bars, and orders with the signals that produced them, scored."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from ..cache import derived, run_query
from ..metrics.downsample import MAX_POINTS_PER_TRACE, downsample_frame
from ..metrics.pnl import daily_equity, fifo_book, fifo_realized, holdings, signal_outcomes
from ..queries import market, portfolio
from ..scope import TenantScope

__all__ = [
    "BANDS",
    "HORIZON",
    "LINE_POINTS",
    "ORDER_TABLE",
    "PortfolioView",
    "load_portfolio_view",
    "visible_portfolios",
]

HORIZON = 5  # bars after the signal's day at which its outcome is measured
BANDS = 5  # confidence bands of the calibration table
LINE_POINTS = 4_000
ORDER_TABLE = {  # column -> heading of the orders table
    "order_timestamp": "Placed",
    "asset_id": "Asset",
    "side": "Side",
    "quantity": "Quantity",
    "status": "Status",
    "filled_quantity": "Filled",
    "average_price": "Fill price",
    "fees": "Fees",
    "signal_type": "Signal",
    "confidence_score": "Confidence",
    "entry_price": "Entry",
    "exit_date": "Exit date",
    "exit_price": "Exit",
    "outcome_return": "Outcome",
    "win": "Win",
}


@dataclass(frozen=True)
class PortfolioView:
    holdings: pd.DataFrame  # metrics.pnl.HOLDING_COLUMNS, as of `end`
    realized: pd.DataFrame  # metrics.pnl.REALIZED_COLUMNS, sells within [start, end]
    totals: dict[str, float]  # starting_cash, cash, market_value, equity, realized,
    # unrealized, total_pnl (equity - starting cash)
    curve: pd.DataFrame  # metrics.pnl.EQUITY_COLUMNS within [start, end], every day
    equity: pd.DataFrame  # date, equity: the curve thinned to LINE_POINTS for its line
    daily_pnl: pd.DataFrame  # date, daily_pnl: thinned to LINE_POINTS for its bars
    orders: pd.DataFrame  # portfolio.ORDER_COLUMNS + outcome_return, win
    bands: pd.DataFrame  # portfolio.BAND_COLUMNS
    outcomes: pd.DataFrame  # confidence_score, outcome_return, win (thinned scatter)
    downsampled: bool


def visible_portfolios(scope: TenantScope) -> pd.DataFrame:
    """Portfolios in the viewer's scope (portfolio.PORTFOLIO_COLUMNS), indexed by the
    portfolio id as text."""
    rows = run_query(portfolio.list_portfolios, scope=scope)
    return rows.set_axis(pd.Index(rows["portfolio_id"].astype(str), name="key"), axis=0)


def _fills(scope: TenantScope, tenant_id: str, portfolio_id: str, end: dt.date) -> pd.DataFrame:
    return run_query(
        portfolio.fills, scope=scope, tenant_id=tenant_id, portfolio_id=portfolio_id, until=end
    )


def _marks(scope: TenantScope, fills: pd.DataFrame, end: dt.date) -> tuple[pd.DataFrame, dict]:
    """(closes of every asset ever filled, first fill day to `end`; last close per asset)."""
    assets = tuple(sorted(fills["asset_id"].unique()))
    first = pd.Timestamp(fills["filled_at"].min()).tz_convert("UTC").date()
    closes = run_query(market.closes, scope=scope, asset_ids=assets, start=first, end=end)
    last = run_query(market.last_closes, scope=scope, asset_ids=assets, on_or_before=end)
    return closes, dict(zip(last["asset_id"], last["close"].astype("float64"), strict=True))


def _in_range(frame: pd.DataFrame, column: str, start: dt.date, end: dt.date) -> pd.DataFrame:
    days = pd.to_datetime(frame[column])
    days = days.dt.tz_convert("UTC").dt.tz_localize(None) if days.dt.tz is not None else days
    return frame[(days >= pd.Timestamp(start)) & (days < pd.Timestamp(end) + pd.Timedelta(days=1))]


def _totals(held: pd.DataFrame, curve: pd.DataFrame, starting_cash: float) -> dict[str, float]:
    last = curve.iloc[-1] if len(curve) else None
    return {
        "starting_cash": starting_cash,
        "cash": float(last["cash"]) if last is not None else starting_cash,
        "market_value": float(held["market_value"].sum()),
        "equity": float(last["equity"]) if last is not None else starting_cash,
        "realized": float(last["realized_pnl_cum"]) if last is not None else 0.0,
        "unrealized": float(held["unrealized_pnl"].sum()),
        "total_pnl": (float(last["equity"]) if last is not None else starting_cash) - starting_cash,
    }


def _book(
    scope: TenantScope, tenant_id: str, portfolio_id: str, starting_cash: float, end: dt.date
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(FIFO holdings as of `end`, FIFO realized matches, daily equity to `end`)."""
    fills = _fills(scope, tenant_id, portfolio_id, end)
    if fills.empty:
        return holdings(fills, {}), fifo_realized(fills), daily_equity(fills, fills, starting_cash)
    closes, last = _marks(scope, fills, end)
    return fifo_book(fills, closes, last, starting_cash)


def _orders(scope: TenantScope, window: dict) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(orders with signals scored by signal_outcomes, confidence bands from SQL)."""
    orders = run_query(portfolio.orders_with_signals, scope=scope, **window)
    bands = run_query(portfolio.confidence_bands, scope=scope, **window, bands=BANDS)
    return signal_outcomes(orders), bands


def _thin(frame: pd.DataFrame, x: str, y: str) -> tuple[pd.DataFrame, bool]:
    thinned, was_thinned = downsample_frame(frame.sort_values(x, kind="stable"), x, y, LINE_POINTS)
    assert len(thinned) <= MAX_POINTS_PER_TRACE
    return thinned, was_thinned


@derived
def load_portfolio_view(
    scope: TenantScope,
    *,
    tenant_id: str,
    portfolio_id: str,
    starting_cash: float,
    start: dt.date,
    end: dt.date,
    statuses: tuple[str, ...] = (),
) -> PortfolioView:
    """Positions and P&L as of `end` (FIFO, from every fill up to `end`), the equity curve
    and realized sales within [start, end], and the orders placed within [start, end] with
    a status in `statuses` (empty: any), each signal scored HORIZON bars later."""
    held, realized, curve = _book(scope, tenant_id, portfolio_id, starting_cash, end)
    window = {"tenant_id": tenant_id, "portfolio_id": portfolio_id, "start": start, "end": end}
    orders, bands = _orders(scope, {**window, "statuses": statuses, "horizon": HORIZON})
    shown = _in_range(curve, "date", start, end).reset_index(drop=True)
    equity, thin_a = _thin(shown[["date", "equity"]], "date", "equity")
    pnl, thin_b = _thin(shown[["date", "daily_pnl"]], "date", "daily_pnl")
    scored = orders.dropna(subset=["outcome_return"])[["confidence_score", "outcome_return", "win"]]
    outcomes, thin_c = _thin(scored, "confidence_score", "outcome_return")
    return PortfolioView(
        holdings=held,
        realized=_in_range(realized, "sell_at", start, end).reset_index(drop=True),
        totals=_totals(held, curve, starting_cash),
        curve=shown,
        equity=equity,
        daily_pnl=pnl,
        orders=orders,
        bands=bands,
        outcomes=outcomes,
        downsampled=thin_a or thin_b or thin_c,
    )
