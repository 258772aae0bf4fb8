"""Portfolios, their fills, and the orders with the signals that produced them, scoped to the
viewer's tenants. broker_accounts is never read: its tokens and keys stay in the database."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import (
    Connection,
    Double,
    Select,
    and_,
    case,
    cast,
    func,
    select,
    true,
)

from ..db.models import Fill, Order, Portfolio, PriceBar, Signal, Tenant, User
from ..scope import TenantScope
from ._frames import frame
from .dates import utc_day

__all__ = [
    "BAND_COLUMNS",
    "FILL_COLUMNS",
    "ORDER_COLUMNS",
    "PORTFOLIO_COLUMNS",
    "Orders",
    "confidence_bands",
    "fills",
    "list_portfolios",
    "orders_with_signals",
]

PORTFOLIO_COLUMNS = {
    "portfolio_id": "object",
    "tenant_id": "object",
    "tenant_name": "str",
    "name": "str",
    "currency": "str",
    "starting_cash": "float64",
    "owner": "str",
    "fills": "int64",
    "first_fill": "object",
    "last_fill": "object",
}
FILL_COLUMNS = {
    "filled_at": "datetime64[us, UTC]",
    "asset_id": "str",
    "side": "str",
    "quantity": "float64",
    "price": "float64",
    "fees": "float64",
}
ORDER_COLUMNS = {
    "order_id": "object",
    "order_timestamp": "datetime64[us, UTC]",
    "asset_id": "str",
    "side": "str",
    "order_type": "str",
    "quantity": "float64",
    "status": "str",
    "filled_quantity": "float64",
    "average_price": "float64",
    "fees": "float64",
    "signal_id": "object",
    "signal_type": "str",
    "confidence_score": "float64",
    "entry_price": "float64",
    "generated_at": "datetime64[us, UTC]",
    "exit_date": "object",
    "exit_price": "float64",
}
BAND_COLUMNS = {
    "band_low": "float64",
    "band_high": "float64",
    "signals": "int64",
    "scored": "int64",
    "wins": "int64",
    "hit_rate": "float64",
    "mean_outcome": "float64",
}


def list_portfolios(conn: Connection, *, scope: TenantScope) -> pd.DataFrame:
    """Every portfolio the viewer may see, by tenant then name. Columns PORTFOLIO_COLUMNS:
    owner is the owner's display name (else e-mail), fills the number of fills,
    first_fill/last_fill the UTC dates of the first and last fill (None without fills)."""
    p, f = Portfolio, Fill
    mine = and_(scope.clause(f.tenant_id), f.tenant_id == p.tenant_id, f.portfolio_id == p.id)
    stats = [
        select(agg).where(mine).scalar_subquery()
        # min/max of the timestamp itself, then its day: each is one probe of the index
        for agg in (func.count(), utc_day(func.min(f.filled_at)), utc_day(func.max(f.filled_at)))
    ]
    stmt = (
        select(
            p.id.label("portfolio_id"),
            p.tenant_id,
            Tenant.name.label("tenant_name"),
            p.name,
            p.currency,
            p.starting_cash,
            func.coalesce(User.display_name, User.email).label("owner"),
            *(s.label(n) for s, n in zip(stats, ("fills", "first_fill", "last_fill"), strict=True)),
        )
        .join(Tenant, Tenant.id == p.tenant_id)
        .outerjoin(User, User.id == p.user_id)
        .where(scope.clause(p.tenant_id))
        .order_by(Tenant.name, p.name, p.id)
    )
    return frame(conn, stmt, PORTFOLIO_COLUMNS)


def fills(
    conn: Connection, *, scope: TenantScope, tenant_id: str, portfolio_id: str, until: dt.date
) -> pd.DataFrame:
    """A portfolio's fills up to and including the UTC date `until`, in time order. Columns
    FILL_COLUMNS (filled_at is a tz-aware timestamp)."""
    f = Fill
    stmt = (
        select(*(getattr(f, c) for c in FILL_COLUMNS))
        .where(scope.clause(f.tenant_id), f.tenant_id == tenant_id, f.portfolio_id == portfolio_id)
        .where(utc_day(f.filled_at) <= until)
        .order_by(f.filled_at, f.id)
    )
    return frame(conn, stmt, FILL_COLUMNS)


@dataclass(frozen=True)
class Orders:
    """Which orders a query reads: portfolio `portfolio_id`'s (of `tenant_id`) placed from
    `start` to `end` (UTC dates) with a status in `statuses` (empty: any), each signal
    scored by the close `horizon` bars after its UTC day."""

    tenant_id: str
    portfolio_id: str
    start: dt.date
    end: dt.date
    statuses: tuple[str, ...] = ()
    horizon: int = 5


def _orders_select(scope: TenantScope, orders: Orders) -> Select:
    """The `orders`, with their signal and the close `orders.horizon` bars after the
    signal's day (the exit used to score it)."""
    o, s = Order, Signal
    horizon, statuses = orders.horizon, orders.statuses
    exit_bar = (
        select(PriceBar.date.label("exit_date"), PriceBar.close.label("exit_price"))
        .where(PriceBar.asset_id == s.asset_id, PriceBar.date > utc_day(s.generated_at))
        .order_by(PriceBar.date)
        .offset(horizon - 1)
        .limit(1)
        .lateral("exit_bar")
    )
    stmt = (
        select(
            o.id.label("order_id"),
            o.order_timestamp,
            o.asset_id,
            o.transaction_type.label("side"),
            *(getattr(o, c) for c in list(ORDER_COLUMNS)[4:10]),
            s.id.label("signal_id"),
            s.signal_type,
            s.confidence_score,
            s.entry_price,
            s.generated_at,
            exit_bar.c.exit_date,
            exit_bar.c.exit_price,
        )
        .outerjoin(
            s, and_(s.tenant_id == o.tenant_id, s.id == o.signal_id, scope.clause(s.tenant_id))
        )
        .outerjoin(exit_bar, true())
        .where(scope.clause(o.tenant_id), o.tenant_id == orders.tenant_id)
        .where(o.portfolio_id == orders.portfolio_id)
        .where(utc_day(o.order_timestamp).between(orders.start, orders.end))
    )
    return stmt.where(o.status.in_(statuses)) if statuses else stmt


