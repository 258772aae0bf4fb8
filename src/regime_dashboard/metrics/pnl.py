"""Portfolio P&L from fills, with a FIFO (first in, first out) cost basis.

Fills are a DataFrame with columns

* ``filled_at`` – datetime (tz-naive or tz-aware),
* ``asset_id`` – str,
* ``side`` – ``'BUY'`` or ``'SELL'`` (case-insensitive),
* ``quantity`` – float > 0,
* ``price`` – float > 0, per unit,
* ``fees`` – float >= 0, total for the fill.

Conventions:

* Fills are processed in ``filled_at`` order; fills with the same timestamp
  keep their input order.
* Long only: each SELL closes the oldest open BUY lots of its asset first.  A
  SELL larger than the open quantity raises :class:`ValueError` naming the
  asset and time.
* Buy fees are part of the cost basis: a lot's unit cost is
  ``price + fees / quantity``.  Sell fees reduce proceeds: a sale's net unit
  price is ``price - fees / quantity``.  Hence realized plus unrealized P&L
  equals sell proceeds + market value - buy cost - all fees.
* Quantities within a relative ``1e-9`` of zero count as closed.
* An empty input (no rows) returns an empty frame with the documented columns.
  Inputs are never modified.
"""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "DAILY_EQUITY_COLUMNS",
    "FILL_COLUMNS",
    "HOLDING_COLUMNS",
    "OPEN_LOT_COLUMNS",
    "REALIZED_COLUMNS",
    "daily_equity",
    "fifo_book",
    "fifo_realized",
    "holdings",
    "open_lots",
    "signal_outcomes",
]

FILL_COLUMNS: dict[str, str] = {
    "filled_at": "datetime64[ns]",
    "asset_id": "str",
    "side": "str",
    "quantity": "float64",
    "price": "float64",
    "fees": "float64",
}
REALIZED_COLUMNS: dict[str, str] = {
    "asset_id": "str",
    "sell_at": "datetime64[ns]",
    "quantity": "float64",
    "buy_price": "float64",
    "sell_price": "float64",
    "realized_pnl": "float64",
}
OPEN_LOT_COLUMNS: dict[str, str] = {"asset_id": "str", "quantity": "float64", "avg_cost": "float64"}
HOLDING_COLUMNS: dict[str, str] = {
    **OPEN_LOT_COLUMNS,
    "last_price": "float64",
    "market_value": "float64",
    "unrealized_pnl": "float64",
}
DAILY_EQUITY_COLUMNS: dict[str, str] = {
    "date": "datetime64[ns]",
    "cash": "float64",
    "market_value": "float64",
    "equity": "float64",
    "realized_pnl_cum": "float64",
    "unrealized_pnl": "float64",
    "daily_pnl": "float64",
}
_OUTCOME_COLUMNS: dict[str, str] = {"outcome_return": "float64", "win": "boolean"}
_REL_TOL = 1e-9


@dataclass(slots=True)
class _Lot:
    """An open (part of a) BUY fill."""

    quantity: float
    price: float
    unit_cost: float  # price + buy fees per unit


@dataclass(frozen=True, slots=True)
class _Match:
    """Part of a SELL fill matched against one BUY lot."""

    asset_id: str
    sell_at: pd.Timestamp
    quantity: float
    buy_price: float
    buy_unit_cost: float
    sell_price: float
    sell_unit_net: float  # price - sell fees per unit

    @property
    def realized_pnl(self) -> float:
        return self.quantity * (self.sell_unit_net - self.buy_unit_cost)


_Book = dict[str, deque[_Lot]]


# --------------------------------------------------------------------------- helpers


def _empty(schema: Mapping[str, str]) -> pd.DataFrame:
    """Return a zero-row frame with the columns and dtypes of ``schema``."""
    return pd.DataFrame({name: pd.Series(dtype=dtype) for name, dtype in schema.items()})


def _require(df: pd.DataFrame, columns: Iterable[str], what: str) -> None:
    """Raise ValueError if ``df`` lacks any of ``columns``."""
    missing = [column for column in columns if column not in df.columns]
    if missing:
        raise ValueError(f"{what} is missing column(s): {', '.join(missing)}")


