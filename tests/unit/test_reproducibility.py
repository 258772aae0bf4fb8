"""The canonical serialization of input bars, worked by hand."""

from __future__ import annotations

import datetime as dt
import hashlib
import random

from regime_dashboard.reproducibility import bar_line, bars_sha256


def test_a_bar_line_uses_shortest_round_trip_numbers_and_empty_missing_fields() -> None:
    assert bar_line((dt.date(2024, 1, 2), 101.25, 102, 100.5, 101.0, None, float("nan"))) == (
        "2024-01-02,101.25,102.0,100.5,101.0,,\n"
    )
    assert bar_line((dt.date(2024, 1, 3), 0.1, 1e-05, 0.1, 0.1, 0.1, 12000)) == (
        "2024-01-03,0.1,1e-05,0.1,0.1,0.1,12000.0\n"
    )


def test_the_hash_is_sha256_of_the_joined_lines() -> None:
    bars = [
        (dt.date(2024, 1, 2), 1.5, 2.0, 1.0, 1.75, None, 10.0),
        (dt.date(2024, 1, 3), 1.75, 2.5, 1.5, 2.25, 2.2, None),
    ]
    text = "2024-01-02,1.5,2.0,1.0,1.75,,10.0\n2024-01-03,1.75,2.5,1.5,2.25,2.2,\n"
    assert bars_sha256(bars) == hashlib.sha256(text.encode()).hexdigest()
    assert bars_sha256([]) == hashlib.sha256(b"").hexdigest()


def test_changing_one_close_changes_the_hash() -> None:
    bars = [(dt.date(2024, 1, 2), 1.5, 2.0, 1.0, 1.75, None, 10.0)]
    changed = [(dt.date(2024, 1, 2), 1.5, 2.0, 1.0, 1.7500000000000002, None, 10.0)]
    assert bars_sha256(bars) != bars_sha256(changed)


def test_the_hash_equals_hashing_bar_lines_one_by_one() -> None:
    """The column-wise hash against the line-by-line definition, on awkward numbers."""
    rng = random.Random(3)
    awkward = [None, float("nan"), 0.0, -0.0, 1e-05, 1e16, 12000, 0.1 + 0.2, 5e-324]
    bars = [
        (
            dt.date(2000, 1, 1) + dt.timedelta(days=i),
            *(rng.choice(awkward) if rng.random() < 0.2 else rng.uniform(1, 500) for _ in range(5)),
            rng.choice([None, rng.randrange(10**9)]),
        )
        for i in range(2000)
    ]
    by_line = hashlib.sha256("".join(bar_line(bar) for bar in bars).encode()).hexdigest()
    assert bars_sha256(bars) == by_line
