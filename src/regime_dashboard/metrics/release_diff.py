"""Differences between two engine releases' daily outputs for the same asset.

Each release is a DataFrame with a ``date`` column (``datetime.date`` or datetime64,
unique) and the engine's output fields: ``regime`` and ``conviction`` (text) and numeric
fields such as ``confidence``, ``risk_level``, ... (see :data:`OUTPUT_FIELDS`); a field
missing from either frame is skipped. Days are compared only where both releases have an
output; two missing values (None/NaN) are equal, one missing value is a difference.
Inputs are never modified.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypedDict

import numpy as np
import pandas as pd

from ..engine_fields import ENGINE_OUTPUT_FIELDS

__all__ = [
    "DIFFERENCE_COLUMNS",
    "FIELD_COLUMNS",
    "OUTPUT_FIELDS",
    "TEXT_FIELDS",
    "Agreement",
    "align_releases",
    "field_differences",
    "regime_agreement",
    "regime_differences",
]

TEXT_FIELDS: tuple[str, ...] = ("regime", "conviction")
OUTPUT_FIELDS: tuple[str, ...] = ENGINE_OUTPUT_FIELDS
DIFFERENCE_COLUMNS = {
    "date": "datetime64[ns]",
    "regime_a": "str",
    "regime_b": "str",
    "confidence_a": "float64",
    "confidence_b": "float64",
}
FIELD_COLUMNS = {
    "field": "str",
    "days_compared": "int64",
    "days_differing": "int64",
    "share_differing": "float64",
    "max_abs_diff": "float64",
    "mean_abs_diff": "float64",
}
RTOL, ATOL = 1e-9, 1e-12  # numbers closer than this are the same output


class Agreement(TypedDict):
    """How far two releases agree on the regime (see :func:`regime_agreement`)."""

    days_a: int
    days_b: int
    common_days: int
    agreeing_days: int
    share_agreeing: float
    only_a: int
    only_b: int


def _dated(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.assign(date=pd.to_datetime(frame["date"]).dt.as_unit("ns"))
    if out["date"].duplicated().any():
        raise ValueError("a release has duplicate dates")
    return out


def align_releases(a: pd.DataFrame, b: pd.DataFrame) -> pd.DataFrame:
    """The days both releases have, by date: ``date`` then every other column of each
    frame suffixed ``_a`` / ``_b``."""
    return (
        _dated(a)
        .merge(_dated(b), on="date", how="inner", suffixes=("_a", "_b"))
        .sort_values("date", kind="stable")
        .reset_index(drop=True)
    )


def _same(left: pd.Series, right: pd.Series, text: bool) -> np.ndarray:
    """Element-wise equality with missing == missing (numbers within RTOL/ATOL)."""
    both_missing = (left.isna() & right.isna()).to_numpy()
    if text:
        return both_missing | (left.astype("object") == right.astype("object")).to_numpy()
    x, y = left.astype("float64").to_numpy(), right.astype("float64").to_numpy()
    return both_missing | np.isclose(x, y, rtol=RTOL, atol=ATOL)


def regime_agreement(a: pd.DataFrame, b: pd.DataFrame) -> Agreement:
    """Days in each release, days in both, days in both with the same regime and their share
    of the common days (NaN without common days), and days only in one release."""
    aligned = align_releases(a[["date", "regime"]], b[["date", "regime"]])
    agreeing = int(_same(aligned["regime_a"], aligned["regime_b"], text=True).sum())
    common = len(aligned)
    return Agreement(
        days_a=len(a),
        days_b=len(b),
        common_days=common,
        agreeing_days=agreeing,
        share_agreeing=agreeing / common if common else float("nan"),
        only_a=len(a) - common,
        only_b=len(b) - common,
    )


def regime_differences(a: pd.DataFrame, b: pd.DataFrame) -> pd.DataFrame:
    """The common days whose regime differs: columns ``date``, ``regime_a``, ``regime_b``,
    ``confidence_a``, ``confidence_b``, by date."""
    aligned = align_releases(
        a[["date", "regime", "confidence"]], b[["date", "regime", "confidence"]]
    )
    differ = ~_same(aligned["regime_a"], aligned["regime_b"], text=True)
    return (
        aligned.loc[differ, list(DIFFERENCE_COLUMNS)]
        .reset_index(drop=True)
        .astype(DIFFERENCE_COLUMNS)
    )


def _field_row(aligned: pd.DataFrame, field: str) -> dict[str, object]:
    left, right = aligned[f"{field}_a"], aligned[f"{field}_b"]
    text = field in TEXT_FIELDS
    differing = int((~_same(left, right, text)).sum())
    gaps = pd.Series(dtype="float64") if text else (left.astype("float64") - right).abs().dropna()
    return {
        "field": field,
        "days_compared": len(aligned),
        "days_differing": differing,
        "share_differing": differing / len(aligned) if len(aligned) else float("nan"),
        "max_abs_diff": float(gaps.max()) if len(gaps) else float("nan"),
        "mean_abs_diff": float(gaps.mean()) if len(gaps) else float("nan"),
    }


def field_differences(
    a: pd.DataFrame, b: pd.DataFrame, fields: Sequence[str] = OUTPUT_FIELDS
) -> pd.DataFrame:
    """One row per output field present in both releases, in `fields` order: days compared
    (common days), days whose values differ, their share, and for numeric fields the largest
    and mean absolute difference over the common days where both have a value (NaN for the
    text fields). Columns FIELD_COLUMNS."""
    present = [f for f in fields if f in a.columns and f in b.columns]
    aligned = align_releases(a[["date", *present]], b[["date", *present]])
    rows = [_field_row(aligned, field) for field in present]
    if not rows:
        return pd.DataFrame({n: pd.Series(dtype=t) for n, t in FIELD_COLUMNS.items()})
    return pd.DataFrame(rows).astype(FIELD_COLUMNS)
