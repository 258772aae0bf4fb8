"""Trading calendars against the published 2024 and 2022 exchange holiday lists."""

from __future__ import annotations

import datetime as dt

import pytest

from regime_dashboard.calendars import exchange_holidays, sessions

D = dt.date


def test_2024_holidays_are_the_published_ten() -> None:
    assert sorted(exchange_holidays(2024)) == [
        D(2024, 1, 1),
        D(2024, 1, 15),
        D(2024, 2, 19),
        D(2024, 3, 29),
        D(2024, 5, 27),
        D(2024, 6, 19),
        D(2024, 7, 4),
        D(2024, 9, 2),
        D(2024, 11, 28),
        D(2024, 12, 25),
    ]


def test_weekend_holidays_are_observed_and_saturday_new_year_is_not() -> None:
    holidays = exchange_holidays(2022)
    assert D(2022, 12, 26) in holidays  # Christmas on Sunday -> Monday
    assert D(2022, 6, 20) in holidays  # Juneteenth on Sunday -> Monday
    assert D(2021, 12, 31) not in exchange_holidays(2021)  # 2022-01-01 was a Saturday
    assert D(2021, 6, 18) not in exchange_holidays(2021)  # Juneteenth began in 2022


def test_2024_has_252_sessions_and_365_calendar_days_are_all_days() -> None:
    assert len(sessions("trading_252", D(2024, 1, 1), D(2024, 12, 31))) == 252
    assert len(sessions("calendar_365", D(2024, 1, 1), D(2024, 12, 31))) == 366


def test_unknown_calendar_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown calendar"):
        sessions("weekly", D(2024, 1, 1), D(2024, 1, 31))
