"""Portfolio P&L: FIFO holdings and realized P&L from fills, equity marked to price bars,
and the orders with the signals that produced them."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from regime_dashboard.charts.portfolio import confidence_outcome_figure, equity_pnl_figure
from regime_dashboard.services import portfolio as svc
from regime_dashboard.session import page_viewer
from regime_dashboard.ui import BIND, date_range, labels_of, pick, plain, table_with_download

MONEY = st.column_config.NumberColumn(format="dollar")
PCT = st.column_config.NumberColumn(format="percent")
QTY = st.column_config.NumberColumn(format="localized")
STATUSES = ["PENDING", "OPEN", "COMPLETE", "CANCELLED", "REJECTED"]


def _table(
    frame: pd.DataFrame, name: str, order: list[str] | None = None, **config: object
) -> None:
    table_with_download(frame, name, config, order)


def _usd(value: float) -> str:
    return f"{'-' if value < 0 else ''}${abs(value):,.2f}"


st.title("Portfolio P&L")
viewer = page_viewer("analyst")
portfolios = svc.visible_portfolios(viewer.scope)
if portfolios.empty:
    st.info("No portfolios yet. Run `regime-dashboard seed --scale small` for demo data.")
    st.stop()

cols = st.columns(3)
tenants = labels_of(portfolios, "tenant_id", "tenant_name")
tenant_id = pick(cols[0], "Tenant", tenants, key="tenant", what="tenant")
of_tenant = portfolios[portfolios["tenant_id"].astype(str) == tenant_id]
names = dict(zip(of_tenant.index, of_tenant["name"], strict=True))
chosen_id = pick(cols[1], "Portfolio", names, key="portfolio", what="portfolio")
book = of_tenant.loc[chosen_id]
today = dt.datetime.now(dt.UTC).date()
low = book["first_fill"] if pd.notna(book["first_fill"]) else today - dt.timedelta(days=365)
start, end = date_range(
    cols[2], "Date range", key="dates", default=(low, today), low=low, high=today
)
statuses = st.multiselect("Order status", STATUSES, placeholder="All", key="status", bind=BIND)

with st.spinner("Replaying fills…"):
    view = svc.load_portfolio_view(
        viewer.scope,
        tenant_id=str(book["tenant_id"]),
        portfolio_id=chosen_id,
        starting_cash=float(book["starting_cash"]),
        start=start,
        end=end,
        statuses=tuple(statuses),
    )
st.caption(
    f"{plain(book['name'])} · {book['currency']} · starting cash ${book['starting_cash']:,.2f}. "
    "Cost basis is **FIFO** (first in, first out) everywhere on this page: each sale closes "
    f"the oldest open lots first. Positions and P&L as of {end}."
)
t = view.totals
cols = st.columns(6)
cols[0].metric("Equity", _usd(t["equity"]))
cols[1].metric("Cash", _usd(t["cash"]))
cols[2].metric("Market value", _usd(t["market_value"]))
cols[3].metric("Realized P&L (FIFO)", _usd(t["realized"]))
cols[4].metric("Unrealized P&L", _usd(t["unrealized"]))
cols[5].metric("Total P&L", _usd(t["total_pnl"]))

st.subheader("Holdings")
held = view.holdings.set_axis(
    ["Asset", "Quantity", "Average cost", "Last price", "Market value", "Unrealized P&L"], axis=1
)
_table(held, "holdings", Quantity=QTY, **dict.fromkeys(held.columns[2:], MONEY))

st.subheader("Equity and daily P&L")
if view.curve.empty:
    st.info("No fills up to this date, so no equity curve yet: move the end date later.")
else:
    st.plotly_chart(
        equity_pnl_figure(view.equity, view.daily_pnl, t["starting_cash"], book["name"])
    )
    if view.downsampled:
        st.caption(f"Long range: lines thinned to {svc.LINE_POINTS:,} points (MinMax-LTTB).")
    _table(view.curve, "daily_equity", **dict.fromkeys(view.curve.columns[1:], MONEY))

st.subheader("Realized P&L (FIFO) from sales in the range")
_table(view.realized, "realized_pnl", buy_price=MONEY, sell_price=MONEY, realized_pnl=MONEY)

st.subheader("Orders and their signals")
formats = {c: "dollar" for c in ("average_price", "fees", "entry_price", "exit_price")}
formats |= {"confidence_score": "percent", "outcome_return": "percent"}
_table(
    view.orders,
    "orders",
    list(svc.ORDER_TABLE),
    **{c: st.column_config.NumberColumn(svc.ORDER_TABLE[c], format=f) for c, f in formats.items()},
    **{c: label for c, label in svc.ORDER_TABLE.items() if c not in formats},
)
st.plotly_chart(confidence_outcome_figure(view.outcomes, svc.HORIZON))
bands = view.bands.set_axis(
    ["From", "To", "Signals", "Scored", "Wins", "Hit rate", "Mean outcome"], axis=1
)
_table(bands, "confidence_bands", **dict.fromkeys(["From", "To", "Hit rate", "Mean outcome"], PCT))
with st.expander("What these numbers mean"):
    st.markdown(
        "- **FIFO**: every sale is matched against the oldest open buy lots of the asset. "
        "Buy fees add to a lot's cost; sell fees reduce the proceeds.\n"
        "- **Average cost**: the open lots' cost per unit (buy price plus buy fees per unit), "
        "weighted by their remaining quantity. **Last price**: the asset's last close on or "
        "before the end date. **Unrealized P&L** = quantity × (last price − average cost).\n"
        "- **Equity** = cash + open positions marked to each day's close (last close carried "
        "over days without a bar); **daily P&L** is its change. Equity − starting cash = "
        "realized + unrealized P&L.\n"
        f"- **Outcome** of a signal: BUY exit / entry − 1, SELL entry / exit − 1, where exit is "
        f"the close {svc.HORIZON} trading days after the signal's day and entry the signal's "
        "entry price. **Hit rate**: share of scored signals with an outcome above zero."
    )
