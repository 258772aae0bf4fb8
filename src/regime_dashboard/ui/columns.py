"""Column headings and formats of every table, in one place.

`COLUMNS` maps a raw column name (`realized_pnl_cum`) to its heading with unit
(`Realized P&L, cumulative ($)`) and a kind that fixes its Streamlit column type and format:
money in dollars (Streamlit's "dollar" format, the browser's Intl currency format: in
en-US `-$800.00`, a hyphen-minus before the symbol; the values stay numbers, so the column
sorts; text columns with a true minus sign are `ui/leadership.readable`'s), shares as
percentages in the one percentage style of cards and tables ("57.3 %": `in_percent` shows
the share ×100 with PERCENT_FORMAT, still a number so the column sorts; CSVs keep 0.573),
days as `YYYY-MM-DD`, times as `YYYY-MM-DD HH:mm` (UTC, no seconds or offset). `HIDDEN`
names the internal columns (UUIDs, row versions) a table never shows.
`ui/tables.show_table` applies both to every table, so a page only names what differs; a
page's own keyword config for a column wins over the entry here. `VALUES` names the
columns whose stored values are identifiers (`realized_vol`, `api_calls`, `paper_trade`)
and how each reads, from the one vocabulary of each (engine_fields, metered, labels);
`with_value_labels` and `limit_texts` apply them."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

import pandas as pd
import streamlit as st

from ..engine_fields import field_label
from ..labels import regime_label, value_label
from ..metered import metric_label, quantity_text

__all__ = [
    "COLUMNS",
    "DATETIME_FORMAT",
    "DATE_FORMAT",
    "HIDDEN",
    "PERCENT_FORMAT",
    "VALUES",
    "Heading",
    "column_config",
    "config_for",
    "in_percent",
    "label_of",
    "limit_texts",
    "with_value_labels",
]

Kind = Literal[
    "text", "usd", "cents", "number", "count", "share", "date", "datetime", "month", "seconds",
    "flag",
]  # fmt: skip
DATE_FORMAT = "YYYY-MM-DD"
DATETIME_FORMAT = "YYYY-MM-DD HH:mm"
PERCENT_FORMAT = "%.1f %%"  # of a share ×100: 0.5734 reads "57.3 %", as on the cards
_RAW = re.compile(r"[a-z][a-z0-9]*(_[a-z0-9]+)*")  # a raw column name: `realized_pnl_cum`


@dataclass(frozen=True)
class Heading:
    """A column's heading (with its unit) and kind (how its values are shown)."""

    label: str
    kind: Kind = "text"


def _h(label: str, kind: Kind = "text") -> Heading:
    return Heading(label, kind)


