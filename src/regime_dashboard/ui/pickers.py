"""Pickers whose options come from a service, kept in the URL like every other picker
(ui/params.py): the tenant → asset → release picker the Regimes and Releases pages share
(options from services/release_choices.py; a picked release is a `ReleaseSpan`, whose id
is all a service needs), the Prices page's asset, the Portfolio page's tenant → portfolio
picker and the Backtests page's run filters.

Each takes `nothing_yet`: with nothing at all to pick, the page says it (and how to get
demo data) and stops there."""

from __future__ import annotations

from typing import Any, NoReturn

import streamlit as st

from ..services.backtests import RunFilters, run_filter_options, runs_with_equity
from ..services.portfolio import PortfolioBook, portfolio_books
from ..services.prices import PricedAsset, priced_assets
from ..services.release_choices import (
    ReleaseSpan,
    TenantReleases,
    release_choices,
    release_tenants,
)
from ..viewer import Viewer
from .params import BIND, pick

__all__ = [
    "pick_portfolio",
    "pick_priced_asset",
    "pick_release",
    "pick_run_filters",
    "pick_tenant_asset",
]


def _stop(nothing_yet: str) -> NoReturn:
    st.info(nothing_yet)
    st.stop()


def pick_tenant_asset(
    viewer: Viewer, columns: int, *, nothing_yet: str, watchlist_first: bool = False
) -> tuple[TenantReleases, str, list[Any]]:
    """A row of `columns` columns with the Tenant picker (URL `tenant`) in the first and the
    Asset picker (URL `asset`) in the second (the viewer's watchlist assets first, with
    `watchlist_first`: the page's watchlist cards name them). Returns (the tenant's
    releases, the asset, the row's columns)."""
    tenants = release_tenants(viewer)
    if not tenants:
        _stop(nothing_yet)
    box = st.container(horizontal=True, gap="small")  # wraps only when a picker would squeeze
    row = [box.container(width="stretch") for _ in range(columns)]
    tenant_id = pick(row[0], "Tenant", tenants, key="tenant", what="tenant")
    choices = release_choices(viewer, tenant_id, watchlist_first=watchlist_first)
    label = "Asset (watchlist first)" if watchlist_first else "Asset"
    asset = pick(row[1], label, list(choices.assets), key="asset", what="asset")
    return choices, asset, row


def pick_release(
    where: Any,
    label: str,
    releases: dict[str, ReleaseSpan],
    *,
    key: str,
    default: int = 0,
    what: str | None = None,
) -> ReleaseSpan:
    """A release of `releases` ({id: release}, as TenantReleases.of_asset gives them) by
    version, kept in the URL under `key`; a negative `default` counts from the last."""
    versions = {rid: release.version for rid, release in releases.items()}
    index = default if default >= 0 else max(len(versions) + default, 0)
    release_id = pick(where, label, versions, key=key, default=index, what=what)
    return releases[release_id]


def pick_run_filters(viewer: Viewer, *, nothing_yet: str) -> tuple[RunFilters, dict[str, str]]:
    """A row of three multiselects (URL `tenant`, `strategy`, `status`; none chosen: all)
    filtering the backtest runs. Returns (the filters, {run id: label} of the matching runs
    with an equity series: the runs a tearsheet or comparison can show)."""
    options = run_filter_options(viewer)
    if options.total == 0:
        _stop(nothing_yet)
    row = st.columns(3)
    chosen = [
        tuple(where.multiselect(label, list(offered), placeholder="All", key=key, bind=BIND))
        for where, label, key, offered in (
            (row[0], "Tenant", "tenant", options.tenants),
            (row[1], "Strategy", "strategy", options.strategies),
            (row[2], "Status", "status", options.statuses),
        )
    ]
    filters = RunFilters(tenants=chosen[0], strategies=chosen[1], statuses=chosen[2])
    return filters, runs_with_equity(viewer, filters)


def pick_priced_asset(
    viewer: Viewer, widths: list[int], *, nothing_yet: str
) -> tuple[PricedAsset, list[Any]]:
    """A row of columns of `widths` with the Asset picker (URL `asset`) in the first, over
    the assets with usable bars. Returns (the asset, the row's columns)."""
    assets = priced_assets(viewer)
    if not assets:
        _stop(nothing_yet)
    row = st.columns(widths, vertical_alignment="bottom")
    asset_id = pick(row[0], "Asset", list(assets), key="asset", what="asset")
    return assets[asset_id], row


def pick_portfolio(
    viewer: Viewer, columns: int, *, nothing_yet: str
) -> tuple[PortfolioBook, list[Any]]:
    """A row of `columns` columns with the Tenant picker (URL `tenant`) in the first and the
    Portfolio picker (URL `portfolio`) in the second. Returns (the portfolio, the row's
    columns)."""
    books = portfolio_books(viewer)
    if not books:
        _stop(nothing_yet)
    row = st.columns(columns)
    by_name = sorted(books.values(), key=lambda b: b.tenant_name)
    tenants = {b.tenant_id: b.tenant_name for b in by_name}
    tenant_id = pick(row[0], "Tenant", tenants, key="tenant", what="tenant")
    names = {i: b.name for i, b in books.items() if b.tenant_id == tenant_id}
    portfolio_id = pick(row[1], "Portfolio", names, key="portfolio", what="portfolio")
    return books[portfolio_id], row
