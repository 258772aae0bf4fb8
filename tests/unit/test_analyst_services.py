"""Every public analyst service takes the viewer first and checks the analyst role itself,
before it reads anything (no database is reachable here: a service that read first would
fail another way)."""

from __future__ import annotations

import datetime as dt
import inspect
from collections.abc import Callable
from types import ModuleType

import pytest

from regime_dashboard.services import (
    backtests,
    portfolio,
    prices,
    regimes,
    release_choices,
    releases,
)
from regime_dashboard.viewer import PermissionDeniedError, Viewer

LEADER = Viewer(None, "lead@x.test", "Lead", frozenset({"leadership"}))
DAY = dt.date(2026, 1, 2)

CALLS: dict[str, Callable[[Viewer], object]] = {
    "regimes.load_regimes_view": lambda v: regimes.load_regimes_view(v, "r", DAY, DAY),
    "releases.load_releases_view": lambda v: releases.load_releases_view(v, "t"),
    "release_choices.release_tenants": release_choices.release_tenants,
    "release_choices.release_choices": lambda v: release_choices.release_choices(v, "t"),
    "backtests.run_filter_options": backtests.run_filter_options,
    "backtests.runs_with_equity": lambda v: backtests.runs_with_equity(v, backtests.RunFilters()),
    "backtests.run_assets": lambda v: backtests.run_assets(v, "r"),
    "backtests.load_backtests_view": lambda v: backtests.load_backtests_view(
        v, backtests.RunFilters()
    ),
    "prices.priced_assets": prices.priced_assets,
    "prices.load_prices_view": lambda v: prices.load_prices_view(
        v, "SPY", DAY, DAY, adjusted=False, quality=prices.QualitySettings(2, 0.03, "close_to_open")
    ),
    "portfolio.portfolio_books": portfolio.portfolio_books,
    "portfolio.load_portfolio_view": lambda v: portfolio.load_portfolio_view(v, "p", DAY, DAY),
}


@pytest.mark.parametrize("name", sorted(CALLS))
def test_a_viewer_without_the_analyst_role_is_refused(name: str) -> None:
    with pytest.raises(PermissionDeniedError):
        CALLS[name](LEADER)


def _viewer_first(module: ModuleType) -> list[str]:
    """The module's public functions whose first parameter is a viewer."""
    return [
        f"{module.__name__.rsplit('.', 1)[1]}.{name}"
        for name in getattr(module, "__all__", ())
        if inspect.isfunction(fn := getattr(module, name))
        and next(iter(inspect.signature(fn).parameters), None) == "viewer"
    ]


def test_every_viewer_first_service_is_checked_here() -> None:
    modules = (regimes, releases, release_choices, backtests, prices, portfolio)
    assert sorted(n for m in modules for n in _viewer_first(m)) == sorted(CALLS)