def _prepare_fills(fills: pd.DataFrame) -> pd.DataFrame:
    """Validate fills; return the fill columns, normalised and sorted by time."""
    if fills.empty:
        return _empty(FILL_COLUMNS)
    _require(fills, FILL_COLUMNS, "fills")
    out = fills.loc[:, list(FILL_COLUMNS)].assign(
        filled_at=pd.to_datetime(fills["filled_at"]).dt.as_unit("ns"),
        asset_id=fills["asset_id"].astype(str),
        side=fills["side"].astype(str).str.strip().str.upper(),
        quantity=fills["quantity"].astype("float64"),
        price=fills["price"].astype("float64"),
        fees=fills["fees"].astype("float64"),
    )
    _check_fill_values(out)
    return out.sort_values("filled_at", kind="stable").reset_index(drop=True)


def _check_fill_values(fills: pd.DataFrame) -> None:
    """Raise ValueError naming the first fill with an invalid side or amount."""
    problems = {
        "side must be 'BUY' or 'SELL'": ~fills["side"].isin(["BUY", "SELL"]),
        "quantity must be > 0": ~(fills["quantity"] > 0),
        "price must be > 0": ~(fills["price"] > 0),
        "fees must be >= 0": ~(fills["fees"] >= 0),
    }
    for message, bad in problems.items():
        if bad.any():
            row = fills.loc[bad].iloc[0]
            raise ValueError(
                f"invalid fill for asset {row['asset_id']!r} at {row['filled_at']}: {message} "
                f"(side={row['side']!r}, quantity={row['quantity']}, price={row['price']}, "
                f"fees={row['fees']})"
            )


def _run_fifo(fills: pd.DataFrame) -> tuple[list[_Match], _Book]:
    """Replay prepared fills; return the sell matches and the open lots per asset."""
    book: _Book = defaultdict(deque)
    matches: list[_Match] = []
    for fill in fills.itertuples(index=False):
        lots = book[fill.asset_id]
        if fill.side == "BUY":
            lots.append(_Lot(fill.quantity, fill.price, fill.price + fill.fees / fill.quantity))
        else:
            matches.extend(_match_sell(lots, fill))
    return matches, book


def _match_sell(lots: deque[_Lot], fill: Any) -> list[_Match]:
    """Consume the oldest ``lots`` for one SELL fill (mutates ``lots``)."""
    open_quantity = sum(lot.quantity for lot in lots)
    tolerance = _REL_TOL * max(1.0, fill.quantity)
    if fill.quantity > open_quantity + tolerance:
        raise ValueError(
            f"SELL of {fill.quantity:g} {fill.asset_id!r} at {fill.filled_at} exceeds the open "
            f"quantity {open_quantity:g}; short selling is not supported"
        )
    unit_net = fill.price - fill.fees / fill.quantity
    matches: list[_Match] = []
    remaining = fill.quantity
    while remaining > tolerance and lots:
        lot = lots[0]
        take = min(lot.quantity, remaining)
        matches.append(
            _Match(
                fill.asset_id, fill.filled_at, take, lot.price, lot.unit_cost, fill.price, unit_net
            )
        )
        lot.quantity -= take
        remaining -= take
        if lot.quantity <= tolerance:
            lots.popleft()
    return matches


def _matches_frame(matches: Sequence[_Match]) -> pd.DataFrame:
    """Realized matches as a frame: REALIZED_COLUMNS plus ``sold_basis`` (qty x unit cost)."""
    if not matches:
        return _empty({**REALIZED_COLUMNS, "sold_basis": "float64"})
    frame = pd.DataFrame(
        {
            "asset_id": [m.asset_id for m in matches],
            "sell_at": [m.sell_at for m in matches],
            "quantity": [m.quantity for m in matches],
            "buy_price": [m.buy_price for m in matches],
            "sell_price": [m.sell_price for m in matches],
            "realized_pnl": [m.realized_pnl for m in matches],
            "sold_basis": [m.quantity * m.buy_unit_cost for m in matches],
        }
    )
    return frame.astype({"asset_id": "str"})


