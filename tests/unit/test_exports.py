"""CSV exports neutralise spreadsheet formulas and write numbers without float noise."""

from __future__ import annotations

import csv
import io

import pandas as pd

from regime_dashboard.exports import csv_bytes


def _rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode())))


def test_text_a_spreadsheet_would_run_is_written_as_text() -> None:
    names = ['=HYPERLINK("http://x","y")', "+1+1", "-2+3", "@SUM(A1)", "\t=1", "Acme", None]
    frame = pd.DataFrame({"Tenant": names, "MRR": [1.0, -800.0, 3.0, 4.0, 5.0, 6.0, 7.0]})

    rows = _rows(csv_bytes(frame))

    assert rows[0] == ["Tenant", "MRR"]
    assert [r[0] for r in rows[1:]] == [
        '\'=HYPERLINK("http://x","y")',
        "'+1+1",
        "'-2+3",
        "'@SUM(A1)",
        "'\t=1",
        "Acme",
        "",
    ]
    assert rows[2][1] == "-800"  # a negative number stays a number


def test_numbers_carry_no_binary_float_noise() -> None:
    frame = pd.DataFrame({"usd": [7.487599999999999, 0.1 + 0.2, 1234567.25, 1e-7]})

    rows = _rows(csv_bytes(frame))

    assert [r[0] for r in rows[1:]] == ["7.4876", "0.3", "1234567.25", "1e-07"]


def test_the_frame_given_is_left_as_it_was() -> None:
    frame = pd.DataFrame({"name": ["=1"]})
    csv_bytes(frame)
    assert frame["name"].tolist() == ["=1"]