COLUMNS: dict[str, Heading] = {
    # identities and names
    "asset_id": _h("Asset"),
    "asset_name": _h("Asset name"),
    "asset_class": _h("Asset class"),
    "tenant_name": _h("Tenant"),
    "plan_id": _h("Plan"),
    "plan_name": _h("Plan"),
    "name": _h("Name"),
    "version": _h("Version"),
    "status": _h("Status"),
    "side": _h("Side"),
    "regime": _h("Regime"),
    "field": _h("Field"),
    "env": _h("Environment"),
    "git_commit": _h("Git commit"),
    "stored_sha256": _h("Stored SHA-256"),
    "recomputed_sha256": _h("Recomputed SHA-256"),
    "data_sha256": _h("Data SHA-256"),
    "signal_type": _h("Signal"),
    "order_type": _h("Order type"),
    "user_email": _h("User"),
    "error": _h("Error"),
    # dates and times
    "date": _h("Date", "date"),
    "day": _h("Day", "date"),
    "as_of": _h("As of", "date"),
    "month": _h("Month", "month"),
    "month_start": _h("Month", "month"),
    "release_date": _h("Release date", "date"),
    "first_date": _h("First output", "date"),
    "last_date": _h("Last output", "date"),
    "first_fill": _h("First fill", "date"),
    "last_fill": _h("Last fill", "date"),
    "exit_date": _h("Exit date", "date"),
    "sell_at": _h("Sold (UTC)", "datetime"),
    "filled_at": _h("Filled at (UTC)", "datetime"),
    "order_timestamp": _h("Placed (UTC)", "datetime"),
    "generated_at": _h("Signal at (UTC)", "datetime"),
    "created_at": _h("Created (UTC)", "datetime"),
    "updated_at": _h("Updated (UTC)", "datetime"),
    "occurred_at": _h("When (UTC)", "datetime"),
    "started_at": _h("Started (UTC)", "datetime"),
    "billed_at": _h("Billed (UTC)", "datetime"),
    "last_seen": _h("Last seen (UTC)", "datetime"),
    # money
    "cash": _h("Cash ($)", "usd"),
    "equity": _h("Equity ($)", "usd"),
    "market_value": _h("Market value ($)", "usd"),
    "starting_cash": _h("Starting cash ($)", "usd"),
    "avg_cost": _h("Average cost ($)", "usd"),
    "last_price": _h("Last price ($)", "usd"),
    "buy_price": _h("Buy price ($)", "usd"),
    "sell_price": _h("Sell price ($)", "usd"),
    "average_price": _h("Fill price ($)", "usd"),
    "entry_price": _h("Entry ($)", "usd"),
    "exit_price": _h("Exit ($)", "usd"),
    "fees": _h("Fees ($)", "usd"),
    "price": _h("Price ($)", "usd"),
    "close": _h("Close ($)", "usd"),
    "realized_pnl": _h("Realized P&L ($)", "usd"),
    "realized_pnl_cum": _h("Realized P&L, cumulative ($)", "usd"),
    "unrealized_pnl": _h("Unrealized P&L ($)", "usd"),
    "daily_pnl": _h("Daily P&L ($)", "usd"),
    "total_pnl": _h("Total P&L ($)", "usd"),
    "mrr_usd": _h("MRR ($)", "usd"),
    "cost_usd": _h("Cost ($)", "usd"),
    "revenue_usd": _h("Revenue ($)", "usd"),
    "margin_usd": _h("Margin ($)", "usd"),
    "amount_usd": _h("Amount ($)", "usd"),
    "mrr_usd_cents": _h("MRR ($)", "cents"),
    "price_cents": _h("Price ($)", "cents"),
    # quantities and counts
    "quantity": _h("Quantity", "number"),
    "filled_quantity": _h("Filled", "number"),
    "bars": _h("Bars", "count"),
    "days": _h("Days", "count"),
    "signals": _h("Signals", "count"),
    "scored": _h("Scored", "count"),
    "wins": _h("Wins", "count"),
    "runs": _h("Runs", "count"),
    "fills": _h("Fills", "count"),
    "days_compared": _h("Days compared", "count"),
    "days_differing": _h("Days differing", "count"),
    "limit_value": _h("Limit", "count"),
    "tokens_input": _h("Tokens in", "count"),
    "tokens_output": _h("Tokens out", "count"),
    "max_abs_diff": _h("Largest |A − B|", "number"),
    "mean_abs_diff": _h("Mean |A − B|", "number"),
    # shares (0.25 is 25 %)
    "confidence": _h("Confidence", "share"),
    "confidence_score": _h("Confidence", "share"),
    "outcome_return": _h("Outcome", "share"),
    "hit_rate": _h("Hit rate", "share"),
    "win_rate": _h("Win rate", "share"),
    "mean_outcome": _h("Mean outcome", "share"),
    "band_low": _h("Confidence from", "share"),
    "band_high": _h("Confidence to", "share"),
    "share_differing": _h("Share differing", "share"),
    "share_of_time": _h("Share of time", "share"),
    "total_return": _h("Total return", "share"),
    "max_drawdown": _h("Max drawdown", "share"),
    "gross_margin": _h("Gross margin", "share"),
    "failure_rate": _h("Failure rate", "share"),
    "pct_used": _h("Used", "share"),
    # durations
    "compute_seconds": _h("Compute (s)", "seconds"),
    "duration_s": _h("Duration (s)", "seconds"),
    "queue_p50_s": _h("Queue p50 (s)", "seconds"),
    "queue_p95_s": _h("Queue p95 (s)", "seconds"),
    "run_p50_s": _h("Run p50 (s)", "seconds"),
    "run_p95_s": _h("Run p95 (s)", "seconds"),
    # flags
    "win": _h("Win", "flag"),
    "is_active": _h("Active", "flag"),
    "past_due": _h("Past due", "flag"),
}

