"""Portfolio P&L: FIFO holdings and realized P&L from fills, equity marked to price bars,
and the orders with the signals that produced them."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from regime_dashboard.charts.portfolio import confidence_outcome_figure, equity_pnl_figure
from regime_dashboard.services import portfolio as svc
from regime_dashboard.session import page_viewer
from regime_dashboard.thinning import LINE_POINTS
from regime_dashboard.ui import BIND, Latest, plain, range_picker, share_column, show_table
from regime_dashboard.ui.cards import card_row, kpi
from regime_dashboard.ui.pickers import pick_portfolio

MONEY = st.column_config.NumberColumn(format="dollar")
QTY = st.column_config.NumberColumn(format="localized")
STATUSES = ["PENDING", "OPEN", "COMPLETE", "CANCELLED", "REJECTED"]
CARDS = {
    "equity": "Equity",
    "cash": "Cash",
    "market_value": "Market value",
    "realized": "Realized P&L (FIFO)",
    "unrealized": "Unrealized P&L",
    "total_pnl": "Total P&L",
}
CARDS_TOP = ("equity", "cash", "market_value", "total_pnl")  # 4 + 2: two to a row on a phone
CARDS_BELOW = ("realized", "unrealized")


st.title("Portfolio P&L")
viewer = page_viewer("analyst")
book, cols = pick_portfolio(
    viewer,
    3,
    nothing_yet="No portfolios yet. Run `regime-dashboard seed --scale small` for demo data.",
)
today = dt.datetime.now(dt.UTC).date()
low = book.first_fill or today - dt.timedelta(days=365)
start, end = range_picker(cols[2], low, today, whole=True)
statuses = st.multiselect("Order status", STATUSES, placeholder="All", key="status", bind=BIND)

with st.spinner("Replaying fills…"):
    view = svc.load_portfolio_view(viewer, book.portfolio_id, start, end, tuple(statuses))
st.caption(
    f"{plain(book.name)} · {book.currency} · starting cash ${book.starting_cash:,.2f}. "
    "Cost basis is **FIFO** (first in, first out) everywhere on this page: each sale closes "
    f"the oldest open lots first. Positions and P&L as of {end}."
)
t = view.totals
since = (start - dt.timedelta(days=1)).isoformat()  # end of the previous period as long
for keys in (CARDS_TOP, CARDS_BELOW):  # where the book stands, then its P&L split
    for where, key in zip(card_row(len(keys)), keys, strict=True):
        kpi(where, CARDS[key], t[key], "usd", previous=view.previous[key], since=since,
            series=view.trend[key])  # fmt: skip

st.subheader("Holdings")
held = view.holdings.set_axis(
    ["Asset", "Quantity", "Average cost", "Last price", "Market value", "Unrealized P&L"], axis=1
)
show_table(held, "holdings", Quantity=QTY, **dict.fromkeys(held.columns[2:], MONEY))

st.subheader("Equity and daily P&L")
if view.curve.empty:
    st.info("No fills up to this date, so no equity curve yet: move the end date later.")
else:
    st.plotly_chart(equity_pnl_figure(view.equity, view.daily_pnl, t["starting_cash"], book.name))
    if view.downsampled:
        st.caption(f"Long range: lines thinned to {LINE_POINTS:,} points (MinMax-LTTB).")
    show_table(view.curve, "daily_equity", latest=Latest("date", what="by day"))

st.subheader("Realized P&L (FIFO) from sales in the range")
show_table(view.realized, "realized_pnl", latest=Latest("sell_at", what="by sale time"))

st.subheader("Orders and their signals")
show_table(  # formats: ui/columns
    view.orders,
    "orders",
    list(svc.ORDER_TABLE),
    Latest("order_timestamp", what="by time placed"),
    **svc.ORDER_TABLE,
)
st.plotly_chart(confidence_outcome_figure(view.outcomes, svc.HORIZON))
bands = view.bands.set_axis(
    ["From", "To", "Signals", "Scored", "Wins", "Hit rate", "Mean outcome"], axis=1
)
show_table(
    bands,
    "confidence_bands",
    **dict.fromkeys(["From", "To", "Hit rate", "Mean outcome"], share_column()),
)
with st.expander("What these numbers mean"):
    st.markdown(
        "- **Cards**: each value as of the end date; the change is against the end of the "
        "previous period of the same length (the day before the range starts), and the line "
        "is the value day by day over the range.\n"
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