def _open_lots_frame(book: _Book) -> pd.DataFrame:
    """Aggregate the remaining lots per asset: OPEN_LOT_COLUMNS, sorted by asset_id."""
    rows = [
        (
            asset_id,
            sum(lot.quantity for lot in lots),
            sum(lot.quantity * lot.unit_cost for lot in lots),
        )
        for asset_id, lots in sorted(book.items())
        if lots
    ]
    if not rows:
        return _empty(OPEN_LOT_COLUMNS)
    frame = pd.DataFrame(rows, columns=["asset_id", "quantity", "cost"])
    frame["avg_cost"] = frame["cost"] / frame["quantity"]
    return frame.loc[:, list(OPEN_LOT_COLUMNS)].astype(OPEN_LOT_COLUMNS)


# --------------------------------------------------------------------------- public API


def fifo_realized(fills: pd.DataFrame) -> pd.DataFrame:
    """Realized P&L, one row per (SELL fill, BUY lot) FIFO match, in time order.

    Returns columns ``asset_id`` (str), ``sell_at`` (datetime, the SELL's
    ``filled_at``), ``quantity`` (float, units matched), ``buy_price`` and
    ``sell_price`` (float, the raw fill prices, fees excluded) and
    ``realized_pnl`` (float, ``quantity * (sell net unit price - buy unit
    cost)``, i.e. net of the matched share of both fills' fees).

    Example: buy 10 @ 100, buy 10 @ 110, sell 15 @ 120 (no fees) gives two
    rows: 10 units 100 -> 120 (P&L 200) and 5 units 110 -> 120 (P&L 50).
    """
    matches, _ = _run_fifo(_prepare_fills(fills))
    return _matches_frame(matches).loc[:, list(REALIZED_COLUMNS)]


def open_lots(fills: pd.DataFrame) -> pd.DataFrame:
    """Open position per asset after replaying all fills FIFO.

    Returns columns ``asset_id`` (str), ``quantity`` (float, open units) and
    ``avg_cost`` (float, the remaining lots' unit costs — buy price plus buy
    fees per unit — weighted by their remaining quantity), one row per asset
    with an open quantity, sorted by ``asset_id``.
    """
    _, book = _run_fifo(_prepare_fills(fills))
    return _open_lots_frame(book)


def holdings(fills: pd.DataFrame, last_prices: Mapping[str, float]) -> pd.DataFrame:
    """Open positions marked to ``last_prices`` (asset_id -> price).

    Returns :func:`open_lots` columns plus ``last_price``, ``market_value``
    (``quantity * last_price``) and ``unrealized_pnl`` (``quantity *
    (last_price - avg_cost)``), all float.  Raises ValueError if an open
    asset has no (or a missing) last price.
    """
    return _marked(open_lots(fills), last_prices)


def _marked(lots: pd.DataFrame, last_prices: Mapping[str, float]) -> pd.DataFrame:
    if lots.empty:
        return _empty(HOLDING_COLUMNS)
    last = lots["asset_id"].map(lambda asset_id: last_prices.get(asset_id, np.nan))
    last = last.astype("float64")
    if last.isna().any():
        missing = ", ".join(lots.loc[last.isna(), "asset_id"])
        raise ValueError(f"no last price for open asset(s): {missing}")
    return lots.assign(
        last_price=last,
        market_value=lots["quantity"] * last,
        unrealized_pnl=lots["quantity"] * (last - lots["avg_cost"]),
    ).astype(HOLDING_COLUMNS)


def daily_equity(fills: pd.DataFrame, closes: pd.DataFrame, starting_cash: float) -> pd.DataFrame:
    """Daily account curve: cash plus open positions marked to the close.

    ``closes`` has columns ``date``, ``asset_id`` and ``close`` (the last row
    wins if an asset has several bars on one day).  The calendar is every day
    with a close or a fill.  Fills apply at the end of their day; positions are
    marked to that day's close, carrying an asset's last close forward over
    days without a bar (e.g. weekends for equities held with crypto).
    Timestamps are bucketed by calendar date (tz-aware ones in UTC).  Raises
    ValueError if an open position has no close on or before a day.

    Returns columns ``date`` (datetime64, midnight), ``cash``,
    ``market_value``, ``equity`` (``cash + market_value``),
    ``realized_pnl_cum`` (FIFO, since the first fill), ``unrealized_pnl``
    (market value minus the open lots' cost basis) and ``daily_pnl`` (equity
    change; the first day's is versus ``starting_cash``), all float.
    ``equity - starting_cash == realized_pnl_cum + unrealized_pnl`` every day.
    """
    prepared = _prepare_fills(fills)
    matches, _ = _run_fifo(prepared)
    return _equity_curve(prepared, _matches_frame(matches), closes, starting_cash)


