"""The Portfolio P&L page's data: FIFO holdings and realized P&L from fills, daily equity
marked to price_bars, and orders with the signals that produced them, scored."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..cache import derived, run_query
from ..metrics.pnl import daily_equity, fifo_book, fifo_realized, holdings, signal_outcomes
from ..queries import market, portfolio
from ..scope import TenantScope
from ..thinning import thin_line
from ..viewer import Viewer

__all__ = [
    "BANDS",
    "CARD_KEYS",
    "HORIZON",
    "ORDER_TABLE",
    "PortfolioBook",
    "PortfolioView",
    "load_portfolio_view",
    "portfolio_books",
]

HORIZON = 5  # bars after the signal's day at which its outcome is measured
CARD_KEYS = ("equity", "cash", "market_value", "realized", "unrealized", "total_pnl")
SPARK_POINTS = 90  # points of a card's sparkline
BANDS = 5  # confidence bands of the calibration table
ORDER_TABLE = {  # column -> heading of the orders table (formats: ui/columns.py)
    "order_timestamp": "Placed (UTC)",
    "asset_id": "Asset",
    "side": "Side",
    "quantity": "Quantity",
    "status": "Status",
    "filled_quantity": "Filled",
    "average_price": "Fill price ($)",
    "fees": "Fees ($)",
    "signal_type": "Signal",
    "confidence_score": "Confidence",
    "entry_price": "Entry ($)",
    "exit_date": "Exit date",
    "exit_price": "Exit ($)",
    "outcome_return": "Outcome",
    "win": "Win",
}


@dataclass(frozen=True)
class PortfolioBook:
    """One portfolio as the picker and the page name it; first_fill is the UTC date of its
    first fill (None without fills)."""

    portfolio_id: str
    tenant_id: str
    tenant_name: str
    name: str
    currency: str
    starting_cash: float
    first_fill: dt.date | None


@dataclass(frozen=True)
class PortfolioView:
    """Everything the Portfolio P&L page draws for one portfolio over a range."""

    book: PortfolioBook
    holdings: pd.DataFrame  # metrics.pnl.HOLDING_COLUMNS, as of `end`
    realized: pd.DataFrame  # metrics.pnl.REALIZED_COLUMNS, sells within [start, end]
    totals: dict[str, float]  # starting_cash, cash, market_value, equity, realized,
    # unrealized, total_pnl (equity - starting cash), as of `end`
    previous: dict[str, float]  # CARD_KEYS as of the end of the previous period of the
    # same length (the day before `start`): what the cards' deltas compare against
    trend: pd.DataFrame  # date + CARD_KEYS within [start, end], at most SPARK_POINTS rows
    curve: pd.DataFrame  # metrics.pnl.DAILY_EQUITY_COLUMNS within [start, end], every day
    equity: pd.DataFrame  # date, equity: the curve thinned (thinning.thin_line) for its line
    daily_pnl: pd.DataFrame  # date, daily_pnl: thinned for its bars
    orders: pd.DataFrame  # portfolio.ORDER_COLUMNS + outcome_return, win
    bands: pd.DataFrame  # portfolio.BAND_COLUMNS
    outcomes: pd.DataFrame  # confidence_score, outcome_return, win (thinned scatter)
    downsampled: bool


def portfolio_books(viewer: Viewer) -> dict[str, PortfolioBook]:
    """{portfolio id: portfolio} of the portfolios in the viewer's scope, by tenant name
    then name: the portfolio picker's options."""
    viewer.require("analyst")
    rows = run_query(portfolio.list_portfolios, scope=viewer.scope)
    return {
        str(r.portfolio_id): PortfolioBook(
            portfolio_id=str(r.portfolio_id),
            tenant_id=str(r.tenant_id),
            tenant_name=str(r.tenant_name),
            name=str(r.name),
            currency=str(r.currency),
            starting_cash=float(r.starting_cash),
            first_fill=None if pd.isna(r.first_fill) else r.first_fill,
        )
        for r in rows.itertuples()
    }


def load_portfolio_view(
    viewer: Viewer,
    portfolio_id: str,
    start: dt.date,
    end: dt.date,
    statuses: tuple[str, ...] = (),
) -> PortfolioView:
    """Positions and P&L as of `end` (FIFO, from every fill up to `end`), the equity curve
    and realized sales within [start, end], and the orders placed within [start, end] with
    a status in `statuses` (empty: any), each signal scored HORIZON bars later."""
    viewer.require("analyst")
    book = portfolio_books(viewer)[portfolio_id]
    return _portfolio_view(viewer.scope, book=book, start=start, end=end, statuses=statuses)


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
    return {
        "starting_cash": starting_cash,
        **_as_of(curve, None, starting_cash),
        "market_value": float(held["market_value"].sum()),
        "unrealized": float(held["unrealized_pnl"].sum()),
    }


