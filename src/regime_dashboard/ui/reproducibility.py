"""The Releases page's reproducibility table: every release with its input bars re-hashed,
the rows that no longer match their stored data_sha256 tinted and said in words in the
Status column (so the highlight is not colour-only)."""

from __future__ import annotations

import json
from collections.abc import Sequence

import pandas as pd
import streamlit as st

from . import columns as column_defaults
from .tables import MISSING, csv_download

__all__ = [
    "CHANGED_TINT",
    "COMMIT_SHOWN",
    "STATUS_LABEL",
    "env_summary",
    "reproducibility_table",
    "row_tints",
]

# amber at a fifth of its strength: a light wash on the light theme's white and on the
# dark theme's near-black alike, the text keeping its contrast; no regime's hue
CHANGED_TINT = "background-color: rgba(255, 160, 0, 0.2)"
STATUS_LABEL = "Status"
COMMIT_SHOWN = 7  # characters of a git commit the table shows (git's short form; CSV: all)
_FIRST_IN_ENV = ("python", "engine")  # an environment summary names these first


def env_summary(env: object) -> str:
    """A release's environment (`env`: JSON text of an object) in a few words, e.g.
    '{"engine": "v1", "numpy": "2.1.3", "python": "3.11.9"}' -> "python 3.11 · engine v1 ·
    numpy 2.1.3": python as major.minor, then engine, then the other keys with a plain
    (text or number) value in key order; nested values are left out (they stay in the CSV).
    MISSING for no or unreadable JSON, or nothing plain in it."""
    try:
        parsed = json.loads(env) if isinstance(env, str) else None
    except ValueError:
        parsed = None
    if not isinstance(parsed, dict):
        return MISSING
    plain_values = {str(k): str(v) for k, v in parsed.items() if isinstance(v, str | int | float)}
    if "python" in plain_values:
        plain_values["python"] = ".".join(plain_values["python"].split(".")[:2])
    keys = [k for k in _FIRST_IN_ENV if k in plain_values]
    keys += sorted(k for k in plain_values if k not in _FIRST_IN_ENV)
    return " · ".join(f"{k} {plain_values[k]}" for k in keys) or MISSING


def _readable(frame: pd.DataFrame) -> pd.DataFrame:
    """`frame` as the table shows it: env as `env_summary`, git_commit its first
    COMMIT_SHOWN characters (both whole in the CSV export)."""
    shown = frame.copy()
    if "env" in shown.columns:
        shown["env"] = shown["env"].map(env_summary)
    if "git_commit" in shown.columns:
        shown["git_commit"] = shown["git_commit"].map(
            lambda c: c[:COMMIT_SHOWN] if isinstance(c, str) else c
        )
    return shown


def row_tints(frame: pd.DataFrame, changed: pd.Series) -> pd.DataFrame:
    """The Styler's CSS per cell of `frame`: CHANGED_TINT on every cell of the rows where
    `changed` (a boolean per row) is true, nothing elsewhere."""
    css = [CHANGED_TINT if flag else "" for flag in changed.to_numpy(dtype=bool)]
    return pd.DataFrame({c: css for c in frame.columns}, index=frame.index)


def reproducibility_table(
    repro: pd.DataFrame, status: pd.Series, changed: pd.Series, shown: Sequence[str]
) -> None:
    """The table of `repro`'s `shown` columns after a Status column (`status`, text per
    row), the rows where `changed` is true tinted; and its CSV export (raw values with the
    status text; env and git_commit whole, the table shows them short: `_readable`)."""
    frame = repro.assign(check=status.to_numpy())
    order = ["check", *shown]
    table = _readable(frame)
    dates = [c for c in order if pd.api.types.is_datetime64_any_dtype(frame[c])]
    styled = table.style.apply(lambda _: row_tints(table, changed), axis=None).format(
        {c: "{:%Y-%m-%d}" for c in dates}, na_rep=MISSING
    )
    st.dataframe(
        styled,
        hide_index=True,
        column_config=column_defaults.column_config(table, {"check": STATUS_LABEL}),
        column_order=order,
        placeholder=MISSING,
    )
    csv_download(frame[order], "reproducibility")
