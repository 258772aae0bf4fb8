"""The tables of the leadership pages: headings and formats from `ui/columns.py` (the one
place for every page), the leadership columns it does not name in LABELS; shares as
"12.3 %" (the cards' style) and signed money as "−$800.00" (text columns made by
`readable`), a missing value "—", internal columns (ids) not shown. The CSV export keeps
the raw columns."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import pandas as pd
import streamlit as st

from . import columns
from .formats import MINUS
from .tables import csv_download, format_money, format_share

__all__ = [
    "CHURN_SHARES",
    "LABELS",
    "MOVEMENT_MONEY",
    "clicked_point",
    "label_of",
    "readable",
    "share_text",
    "show",
    "usage_percent",
    "usage_texts",
]

_number = st.column_config.NumberColumn
_day = st.column_config.DateColumn
_when = st.column_config.DatetimeColumn

LABELS: dict[str, Any] = {
    "tenant_name": "Tenant",
    "plan_id": "Plan",
    "currency": "Currency",
    "status": "Status",
    "metric": "Metric",
    "kind": "Kind",
    "error": st.column_config.TextColumn("Error", width="large"),
    "kinds": "Kinds",
    "movement": "Movement",
    "opening_mrr": _number("Opening MRR ($)", format="dollar"),
    "closing_mrr": _number("Closing MRR ($)", format="dollar"),
    "arr": _number("ARR ($)", format="dollar"),
    "mrr_before": _number("MRR before ($)", format="dollar"),
    "mrr_after": _number("MRR after ($)", format="dollar"),
    "billed": _number("Billed ($)", format="dollar"),
    "collected": _number("Collected ($)", format="dollar"),
    "failed": _number("Failed ($)", format="dollar"),
    "revenue_usd": _number("Revenue ($)", format="dollar"),
    "cost_usd": _number("Cost ($)", format="dollar"),
    "mrr_usd": _number("MRR ($)", format="dollar"),
    "amount_usd": _number("Amount ($)", format="dollar"),
    "mrr_native": _number("MRR (own currency)", format="%,.2f"),
    "amount": _number("Amount (own currency, excl. tax)", format="%,.2f"),
    "total": _number("Total (own currency, incl. tax)", format="%,.2f"),
    "price": _number("Price (own currency)", format="%,.2f"),
    "failed_payment": _number("Failed payment (own currency, incl. tax)", format="%,.2f"),
    "rate": _number("USD per unit", format="%.4f"),
    "usd_per_unit": _number("USD per unit", format="%.4f"),
    "closing_customers": _number("Customers"),
    "subscriptions": _number("Subscriptions"),
    "payments": _number("Payments"),
    "failed_payments": _number("Failed payments"),
    "runs": _number("Runs", format="localized"),
    "finished": _number("Finished runs", format="localized"),
    "failures": _number("Failures", format="localized"),
    "tenants": _number("Tenants"),
    "tokens_input": _number("Tokens in", format="localized"),
    "tokens_output": _number("Tokens out", format="localized"),
    "compute_seconds": _number("Compute (s)", format="localized"),
    "used": _number("Used", format="localized"),
    "limit_value": _number("Limit", format="localized"),
    "limit_source": "Limit from",
    "projected": _number("Projected at month end", format="localized"),
    "crosses_on": _day("Reaches the limit on", format=columns.DATE_FORMAT),
    "quantity": _number("Used that day", format="localized"),
    "cumulative": _number("Month to date", format="localized"),
    "days_overdue": _number("Days overdue"),
    "past_due_since": _when("Past due since (UTC)", format=columns.DATETIME_FORMAT),
    "current_period_end": _when("Period ends (UTC)", format=columns.DATETIME_FORMAT),
    "paid_later": st.column_config.CheckboxColumn("Paid later"),
    "reconciles": st.column_config.CheckboxColumn("Reconciles"),
    "due": "Due",
    "billing_cycle": "Billing cycle",
    "started": _number("Trials started"),
    "ended": _number("Trials ended"),
    "converted": _number("Converted"),
    "active": _number("Active"),
    "trialing": _number("Trialing"),
    "past_due": _number("Past due"),
    "canceled": _number("Canceled (all)"),
    "canceled_in_month": _number("Canceled in month"),
    **{
        f"{s}_{q}_s": _number(f"{s.title()} {q} (s)", format="%.1f")
        for s in ("queue", "run")
        for q in ("p50", "p95")
    },
}


MOVEMENT_MONEY = {m: f"{m.title()} ($)" for m in ("new", "expansion", "reactivation",
                  "contraction", "churn")}  # fmt: skip
CHURN_SHARES = {
    "customer_churn_rate": "Customer churn",
    "gross_revenue_churn_rate": "Gross revenue churn",
    "net_revenue_churn_rate": "Net revenue churn",
}


def label_of(column: str, values: pd.Series | None = None) -> Any:
    """The column's config: ui/columns.py's when it names the column, else LABELS', else
    its name in words ("days_overdue" -> "Days overdue")."""
    if column in columns.COLUMNS or column not in LABELS:
        return columns.config_for(column, values)
    return LABELS[column]


def share_text(share: float | None) -> str:
    """12.3 % / −2.7 % / — (one percentage style on every leadership page)."""
    if share is None or not math.isfinite(float(share)):
        return "—"
    return format_share(share).replace("-", MINUS)


def clicked_point(event: Any, key: str) -> dict | None:
    """The point a viewer just clicked in a chart drawn with `on_select="rerun"` (its
    selection `event`), once: None when nothing is selected or the same point was
    already handled (so a picker the viewer changed afterwards keeps its value)."""
    points = list(getattr(getattr(event, "selection", None), "points", None) or [])
    point = dict(points[0]) if points else None
    seen = f"_clicked_{key}"
    if point is None or st.session_state.get(seen) == point:
        return None
    st.session_state[seen] = point
    return point


def usage_texts(rows: pd.DataFrame) -> pd.DataFrame:
    """Usage rows with pct_used_text, projected_pct_text ("blocked (limit 0)" for a zero
    limit, "—" without one) and state_text ("Blocked" for a zero limit)."""
    limits = rows["limit_value"]

    def texts(shares: pd.Series) -> list[str]:
        return [usage_percent(v, lim) for v, lim in zip(shares, limits, strict=True)]

    return rows.assign(
        pct_used_text=texts(rows["pct_used"]),
        projected_pct_text=texts(rows["projected_pct"]),
        state_text=rows["state"].str.capitalize().mask(limits == 0, "Blocked"),
    )


USAGE_SWAP = {c: f"{c}_text" for c in ("pct_used", "projected_pct", "state")}


def usage_percent(share: float | None, limit: float | None) -> str:
    """A share of a limit: "blocked" for a zero limit, "—" without a limit, else 12.3 %."""
    if limit is not None and limit == 0:
        return "blocked (limit 0)"
    return format_share(share)


def readable(
    frame: pd.DataFrame, shares: dict[str, str] | None = None, money: dict[str, str] | None = None
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """`frame` with text copies of its share columns ({column: label}, "12.3 %") and signed
    money columns ({column: label}, "−$800.00"), named `<column>_text`; and their labels."""
    texts: dict[str, Any] = {}
    copies: dict[str, pd.Series] = {}
    for named, render in ((shares or {}, share_text), (money or {}, format_money)):
        for column, label in named.items():
            copies[f"{column}_text"] = frame[column].map(render).astype(object)
            texts[f"{column}_text"] = st.column_config.TextColumn(label, alignment="right")
    return frame.assign(**copies), texts


def show(
    frame: pd.DataFrame,
    file_name: str,
    shown: Sequence[str],
    *,
    shares: dict[str, str] | None = None,
    money: dict[str, str] | None = None,
    swap: dict[str, str] | None = None,
    **labels: Any,
) -> pd.DataFrame:
    """The table of the `shown` columns of `frame`, headed by their labels (LABELS, or
    `labels` for this table), shares and signed money as text (`readable`: a shown share
    or money column is replaced by its text), stored identifiers as words in a copy
    (`past_due` -> Past due, ui/columns.with_value_labels: `<column>_words`, the raw column
    kept for lookups), and its CSV export of the raw `shown` columns; `swap` shows another
    column of `frame` in a raw column's place (its text). Returns the frame given to the
    table."""
    display, texts = readable(frame, shares, money)
    swapped = {c: f"{c}_text" for c in (*(shares or {}), *(money or {}))} | (swap or {})
    named = [c for c in shown if c in columns.VALUES and c not in swapped]
    words = columns.with_value_labels(frame[named])
    display = display.assign(**{f"{c}_words": words[c] for c in named})
    swapped |= {c: f"{c}_words" for c in named}
    order = [swapped.get(c, c) for c in shown]
    config = {c: labels.get(c, label_of(c, display[c])) for c in order if c not in texts}
    config |= {f"{c}_words": labels.get(c, label_of(c, frame[c])) for c in named}
    st.dataframe(
        display,
        hide_index=True,
        column_config={**config, **texts},
        column_order=order,
        placeholder="—",
    )
    csv_download(frame[list(shown)], file_name)
    return display
