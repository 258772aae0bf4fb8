"""The import's file and option rules, without a database (imports/validate.py, reader.py)."""

from __future__ import annotations

import datetime as dt
import itertools
from pathlib import Path

import pytest

from regime_dashboard.db.models.market import OPTIONAL_OUTPUT_FIELDS
from regime_dashboard.imports.reader import CsvRows, validate_csv
from regime_dashboard.imports.validate import (
    BAR_SPEC,
    OUTPUT_FIELDS,
    OUTPUT_SPEC,
    Rules,
    check_labels,
    check_sha256,
    check_symbol,
    check_version,
)
from regime_dashboard.queries.imports import BAR_STAGE_COLUMNS, OUTPUT_STAGE_COLUMNS

RULES = Rules(dt.date(2024, 6, 2), weekend_ok=lambda symbol: symbol == "BTC-USD")


def test_the_file_formats_match_the_tables() -> None:
    assert OUTPUT_FIELDS == OPTIONAL_OUTPUT_FIELDS
    assert OUTPUT_SPEC.columns == OUTPUT_STAGE_COLUMNS
    assert BAR_SPEC.columns == ("symbol", *BAR_STAGE_COLUMNS[1:])


@pytest.mark.parametrize(
    ("given", "expected"), [("spy", "SPY"), (" btc-usd ", "BTC-USD"), ("es=f", "ES=F")]
)
def test_symbols_are_upper_cased(given: str, expected: str) -> None:
    assert check_symbol(given) == expected


@pytest.mark.parametrize("bad", ["BTC/USD", "", "   ", "A" * 33, "-X", "^GSPC", "SPY\x1b[31m"])
def test_bad_symbols_are_refused(bad: str) -> None:
    with pytest.raises(ValueError, match="invalid asset symbol"):
        check_symbol(bad)


def test_versions_labels_and_hashes() -> None:
    assert check_version(" v3 ") == "v3"
    assert check_version("v" * 64) == "v" * 64
    for bad in ("v" * 65, "", "v1\nv2"):
        with pytest.raises(ValueError, match="invalid release version"):
            check_version(bad)
    assert check_labels("calm, storm,High-Vol,VIX spike") == {
        "calm",
        "storm",
        "High-Vol",
        "VIX spike",
    }
    for bad in ("calm,no;pe", "_x", "x" * 33, "bull\x1b[2J"):
        with pytest.raises(ValueError, match="invalid regime label"):
            check_labels(bad)
    assert check_sha256("AB" * 32) == "ab" * 32
    with pytest.raises(ValueError, match="64 hexadecimal digits"):
        check_sha256("abc")


def _bars(tmp_path: Path, text: str, symbol: str | None = "SPY"):  # type: ignore[no-untyped-def]
    path = tmp_path / "bars.csv"
    path.write_text(text)
    return validate_csv(path, BAR_SPEC, RULES, symbol)


def test_the_symbol_comes_from_the_file_or_the_option_never_both(tmp_path: Path) -> None:
    both = _bars(tmp_path, "symbol,date,open,high,low,close\nSPY,2024-01-02,1,1,1,1\n")
    assert [str(p) for p in both.problems] == [
        "line 1: the file has a symbol column: leave out --asset"
    ]
    neither = _bars(tmp_path, "date,open,high,low,close\n2024-01-02,1,1,1,1\n", symbol=None)
    assert [str(p) for p in neither.problems] == [
        "line 1: no symbol column: give the asset with --asset"
    ]
    many = _bars(
        tmp_path,
        "symbol,date,open,high,low,close\nspy,2024-01-02,1,1,1,1\nSPY,2024-01-02,1,1,1,1\n"
        "BTC-USD,2024-01-06,1,1,1,1\nQQQ,2024-01-06,1,1,1,1\n",
        symbol=None,
    )
    assert [str(p) for p in many.problems] == [
        "line 3: duplicate date 2024-01-02 of SPY (first on line 2)",
        "line 5: 2024-01-06 is a Saturday and QQQ's calendar has no weekend sessions "
        "(--allow-weekends imports it anyway)",
    ]


def test_cells_with_spaces_take_the_careful_path_to_the_same_row(tmp_path: Path) -> None:
    path = tmp_path / "bars.csv"
    path.write_text("date,open,high,low,close,volume\n 2024-01-02 , 10 ,11,9,10,\n")
    reader = validate_csv(path, BAR_SPEC, RULES, "SPY")
    assert reader.ok
    assert list(CsvRows(path, BAR_SPEC, RULES, "SPY").rows()) == [
        ("SPY", dt.date(2024, 1, 2), 10.0, 11.0, 9.0, 10.0, None, None)
    ]


def test_nan_and_infinity_are_not_numbers(tmp_path: Path) -> None:
    reader = _bars(
        tmp_path, "date,open,high,low,close\n2024-01-02,nan,11,9,10\n2024-01-03,10,inf,9,10\n"
    )
    assert [str(p) for p in reader.problems] == [
        "line 2: open is not a finite number: 'nan'",
        "line 3: high is not a finite number: 'inf'",
    ]


def test_the_quick_check_passes_exactly_the_rows_the_full_check_passes() -> None:
    """Every combination of a few telling values: `quick` True iff `check` finds nothing."""
    day = (dt.date(2024, 1, 2), dt.date(2024, 1, 6), dt.date(1899, 12, 31), dt.date(2024, 6, 3))
    prices = (None, -1.0, 9.0, 10.0, 11.0, 12.0)
    for symbol, d, o, h, lo, c, vol in itertools.product(
        ("SPY", "BTC-USD"), day, prices, (11.0, 8.0), (9.0,), prices, (None, -5.0, 100.0)
    ):
        row = (symbol, d, o, h, lo, c, None, vol)
        assert BAR_SPEC.quick(row, RULES) == (BAR_SPEC.check(row, RULES) == []), row
    for regime, conf, conviction, risk in itertools.product(
        ("bull", "calm", ""), (None, 0.5, 1.5), ("low", "sure", ""), (None, 0.5, 2.0)
    ):
        row = (dt.date(2024, 1, 2), regime, conf, conviction, None, risk, None, *[None] * 6)
        assert OUTPUT_SPEC.quick(row, RULES) == (OUTPUT_SPEC.check(row, RULES) == []), row