def _equity_curve(
    prepared: pd.DataFrame, matches: pd.DataFrame, closes: pd.DataFrame, starting_cash: float
) -> pd.DataFrame:
    prices = _close_matrix(closes)
    days = pd.DatetimeIndex(_to_day(prepared["filled_at"]).unique()).union(prices.index)
    if days.empty:
        return _empty(DAILY_EQUITY_COLUMNS)
    flows = _daily_flows(prepared, matches)
    cumulative = flows.reindex(days, fill_value=0.0).cumsum()
    market_value = _market_value(_positions(prepared, days), prices.reindex(days).ffill())
    return _equity_frame(cumulative, market_value, float(starting_cash))


def fifo_book(
    fills: pd.DataFrame,
    closes: pd.DataFrame,
    last_prices: Mapping[str, float],
    starting_cash: float,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(holdings(fills, last_prices), fifo_realized(fills), daily_equity(fills, closes,
    starting_cash)) from one FIFO replay of the fills instead of three."""
    prepared = _prepare_fills(fills)
    matches, book = _run_fifo(prepared)
    realized = _matches_frame(matches)
    return (
        _marked(_open_lots_frame(book), last_prices),
        realized.loc[:, list(REALIZED_COLUMNS)],
        _equity_curve(prepared, realized, closes, starting_cash),
    )


def signal_outcomes(orders: pd.DataFrame) -> pd.DataFrame:
    """Score each signal's order by the return it would have earned.

    ``orders`` needs columns ``side`` ('BUY' | 'SELL', case-insensitive),
    ``entry_price`` and ``exit_price`` (float > 0, exit may be missing for an
    open order); other columns (e.g. ``signal_id``, ``confidence``) are kept.
    Returns a copy with two columns added:

    * ``outcome_return`` (float): for BUY ``exit / entry - 1``; for SELL
      ``entry / exit - 1`` — the gain in units of the asset from selling at
      entry and buying back at exit.  E.g. SELL 100 -> 80 gives +0.25, BUY
      100 -> 110 gives +0.10.  NaN when a price is missing.
    * ``win`` (nullable ``boolean``): ``outcome_return > 0`` (a 0 return is not
      a win); ``<NA>`` when ``outcome_return`` is NaN, so ``win.mean()`` is
      the hit rate of closed orders.
    """
    if orders.empty:
        return orders.assign(**{c: pd.Series(dtype=t) for c, t in _OUTCOME_COLUMNS.items()})
    _require(orders, ("side", "entry_price", "exit_price"), "orders")
    side = orders["side"].astype(str).str.strip().str.upper()
    entry, exit_ = orders["entry_price"].astype("float64"), orders["exit_price"].astype("float64")
    _check_orders(side, entry, exit_)
    ratio = (exit_ / entry).where(side == "BUY", entry / exit_)
    outcome = ratio - 1
    win = (outcome > 0).astype("boolean").mask(outcome.isna())
    return orders.assign(outcome_return=outcome, win=win)


# --------------------------------------------------------------------------- daily_equity parts


def _check_orders(side: pd.Series, entry: pd.Series, exit_: pd.Series) -> None:
    """Raise ValueError for an unknown side or a non-positive price."""
    unknown = ~side.isin(["BUY", "SELL"])
    if unknown.any():
        raise ValueError(f"order side must be 'BUY' or 'SELL', got {side[unknown].iloc[0]!r}")
    for name, prices in (("entry_price", entry), ("exit_price", exit_)):
        if (prices <= 0).any():
            raise ValueError(f"{name} must be > 0, got {prices[prices <= 0].iloc[0]}")


def _to_day(timestamps: pd.Series) -> pd.Series:
    """Calendar day (naive midnight, ns) of each timestamp; tz-aware ones taken in UTC."""
    stamps = pd.to_datetime(timestamps)
    if stamps.dt.tz is not None:
        stamps = stamps.dt.tz_convert("UTC").dt.tz_localize(None)
    return stamps.dt.normalize().dt.as_unit("ns")


def _close_matrix(closes: pd.DataFrame) -> pd.DataFrame:
    """Closes pivoted to a day x asset_id matrix (last bar of a day wins)."""
    if closes.empty:
        return pd.DataFrame(index=pd.DatetimeIndex([], dtype="datetime64[ns]"), dtype="float64")
    _require(closes, ("date", "asset_id", "close"), "closes")
    bars = pd.DataFrame(
        {
            "day": _to_day(closes["date"]),
            "asset_id": closes["asset_id"].astype(str),
            "close": closes["close"].astype("float64"),
        }
    ).drop_duplicates(subset=["day", "asset_id"], keep="last")
    return bars.pivot(index="day", columns="asset_id", values="close").sort_index()


def _daily_flows(fills: pd.DataFrame, matches: pd.DataFrame) -> pd.DataFrame:
    """Per-day sums of cash flow, buy cost, sold cost basis and realized P&L."""
    gross = fills["quantity"] * fills["price"]
    is_buy = fills["side"] == "BUY"
    per_fill = pd.DataFrame(
        {
            "day": _to_day(fills["filled_at"]),
            "cash": (-gross - fills["fees"]).where(is_buy, gross - fills["fees"]),
            "bought": (gross + fills["fees"]).where(is_buy, 0.0),
        }
    )
    per_match = pd.DataFrame(
        {
            "day": _to_day(matches["sell_at"]),
            "sold_basis": matches["sold_basis"],
            "realized": matches["realized_pnl"],
        }
    )
    flows = pd.concat([per_fill, per_match], ignore_index=True).fillna(0.0)
    return flows.groupby("day").sum().reindex(columns=["cash", "bought", "sold_basis", "realized"])


def _positions(fills: pd.DataFrame, days: pd.DatetimeIndex) -> pd.DataFrame:
    """End-of-day open quantity, day x asset_id (near-zero residues set to 0)."""
    if fills.empty:
        return pd.DataFrame(index=days, dtype="float64")
    signed = fills["quantity"].where(fills["side"] == "BUY", -fills["quantity"])
    per_day = pd.DataFrame(
        {"day": _to_day(fills["filled_at"]), "asset_id": fills["asset_id"], "qty": signed}
    ).pivot_table(index="day", columns="asset_id", values="qty", aggfunc="sum", fill_value=0.0)
    positions = per_day.reindex(days, fill_value=0.0).cumsum()
    tolerance = _REL_TOL * max(1.0, float(fills["quantity"].max()))
    return positions.mask(positions.abs() <= tolerance, 0.0)


def _market_value(positions: pd.DataFrame, marks: pd.DataFrame) -> pd.Series:
    """Sum over assets of position x carried-forward close; raise if a held asset has no mark."""
    marks = marks.reindex(index=positions.index, columns=positions.columns)
    unmarked = (positions != 0) & marks.isna()
    if unmarked.to_numpy().any():
        day, asset_id = unmarked.stack().loc[lambda held: held].index[0]
        raise ValueError(f"no close for open asset {asset_id!r} on or before {day.date()}")
    return (positions * marks.fillna(0.0)).sum(axis=1)


def _equity_frame(cumulative: pd.DataFrame, market_value: pd.Series, start: float) -> pd.DataFrame:
    """Assemble DAILY_EQUITY_COLUMNS from cumulative flows and the daily market value."""
    cash = start + cumulative["cash"]
    equity = cash + market_value
    open_basis = cumulative["bought"] - cumulative["sold_basis"]
    frame = pd.DataFrame(
        {
            "date": cumulative.index,
            "cash": cash.to_numpy(),
            "market_value": market_value.to_numpy(),
            "equity": equity.to_numpy(),
            "realized_pnl_cum": cumulative["realized"].to_numpy(),
            "unrealized_pnl": (market_value - open_basis).to_numpy(),
            "daily_pnl": equity.diff().fillna(equity.iloc[0] - start).to_numpy(),
        }
    )
    return frame.astype(DAILY_EQUITY_COLUMNS)
