"""Filters kept in the URL: a page reopened from a shared link shows the same view.

Every URL-kept control is a Streamlit widget with a `key` and `bind="query-params"`: the
key is the URL parameter, the browser writes the widget's value there on every change, and
a link seeds the widget on its first run. A choice's URL value is its label (what
`format_func` shows); a value equal to the widget's default is left out of the URL.

`pick` chooses rows by id (options are ids, labels are names): a row renamed by someone
else stays chosen, a row that is gone is never swapped for another on an edit page, and a
link naming something unknown is said so in one line. `date_range` orders and bounds a
link's dates before the widget sees them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any, Literal

import pandas as pd
import streamlit as st
from streamlit.errors import StreamlitAPIException

from .text import plain

__all__ = [
    "BIND",
    "LINK_ICON",
    "date_range",
    "labels_of",
    "pick",
    "pick_next",
    "range_picker",
    "section",
    "show_note",
]

BIND: Literal["query-params"] = "query-params"
_SHOWN = "_url_shown"  # key -> (value, label) each picker showed on its last run
LINK_ICON = ":material/link:"  # the icon of a note about a link (Material: no emoji font)
_NOTES = "_url_notes"  # key -> (message, icon, the value it was shown with) about a link
_NEXT = "_url_next"  # key -> the option a picker shows on its next run (after a save)


def pick(
    where: Any,
    label: str,
    options: Mapping[Any, str] | Sequence[Any],
    *,
    key: str,
    default: int | None = 0,
    what: str | None = None,
    edit: bool = False,
) -> Any:
    """A selectbox kept in the URL under `key`; returns the chosen option (an id), or None
    when nothing is chosen (only with `default=None`, or on an edit page whose row is gone).

    `options` maps ids to the labels shown (a sequence shows each option as itself).
    `what` names a row ("tenant") for the messages; with `edit`, a row that no longer
    exists or an unknown link clears the choice instead of falling back to another row."""
    labels = dict(options) if isinstance(options, Mapping) else {o: str(o) for o in options}
    if key in st.session_state.get(_NEXT, {}):
        st.session_state[key] = st.session_state[_NEXT].pop(key)
        st.session_state.get(_SHOWN, {}).pop(key, None)
    name = what or label.lower()
    index, note = _before_picker(key, labels, default, name, edit)
    value = where.selectbox(
        label,
        list(labels),
        index=index,
        format_func=lambda v: labels.get(v, str(v)),
        key=key,
        bind=BIND,
        placeholder=f"Choose a {name}",
    )
    if note:
        st.session_state.setdefault(_NOTES, {})[key] = (note[0], note[1], None)
    show_note(key, value)
    st.session_state.setdefault(_SHOWN, {})[key] = (value, labels.get(value))
    return value


def show_note(key: str, value: Any) -> None:
    """The message about control `key`'s link, in a slot drawn on every run (below the
    control): it stays while the control shows the value it was first shown with, and goes
    once the viewer changes it. A browser runs a page several times on opening a link (the
    cookie, a corrected link), so a message of the first run alone would flash and vanish;
    and an element present in one run only would shift what follows, which costs Streamlit's
    browser side the URL binding of the widgets in later layout blocks."""
    slot = st.empty()
    notes = st.session_state.get(_NOTES, {})
    if key not in notes:
        return
    text, icon, shown_with = notes[key]
    if shown_with is None:
        notes[key] = (text, icon, value)
    elif shown_with != value:
        del notes[key]
        return
    slot.warning(text, icon=icon)


def _before_picker(
    key: str, labels: Mapping[Any, str], default: int | None, name: str, edit: bool
) -> tuple[int | None, tuple[str, str] | None]:
    """The picker's default index, and what to say (message, icon) about a row that is gone
    or a link that names no option."""
    index = default if labels else None
    gone = _follow_renames(key, labels)
    if gone is not None:
        if not edit:
            return index, None
        st.session_state[key] = None
        return None, (
            f"This {name} no longer exists (“{plain(gone)}”); choose another.",
            ":material/delete:",
        )
    unknown = _check_link(key, labels)
    if unknown is None:
        return index, None
    fallback = labels.get(_nth(labels, default)) if default is not None else None
    if edit or fallback is None:
        return None, (
            f"{name.capitalize()} “{plain(unknown)}” does not exist or is not visible to you "
            "(it may have been renamed or removed): choose one from the list.",
            LINK_ICON,
        )
    return index, (
        f"{name.capitalize()} “{plain(unknown)}” is not visible to you; showing {plain(fallback)}.",
        LINK_ICON,
    )


def labels_of(frame: pd.DataFrame, id_column: str, label_column: str) -> dict[str, str]:
    """{id as text: label} of `frame`'s distinct ids, in the order of their labels."""
    rows = frame.drop_duplicates(id_column).sort_values(label_column, kind="stable")
    return dict(zip(rows[id_column].astype(str), rows[label_column], strict=True))