# internal columns a table never shows (they stay in the frame and its CSV export)
HIDDEN = frozenset(
    {
        "id",
        "row_version",
        "order_id",
        "signal_id",
        "portfolio_id",
        "tenant_id",
        "release_id",
        "subscription_id",
        "notification_id",
        "user_id",
        "sold_basis",
    }
)


def _each(label: Callable[[object], str]) -> Callable[[object], str]:
    """A label of a comma-separated list of values ("backtest, paper_trade")."""
    return lambda text: ", ".join(label(v.strip()) for v in str(text).split(","))


# columns whose values are stored identifiers -> how one value reads
VALUES: dict[str, Callable[[object], str]] = {
    "field": field_label,  # an engine output field: `realized_vol` -> Realized volatility
    "metric": metric_label,  # a metered metric: `api_calls` -> API calls
    "usage_metric": metric_label,
    "kind": value_label,  # a run kind: `paper_trade` -> Paper trade
    "kinds": _each(value_label),
    "status": value_label,  # `past_due` -> Past due
    "subscription_status": value_label,
    "event_type": value_label,
    "billing_cycle": value_label,
    "role": value_label,
    "regime": regime_label,  # `bear` -> Bear, as the charts' legends name it
    "Regime": regime_label,  # the same column, headed by a page before it is shown
    "plan_id": value_label,  # `pro` -> Pro, as the plans' names read
    "movement": value_label,  # an MRR movement: `expansion` -> Expansion
}


def with_value_labels(frame: pd.DataFrame, only: tuple[str, ...] | None = None) -> pd.DataFrame:
    """`frame` with the text values of its VALUES columns (or of `only` of them) as their
    labels; missing values stay missing, other columns and numbers are untouched."""
    named = [c for c in frame.columns if c in VALUES and (only is None or c in only)]
    texts = [c for c in named if not pd.api.types.is_numeric_dtype(frame[c])]
    return frame.assign(
        **{c: frame[c].map(VALUES[c], na_action="ignore").astype(object) for c in texts}
    )


def _is_limit(column: object) -> bool:
    return column in ("limit", "limit_value") or str(column).endswith("_limit")


def limit_texts(frame: pd.DataFrame) -> pd.DataFrame:
    """`frame` (one `metric` per row) as read: its limit columns (`limit`, `limit_value`,
    `*_limit`) as quantities with the metric's unit ("100,000 calls/month"; missing:
    "unlimited"), and "—" where a `has_<name>` flag beside `<name>_limit` is false (no such
    limit); its `*_share` columns as "12.3 %" ("—" when missing); its VALUES columns by
    their labels."""
    from .tables import format_share  # tables imports this module

    def texts(column: str) -> pd.Series:
        pairs = zip(frame["metric"], frame[column], strict=True)
        shown = [quantity_text(m, None if pd.isna(v) else int(v)) for m, v in pairs]
        flag = f"has_{column.removesuffix('_limit')}"
        present = frame[flag].astype(bool) if flag in frame else pd.Series(True, frame.index)
        return pd.Series(shown, index=frame.index, dtype=object).where(present, "—")

    shares = [c for c in frame.columns if str(c).endswith("_share")]
    return with_value_labels(frame).assign(
        **{c: texts(c) for c in frame.columns if _is_limit(c)},
        **{c: frame[c].map(format_share).astype(object) for c in shares},
    )


def label_of(column: str) -> str:
    """The heading of `column`: its entry's label, else the name in sentence case
    (`first_seen_at` → `First seen at`)."""
    if column in COLUMNS:
        return COLUMNS[column].label
    if not _RAW.fullmatch(str(column)):
        return str(column)
    text = str(column).replace("_", " ").strip()
    return text[:1].upper() + text[1:]


