"""Compact card numbers, hand-worked."""

from __future__ import annotations

import math

import pytest

from regime_dashboard.ui.formats import compact_number, compact_usd, signed_pct


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (947_412.0, "$947.4k"),
        (-800.0, "−$800"),
        (1_249_999.0, "$1.2M"),
        (999.96, "$1.0k"),
        (12.5, "$12.50"),
        (0.0, "$0"),
        (None, "—"),
        (math.inf, "—"),
        (math.nan, "—"),
    ],
)
def test_compact_usd(value: float | None, shown: str) -> None:
    assert compact_usd(value) == shown


def test_compact_number_and_signed_pct() -> None:
    assert compact_number(3_400_000_000) == "3.4B"
    assert compact_number(-4_500) == "−4.5k"
    assert signed_pct(0.042) == "+4.2 %"
    assert signed_pct(-0.01) == "−1.0 %"
    assert signed_pct(None) == "—"