def pick_next(key: str, value: Any) -> None:
    """Show `value` in the picker `key` from its next run on (e.g. a row just created)."""
    st.session_state.setdefault(_NEXT, {})[key] = value


def _nth(labels: Mapping[Any, str], index: int | None) -> Any:
    values = list(labels)
    return values[index] if index is not None and 0 <= index < len(values) else None


def _follow_renames(key: str, labels: Mapping[Any, str]) -> str | None:
    """Keep the row the viewer had chosen when its label changed since the last run (the
    browser still sends the old label). Returns that row's last label when it is gone."""
    shown = st.session_state.get(_SHOWN, {}).get(key)
    if shown is None or shown[0] is None or key not in st.session_state:
        return None
    before = st.session_state[key]  # the browser's choice, read with last run's labels
    if before != shown[0]:
        return None  # the viewer chose another row
    if before not in labels:
        return str(shown[1] or before)
    if labels[before] != shown[1]:
        st.session_state[key] = before  # renamed: stay on the same id
    return None


def _check_link(key: str, labels: Mapping[Any, str]) -> str | None:
    """On a picker's first run, the link's value when it names no option (None when it is
    fine). A link holding an option's id instead of its label is rewritten to the label."""
    if key in st.session_state:
        return None
    wanted = st.query_params.get(key)
    if wanted is None or wanted == "" or wanted in labels.values():
        return None
    by_id = {str(v): text for v, text in labels.items()}
    if wanted in by_id:
        _rewrite_link(key, by_id[wanted], None)
        return None
    return wanted


def _rewrite_link(key: str, value: str | list[str], note: str | None) -> None:
    """Put `value` in the URL and run again, so the widget is seeded from it (a widget reads
    the link only on its first run). Does nothing once the widget is bound."""
    try:
        st.query_params[key] = value
    except StreamlitAPIException:
        return
    if note:
        st.session_state.setdefault(_NOTES, {})[key] = (note, LINK_ICON, None)
    st.rerun()


def date_range(
    where: Any,
    label: str,
    *,
    key: str,
    default: tuple[dt.date, dt.date],
    low: dt.date,
    high: dt.date,
    **callback: Any,
) -> tuple[dt.date, dt.date]:
    """A (start, end) date range kept in the URL (`key=start&key=end`, ISO dates). A link
    whose dates are reversed or outside [low, high] is corrected, and the page says so.
    `callback`: the widget's `on_change` and `args`, if any."""
    if key not in st.session_state:
        _correct_link_dates(key, low, high)
    chosen = where.date_input(
        label, value=default, min_value=low, max_value=high, key=key, bind=BIND, **callback
    )
    dates = tuple(chosen) if isinstance(chosen, tuple) else (chosen,)
    show_note(key, dates)
    if not dates:
        return default
    start, end = dates[0], dates[-1]
    return (start, end) if start <= end else (end, start)


def range_picker(
    where: Any, low: dt.date, high: dt.date, *, whole: bool = False
) -> tuple[dt.date, dt.date]:
    """The page's "Date range" (URL key `dates`) within [low, high]: by default the last year
    of it, with `whole` all of it."""
    start = low if whole else max(low, high - dt.timedelta(days=365))
    return date_range(where, "Date range", key="dates", default=(start, high), low=low, high=high)


def _correct_link_dates(key: str, low: dt.date, high: dt.date) -> None:
    raw = st.query_params.get_all(key)
    try:
        dates = [_parse_date(v) for v in raw]
    except ValueError:
        return  # not dates at all: the widget ignores them and shows its default
    if len(dates) != 2:
        return
    fixed = sorted(min(max(d, low), high) for d in dates)
    if fixed == dates:
        return
    reason = "were in reverse order" if dates[0] > dates[1] else f"fall outside {low} – {high}"
    if dates[0] > dates[1] and fixed != sorted(dates):
        reason += f" and outside {low} – {high}"
    _rewrite_link(
        key,
        [d.isoformat() for d in fixed],
        f"The link's dates {dates[0]} – {dates[1]} {reason}; showing {fixed[0]} – {fixed[1]}.",
    )


def _parse_date(text: str) -> dt.date:
    return dt.date.fromisoformat(text.replace("/", "-"))


def section(label: str, options: Sequence[str], *, key: str) -> str:
    """Which part of a page to show, as a row of buttons kept in the URL (so a link opens
    on it); the first part is the default. Only the chosen part is computed."""
    return st.segmented_control(
        label,
        list(options),
        default=options[0],
        required=True,
        key=key,
        bind=BIND,
        label_visibility="collapsed",
    )
