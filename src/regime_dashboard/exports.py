"""CSV exports: what a table's download button writes.

Spreadsheets run a cell that starts with `=`, `+`, `-` or `@` (or a tab or carriage return
followed by one) as a formula, so a tenant named `=HYPERLINK(...)` would become a live link
in whoever opens the export. Such text cells are written with a leading apostrophe, which
spreadsheets show as text (the OWASP "CSV injection" advice). Numbers are written as
numbers, with at most 15 significant digits (no binary float noise such as
7.487599999999999).
"""

from __future__ import annotations

import pandas as pd

__all__ = ["FORMULA_PREFIXES", "csv_bytes", "neutralise_cell"]

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise_cell(value: object) -> object:
    """`value` with a leading apostrophe when it is text a spreadsheet would run."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """`frame` as UTF-8 CSV without its index, text cells neutralised."""
    safe = frame.copy()
    for position in range(safe.shape[1]):
        column = safe.iloc[:, position]
        if not pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column):
            safe.isetitem(position, column.map(neutralise_cell, na_action="ignore"))
    return safe.to_csv(index=False, float_format="%.15g").encode()