def orders_with_signals(conn: Connection, *, scope: TenantScope, orders: Orders) -> pd.DataFrame:
    """The `orders` of a portfolio, newest first, each with the signal that produced it
    (signal columns None without one) and the signal's exit: the close `orders.horizon`
    bars after the signal's UTC day (exit_date/exit_price None when those bars do not exist
    yet). Columns ORDER_COLUMNS; side is the order's BUY/SELL."""
    stmt = _orders_select(scope, orders).order_by(Order.order_timestamp.desc(), Order.id)
    return frame(conn, stmt, ORDER_COLUMNS)


def confidence_bands(
    conn: Connection, *, scope: TenantScope, orders: Orders, bands: int = 5
) -> pd.DataFrame:
    """The signals of `orders_with_signals` (same `orders`) grouped into `bands` equal
    confidence bands over [0, 1] (a confidence of 1 in the last): signals, scored (with an
    exit price), wins (outcome > 0), hit_rate (wins / scored) and mean_outcome, where the
    outcome of a BUY is exit / entry - 1 and of a SELL entry / exit - 1. Empty bands are
    left out. Columns BAND_COLUMNS, by band."""
    rows = _orders_select(scope, orders)
    signals = rows.where(Signal.id.is_not(None)).subquery()
    outcome = case(
        (signals.c.side == "BUY", signals.c.exit_price / signals.c.entry_price - 1),
        else_=signals.c.entry_price / signals.c.exit_price - 1,
    )
    band = func.least(func.width_bucket(signals.c.confidence_score, 0.0, 1.0, bands), bands)
    scored = select(band.label("band"), outcome.label("outcome")).subquery()
    wins = func.count().filter(scored.c.outcome > 0)
    stmt = (
        select(
            ((scored.c.band - 1) / float(bands)).label("band_low"),
            (scored.c.band / float(bands)).label("band_high"),
            func.count().label("signals"),
            func.count(scored.c.outcome).label("scored"),
            wins.label("wins"),
            (wins / cast(func.nullif(func.count(scored.c.outcome), 0), Double)).label("hit_rate"),
            func.avg(scored.c.outcome).label("mean_outcome"),
        )
        .group_by(scored.c.band)
        .order_by(scored.c.band)
    )
    return frame(conn, stmt, BAND_COLUMNS)
