"""Streamlit pieces the admin pages share: form fields with a slot for the rule each breaks,
the conflict and refusal panels, what an editor loaded (kept across reruns), a message that
survives the rerun after a save, and tables with their CSV export."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

import pandas as pd
import streamlit as st
from pydantic import BaseModel

from ..labels import value_label
from ..metered import METRIC_LABELS, metric_label, quantity_text
from ..services.admin import (
    ConflictError,
    InvalidInputError,
    NotFoundError,
    RevertRefusedError,
    errors_of,
    usage_month,
)
from ..services.admin.diff import readable_diff
from ..session import page_viewer
from ..viewer import Viewer
from .columns import in_percent, with_value_labels
from .params import pick
from .tables import MISSING, csv_download, format_money, share_column, usd_column

__all__ = [
    "LIVE",
    "FieldSlots",
    "admin_page",
    "confirmed",
    "explain",
    "flash",
    "grid",
    "loaded",
    "mapping_text",
    "pick_to_edit",
    "pinned",
    "saved",
    "show_conflict",
    "show_flash",
    "show_refusal",
    "stale_notice",
    "stop_when_empty",
    "table",
    "usage_month_caption",
]

# Text inputs commit while the admin types (after a 250 ms pause), not only when the field
# loses focus: a Save button that is disabled until the form is valid is then enabled by the
# time it is clicked, instead of swallowing the click that takes the focus from the field.
LIVE = True
BLANK_LABELS = {"limit_value": "a limit per month", "reason": "a reason"}
_FLASH = "_admin_flash"
_PINS = "_admin_pins"


class FieldSlots:
    """Form fields, each with a placeholder right under it; `show` fills the placeholders
    with the broken rules, so a message appears next to its field (unknown fields go to the
    form's own slot, `form`). `key` starts the keys of the form's widgets; `run` passes
    `target` (e.g. the viewer and the row's id) first to every service it calls."""

    def __init__(self, key: str = "", *target: Any) -> None:
        self._slots: dict[str, Any] = {}
        self.key, self.target = key, target

    def add(self, *fields: str) -> None:
        for field in fields:
            self._slots[field] = st.empty()

    def text(
        self, field: str, label: str, value: str = "", shown: bool = True, **options: Any
    ) -> Any:
        """A live text input for `field` (widget key: `key`-`field`) and its slot; returns
        the text as typed. Not `shown`: only the slot, and None."""
        key = self.widget(field)
        typed = st.text_input(label, value, key=key, live=LIVE, **options) if shown else None
        self.add(field)
        return typed

    def choice(
        self,
        field: str,
        label: str,
        options: Any,
        index: int | None = 0,
        format_func: Callable[[Any], str] = str,
    ) -> Any:
        """A selectbox for `field` (widget key: `key`-`field`) and its slot, each option
        shown as `format_func` writes it (e.g. `metric_label`: "API calls"); returns the
        option chosen (the raw value, `api_calls`)."""
        chosen = st.selectbox(
            label, options, index, format_func=format_func, key=self.widget(field)
        )
        self.add(field)
        return chosen

    def widget(self, name: str) -> str:
        """The key of the form's widget `name`."""
        return f"{self.key}-{name}"

    def button(self, label: str, name: str, disabled: bool = False) -> bool:
        return st.button(label, key=self.widget(name), disabled=disabled)

    def confirmed(self, label: str, name: str, question: str, disabled: bool = False) -> bool:
        """A destructive action's button, enabled only once the `question` box ("Yes, …")
        is ticked: True when clicked while ticked (else nothing is written)."""
        return confirmed(label, self.widget(name), question, disabled)

    def json(self, field: str, label: str, value: Any, help_text: str) -> str:
        """A text area holding `value` as indented JSON (widget key: `key`-`field`), and its
        slot."""
        text = json.dumps(value, indent=2) if value is not None else "{}"
        typed = st.text_area(label, value=text, height=160, key=self.widget(field), help=help_text)
        self.add(field)
        return typed

    def limits(
        self, field: str, title: str, limits: Mapping[str, Any], units: Mapping[str, str]
    ) -> dict:
        """Under the heading `title`, one field per metric of `units` (label: its unit) in a
        row, each with an "Unlimited" box (ticked when the limit is None), and the slot of
        `field` under the row. Returns metric -> the digits typed, or None for unlimited."""
        st.markdown(f"**{title}**")
        typed: dict[str, Any] = {}
        for column, (metric, unit) in zip(st.columns(len(units)), units.items(), strict=True):
            old = limits.get(metric)
            with column:
                free = st.checkbox("Unlimited", old is None, key=self.widget(f"{metric}-free"))
                value, key = "" if old is None else str(int(old)), self.widget(f"limit-{metric}")
                text = st.text_input(unit.capitalize(), value, key=key, live=LIVE)
                typed[metric] = None if free else text
        self.add(field)
        return typed

    def features(
        self, field: str, title: str, features: Mapping[str, Any], known: Mapping[str, Any]
    ) -> tuple[dict, str | None]:
        """Under the heading `title`, typed fields for the `known` features (bool: a
        toggle; a tuple of texts: a choice; labels: the keys, humanised); a feature the
        stored `features` lack and the admin leaves off stays absent. The other stored keys
        in one JSON text area "Other `title` (JSON)" (only when there are any). Returns (the
        known features, the JSON text or None)."""
        st.markdown(f"**{title}**")
        more = f"Other {title.lower()} (JSON)"
        typed: dict[str, Any] = {}
        columns = st.columns(len(known))
        for column, (key, kind) in zip(columns, known.items(), strict=True):
            label, old = key.replace("_", " ").capitalize(), features.get(key)
            if kind is bool:
                on = column.toggle(label, bool(old), key=self.widget(f"feature-{key}"))
                typed.update({key: on} if on or key in features else {})
                continue
            options = ["—", *kind, *([old] if old is not None and old not in kind else [])]
            at = options.index(old) if old in options else 0
            chosen = column.selectbox(label, options, at, key=self.widget(f"feature-{key}"))
            typed.update({} if chosen == "—" else {key: chosen})
        self.add(field)
        others = {k: v for k, v in features.items() if k not in known}
        return typed, (self.json(f"more_{field}", more, others, more) if others else None)

    def show(self, errors: Mapping[str, str]) -> None:
        for field, message in errors.items():
            slot = self._slots.get(field) or self._slots.get("form")
            (slot.error if slot is not None else st.error)(message, icon=":material/warning:")

    def live_errors(self, model: type[BaseModel], values: Mapping[str, Any]) -> dict[str, str]:
        """Check `values` with `model` as the admin types: the broken rules of fields typed
        in appear under them; fields still blank are named in one caption instead. Returns
        every broken rule (Save stays disabled while there is any)."""
        errors = errors_of(model, values)
        blank = [f for f in errors if isinstance(values.get(f), str) and not values[f].strip()]
        self.show({f: m for f, m in errors.items() if f not in blank})
        if blank:
            needed = " and ".join(BLANK_LABELS.get(f, f.replace("_", " ")) for f in blank)
            st.caption(f"To save, type {needed}.")
        return errors

    def run(self, action: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """Call a service; show its broken rules or conflict instead of raising."""
        try:
            return action(*self.target, *args, **kwargs)
        except InvalidInputError as exc:
            self.show(exc.errors)
        except ConflictError as exc:
            show_conflict(exc)
        except NotFoundError as exc:  # the row is gone: say so, never edit another one
            self.show({"form": str(exc)})
        return None


def confirmed(label: str, key: str, question: str, disabled: bool = False) -> bool:
    """A destructive action's button `key`, enabled only once the `question` box is ticked
    (untick it when the question changes, so a tick for one row never confirms another):
    True when clicked while ticked."""
    box, asked = f"{key}-sure", f"{key}-asked"
    if st.session_state.get(asked) != question:  # ticked for another row: ask again
        st.session_state[box] = False
    st.session_state[asked] = question
    sure = not disabled and st.checkbox(question, key=box)
    return bool(st.button(label, key=key, disabled=not sure) and sure)


def grid(
    frame: pd.DataFrame, name: str, headings: Mapping[str, str], *, key: str, **columns: Any
) -> Any:
    """A searchable, sortable table of `frame` (one row per record, its id the first
    column): a search box (any shown text column contains it, case-insensitive; stored
    values read by their labels, `columns.with_value_labels`: "Past due", "API calls"), the
    table with the `headings` columns (sort by a heading's click; `*_usd_cents` columns in
    dollars, `*_share` ones in the one percentage style "57.3 %", other columns' config as
    keywords by heading) and its CSV export (raw values: `_raw`). Returns the id of the row
    the admin has just selected (one click on a row), None when the selection did not
    change."""
    raw = frame
    cents = [c for c in headings if c.endswith("_usd_cents")]
    shares = [c for c in headings if c.endswith("_share")]
    frame = with_value_labels(frame).assign(**{c: frame[c] / 100 for c in cents})
    kinds = {headings[c]: usd_column(headings[c]) for c in cents}
    columns = kinds | {headings[c]: share_column(headings[c]) for c in shares} | columns
    query = st.text_input(f"Search {name}", key=f"{key}-search", placeholder="Name, plan, status…")
    texts = [c for c in headings if frame[c].dtype == object or str(frame[c].dtype) == "str"]
    hits = frame[texts].astype(str).apply(lambda c: c.str.contains(query, case=False, regex=False))
    found = frame[hits.any(axis=1)] if query.strip() else frame
    shown = found[list(headings)].rename(columns=headings).reset_index(drop=True)
    display, config = in_percent(  # shares ×100 in the one percentage style, as every table
        shown.fillna({h: "—" for c, h in headings.items() if c in texts}), dict(columns)
    )
    event: Any = st.dataframe(
        display,
        hide_index=True,
        column_config=config or None,
        placeholder=MISSING,
        on_select="rerun",
        selection_mode="single-row",
        key=f"{key}-grid",
    )
    st.caption(f"{len(found):,} of {len(frame):,} {name}. Click a row to open it below.")
    csv_download(_raw(raw.loc[found.index], headings, ()), name, label=f"Download {name} (CSV)")
    rows = list(getattr(getattr(event, "selection", None), "rows", None) or [])
    picked = str(found.iloc[rows[0], 0]) if rows and rows[0] < len(found) else None
    if picked == st.session_state.get(f"{key}-picked"):
        return None
    st.session_state[f"{key}-picked"] = picked
    return picked


def stop_when_empty(frame: pd.DataFrame, message: str) -> None:
    """Say `message` and end the run when `frame` has no rows (an empty state)."""
    if frame.empty:
        st.info(message)
        st.stop()


def usage_month_caption() -> None:
    """Which days the Tenants grid's usage counts (`services.admin.usage_month`)."""
    first, last = usage_month()
    st.caption(f"Usage vs limit counts {first:%d} to {last:%d %B %Y} (UTC).")


def _side_by_side(left: tuple[str, Any], right: tuple[str, Any]) -> None:
    for column, (heading, row) in zip(st.columns(2), (left, right), strict=True):
        column.markdown(heading)
        column.json(row or {})


def show_conflict(exc: ConflictError) -> None:
    """Nothing was saved: show what the editor tried and what is saved now, side by side."""
    st.error(
        "Someone saved this row after you opened it, so nothing was saved. Compare both "
        "versions, then reload the page to edit the current one.",
        icon=":material/call_split:",
    )
    now = "deleted" if exc.current is None else f"version {exc.current_version}"
    mine = f"**Your edit** (started from version {exc.expected_version or 'new'})"
    _side_by_side((mine, exc.mine), (f"**Saved now** ({now})", exc.current))
    headings = {"field": "Field", "before": "Saved now", "after": "Yours"}
    diff = readable_diff(exc.current, exc.mine)  # "Price: $49.00 → $50.00", as Audit says it
    st.dataframe(diff.rename(columns=headings), hide_index=True, placeholder=MISSING)


def show_refusal(exc: RevertRefusedError) -> None:
    st.error(str(exc), icon=":material/undo:")
    if exc.current is not None or exc.expected is not None:
        _side_by_side(("**Row as the change left it**", exc.expected), ("**Row now**", exc.current))


def pinned(name: str, fresh: Any) -> Any:
    """What the editor first loaded under `name`, kept across reruns until a save or a
    reload: an edit carries the version it started from, even after someone else saved."""
    pins = st.session_state.setdefault(_PINS, {})
    return pins.setdefault(name, fresh)


def loaded(name: str, fresh: Any, what: str, version: str | None = None) -> Any:
    """What the editor first loaded under `name` (`pinned`), with a notice and a reload
    button when `fresh` (what is saved now) differs from it (in its `version` item, if
    given)."""
    started = pinned(name, fresh)
    if version is None:
        stale_notice(name, started, fresh, what)
    else:
        stale_notice(name, started[version], fresh[version], what)
    return started


def stale_notice(name: str, started: Any, now: Any, what: str) -> None:
    """Say so when the row changed since the editor loaded it, with a reload button."""
    if started == now:
        return
    st.warning(
        f"Someone saved this {what} since you opened it. Saving now shows both versions and "
        "overwrites nothing; reload to edit the current one.",
        icon=":material/sync:",
    )
    if st.button("Reload the current version", key=f"reload-{name}"):
        st.session_state.get(_PINS, {}).pop(name, None)
        st.rerun()


def pick_to_edit(label: str, options: Mapping[str, str], *, key: str, what: str, hint: str) -> str:
    """The row to edit, picked by its label and kept in the URL; until one is picked, the
    page shows `hint` and stops."""
    choice = pick(st, label, options, key=key, default=None, what=what, edit=True)
    if choice is None:
        st.info(hint)
        st.stop()
    return choice


def saved(message: str) -> None:
    """After a save: forget what the editors loaded, say what was saved, run again."""
    st.session_state.pop(_PINS, None)
    flash(message)
    st.rerun()


def admin_page(title: str) -> Viewer:
    """Start an admin page: the signed-in admin (anyone else is stopped), the title and the
    message of the last save."""
    viewer = page_viewer("admin")
    st.title(title)
    show_flash()
    return viewer


def explain(markdown: str) -> None:
    """What the page's numbers mean, folded away under the page."""
    with st.expander("What these numbers mean"):
        st.markdown(markdown)


def flash(message: str) -> None:
    """A success message shown once, on the next run (after st.rerun)."""
    st.session_state[_FLASH] = message


def show_flash() -> None:
    message = st.session_state.pop(_FLASH, None)
    if message:
        st.success(message, icon=":material/check_circle:")


def table(
    frame: pd.DataFrame,
    name: str,
    headings: Mapping[str, str] | None = None,
    *,
    as_text: tuple[str, ...] = (),
    read: Callable[[pd.DataFrame], pd.DataFrame] | None = None,
    **columns: Any,
) -> None:
    """`frame` as a table with its CSV export `name`.csv (written only when pressed): only
    the `headings` columns, renamed, when given; `*_cents` columns as money in the row's
    `currency` (USD without one, or for `*_usd_cents`: `format_money`), date-times as
    "YYYY-MM-DD HH:MM" (UTC), missing values as "—", `as_text` columns (objects) as
    `mapping_text`, stored values by their labels (`columns.with_value_labels`), and the
    table only read through `read` first (e.g. `columns.limit_texts`:
    "100,000 calls/month"); other columns' config as keywords (by heading). The CSV stays
    raw (`_raw`, not `read`): the same columns and headings, numbers, stored keys, money as
    numbers in currency units, objects as JSON."""
    raw, frame = frame, with_value_labels(read(frame) if read is not None else frame)
    shown = frame.assign(
        **{c: _money(frame, c) for c in frame.columns if str(c).endswith("_cents")},
        **{c: frame[c].map(_when) for c in frame.columns if _is_time(frame[c])},
        **{c: frame[c].map(mapping_text) for c in as_text},
    )
    if headings:
        shown = shown[list(headings)].rename(columns=headings)
    texts = [c for c in shown.columns if shown[c].dtype == object or str(shown[c].dtype) == "str"]
    shown[texts] = shown[texts].map(lambda v: "—" if v is None or v is pd.NA or v != v else v)
    config = dict(columns) or None
    st.dataframe(shown, hide_index=True, column_config=config, placeholder=MISSING)
    csv_download(_raw(raw, headings, as_text), name, label=f"Download {name} (CSV)")


def _raw(
    frame: pd.DataFrame, headings: Mapping[str, str] | None, as_text: tuple[str, ...]
) -> pd.DataFrame:
    """What `table` exports as CSV: the `headings` columns (renamed) of `frame` with raw
    values; `*_cents` columns in currency units (cents / 100, numbers), `as_text` columns
    (objects) as compact JSON text, everything else as stored."""
    raw = frame.assign(
        **{c: frame[c] / 100 for c in frame.columns if str(c).endswith("_cents")},
        **{c: frame[c].map(lambda v: json.dumps(v, sort_keys=True, default=str)) for c in as_text},
    )
    return raw[list(headings)].rename(columns=headings) if headings else raw


def mapping_text(value: Any) -> str:
    """An object (limits, features…) as words: a metric's limit by its label and unit
    (`quantity_text`): "API calls 1,000/month · Seats 10 · Tokens unlimited"; a true flag as
    its name alone ("Paper trading"), a false one left out, another value as "Support:
    email"; "—" when empty."""
    if not isinstance(value, Mapping):
        return "—" if value is None else str(value)
    words = []
    for key, item in value.items():
        name = value_label(key)
        limit = item is None or (isinstance(item, int | float) and not isinstance(item, bool))
        if key in METRIC_LABELS and limit:  # `backtests: true` in features is a flag
            words.append(_limit_words(str(key), item))
        elif isinstance(item, bool):
            words += [name] if item else []
        elif item is None:
            words.append(f"{name} unlimited")
        else:
            words.append(f"{name} {item:,}" if isinstance(item, int) else f"{name}: {item}")
    return " · ".join(words) or "—"


def _limit_words(metric: str, limit: Any) -> str:
    """ "API calls 1,000/month", "Seats 10", "Tokens unlimited": the metric's label, then its
    `quantity_text` without the unit's noun the label already says."""
    number, _, unit = quantity_text(metric, None if limit is None else int(limit)).partition(" ")
    return f"{metric_label(metric)} {number}{unit[unit.index('/') :] if '/' in unit else ''}"


def _money(frame: pd.DataFrame, column: str) -> pd.Series:
    """A `*_cents` column as money text, in each row's currency (USD without one)."""
    usd = column.endswith("_usd_cents") or "currency" not in frame.columns
    currencies = ["USD"] * len(frame) if usd else frame["currency"].fillna("USD")
    texts = [format_money(c / 100, cur) for c, cur in zip(frame[column], currencies, strict=True)]
    return pd.Series(texts, index=frame.index, dtype=object)


def _is_time(column: pd.Series) -> bool:
    return pd.api.types.is_datetime64_any_dtype(column)


def _when(value: Any) -> str:
    return "—" if pd.isna(value) else f"{pd.Timestamp(value):%Y-%m-%d %H:%M}"