def _card_values(curve: pd.DataFrame, starting_cash: float) -> pd.DataFrame:
    """date + CARD_KEYS, one row per day of the daily equity `curve`."""
    return pd.DataFrame(
        {
            "date": curve["date"],
            "equity": curve["equity"],
            "cash": curve["cash"],
            "market_value": curve["market_value"],
            "realized": curve["realized_pnl_cum"],
            "unrealized": curve["unrealized_pnl"],
            "total_pnl": curve["equity"] - starting_cash,
        }
    )


def _as_of(curve: pd.DataFrame, day: dt.date | None, starting_cash: float) -> dict[str, float]:
    """CARD_KEYS at the end of `day` (None: the curve's last day): the curve's last row on
    or before it, or the starting book (all cash, nothing held) before the first fill."""
    if day is not None:
        curve = curve[curve["date"] < pd.Timestamp(day) + pd.Timedelta(days=1)]
    if curve.empty:
        start = {"equity": starting_cash, "cash": starting_cash}
        return {k: start.get(k, 0.0) for k in CARD_KEYS}
    last = _card_values(curve.iloc[[-1]], starting_cash).iloc[0]
    return {k: float(last[k]) for k in CARD_KEYS}


def _trend(shown: pd.DataFrame, starting_cash: float) -> pd.DataFrame:
    """The cards' values over the shown days, at most SPARK_POINTS evenly spaced days
    (the first and the last among them)."""
    values = _card_values(shown, starting_cash)
    if len(values) <= SPARK_POINTS:
        return values.reset_index(drop=True)
    rows = np.unique(np.linspace(0, len(values) - 1, SPARK_POINTS).round().astype(int))
    return values.iloc[rows].reset_index(drop=True)


def _book(
    scope: TenantScope, tenant_id: str, portfolio_id: str, starting_cash: float, end: dt.date
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(FIFO holdings as of `end`, FIFO realized matches, daily equity to `end`)."""
    fills = _fills(scope, tenant_id, portfolio_id, end)
    if fills.empty:
        return holdings(fills, {}), fifo_realized(fills), daily_equity(fills, fills, starting_cash)
    closes, last = _marks(scope, fills, end)
    return fifo_book(fills, closes, last, starting_cash)


def _orders(scope: TenantScope, chosen: portfolio.Orders) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(orders with signals scored by signal_outcomes, confidence bands from SQL)."""
    orders = run_query(portfolio.orders_with_signals, scope=scope, orders=chosen)
    bands = run_query(portfolio.confidence_bands, scope=scope, orders=chosen, bands=BANDS)
    return signal_outcomes(orders), bands


@derived
def _portfolio_view(
    scope: TenantScope,
    *,
    book: PortfolioBook,
    start: dt.date,
    end: dt.date,
    statuses: tuple[str, ...],
) -> PortfolioView:
    tenant_id, portfolio_id, starting_cash = book.tenant_id, book.portfolio_id, book.starting_cash
    held, realized, curve = _book(scope, tenant_id, portfolio_id, starting_cash, end)
    chosen = portfolio.Orders(tenant_id, portfolio_id, start, end, statuses, HORIZON)
    orders, bands = _orders(scope, chosen)
    shown = _in_range(curve, "date", start, end).reset_index(drop=True)
    equity, thin_a = thin_line(shown[["date", "equity"]], "date", "equity")
    pnl, thin_b = thin_line(shown[["date", "daily_pnl"]], "date", "daily_pnl")
    scored = orders[["confidence_score", "outcome_return", "win"]]
    outcomes, thin_c = thin_line(scored, "confidence_score", "outcome_return")
    return PortfolioView(
        book=book,
        holdings=held,
        realized=_in_range(realized, "sell_at", start, end).reset_index(drop=True),
        totals=_totals(held, curve, starting_cash),
        previous=_as_of(curve, start - dt.timedelta(days=1), starting_cash),
        trend=_trend(shown, starting_cash),
        curve=shown,
        equity=equity,
        daily_pnl=pnl,
        orders=orders,
        bands=bands,
        outcomes=outcomes,
        downsampled=thin_a or thin_b or thin_c,
    )