def _typed(label: str, kind: Kind) -> dict[str, Any]:
    """The Streamlit column config of a `kind` column headed `label`."""
    number = st.column_config.NumberColumn
    configs: dict[str, Any] = {
        "usd": lambda: number(label, format="dollar"),
        "cents": lambda: number(label, format="dollar"),
        "number": lambda: number(label, format="localized"),
        "count": lambda: number(label, format="localized"),
        "share": lambda: number(label, format=PERCENT_FORMAT),
        "seconds": lambda: number(label, format="%.1f s"),
        "date": lambda: st.column_config.DateColumn(label, format=DATE_FORMAT),
        "month": lambda: st.column_config.DateColumn(label, format="MMM YYYY"),
        "datetime": lambda: st.column_config.DatetimeColumn(label, format=DATETIME_FORMAT),
        "flag": lambda: st.column_config.CheckboxColumn(label),
    }
    return dict(configs[kind]()) if kind in configs else dict(st.column_config.Column(label))


def _by_values(column: str, values: pd.Series) -> Kind:
    """The kind of a column without an entry, from its values: dates and times get the
    one date style (midnight-only timestamps are days)."""
    if pd.api.types.is_datetime64_any_dtype(values):
        stamps = values.dropna()
        if stamps.dt.tz is not None:
            stamps = stamps.dt.tz_convert("UTC")
        midnight = bool((stamps == stamps.dt.normalize()).all())
        return "date" if midnight else "datetime"
    return "text"


def config_for(column: str, values: pd.Series | None = None) -> dict[str, Any] | None:
    """The default column config of `column` (None: hidden)."""
    if column in HIDDEN:
        return None
    heading = COLUMNS.get(column)
    kind = heading.kind if heading else ("text" if values is None else _by_values(column, values))
    return _typed(label_of(column), kind)


def _merged(default: dict[str, Any] | None, given: Any) -> Any:
    """A page's config for a column over the default: a string is a heading; a config dict
    keeps the default's heading unless it names one, and its own type when it has one."""
    if given is None or default is None:
        return given
    if isinstance(given, str):
        return {**default, "label": given}
    return {**default, **{k: v for k, v in dict(given).items() if v is not None}}


def column_config(frame: pd.DataFrame, given: dict[str, Any] | None = None) -> dict[str, Any]:
    """The column config of a table of `frame`: every column's default (`config_for`), with
    `given` (column: config or heading, as Streamlit takes them) over it. A column named in
    `given` is shown even if HIDDEN."""
    given = dict(given or {})
    config: dict[str, Any] = {}
    for column in (c for c in frame.columns if isinstance(c, str)):  # ints are positions
        default = config_for(column, frame[column])
        config[column] = _merged(default, given.pop(column)) if column in given else default
    return {**config, **given}


def _is_percent(config: Any) -> bool:
    """Whether a column config shows shares as percentages (ours, or Streamlit's own)."""
    if not isinstance(config, Mapping):
        return False
    typed = config.get("type_config") or {}
    return typed.get("type") == "number" and typed.get("format") in ("percent", PERCENT_FORMAT)


def in_percent(frame: pd.DataFrame, config: dict[str, Any]) -> tuple[pd.DataFrame, dict[str, Any]]:
    """The shown frame and config of a table in the one percentage style: each column whose
    config shows percentages (kind "share", `ui/tables.share_column`, or Streamlit's
    "percent") holds its share ×100 (numbers, so it sorts) with PERCENT_FORMAT: 0.5734 shows
    "57.3 %". Other columns, and `frame` itself (the CSV export), are untouched."""
    shares = [
        c
        for c, given in config.items()
        if c in frame.columns and _is_percent(given) and not pd.api.types.is_bool_dtype(frame[c])
    ]
    scaled = {c: pd.to_numeric(frame[c], errors="coerce") * 100 for c in shares}
    fixed = {
        c: {**given, "type_config": {**given["type_config"], "format": PERCENT_FORMAT}}
        if c in scaled
        else given
        for c, given in config.items()
    }
    return (frame.assign(**scaled) if scaled else frame), fixed
