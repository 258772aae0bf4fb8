"""What the shared tenant → asset → release picker (ui/pickers.py) offers the Regimes and
Releases pages (`release_tenants`, `release_choices`: viewer first, analysts only), and
the release a picked id stands for. A release determines its tenant and asset: services
take the release id alone and look the rest up here, with the scope-taking helpers
`find_release`, `tenant_releases` and `release_outputs` (for other services, not pages)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from ..cache import run_query
from ..queries import regimes
from ..scope import TenantScope
from ..viewer import Viewer

__all__ = ["ReleaseSpan", "TenantReleases", "release_choices", "release_tenants"]


@dataclass(frozen=True)
class ReleaseSpan:
    """One release as pickers, titles and services name it; first_date and last_date are
    its first and last usable output dates (None without outputs)."""

    release_id: str
    tenant_id: str
    tenant_name: str
    asset_id: str
    asset_name: str
    version: str
    first_date: dt.date | None
    last_date: dt.date | None

    @property
    def has_outputs(self) -> bool:
        return self.first_date is not None and self.last_date is not None


@dataclass(frozen=True)
class TenantReleases:
    """One tenant's releases as the picker offers them: assets (the viewer's watchlist
    assets first when asked, each group alphabetical) and each asset's releases."""

    tenant_id: str
    tenant_name: str
    assets: tuple[str, ...]
    watched: tuple[str, ...]  # the watchlist assets among `assets` ((): not asked)
    releases: tuple[ReleaseSpan, ...]  # by asset then version

    def of_asset(self, asset_id: str, *, with_outputs: bool = False) -> dict[str, ReleaseSpan]:
        """{release id: release} of `asset_id`, by version (only those with outputs)."""
        return {
            r.release_id: r
            for r in self.releases
            if r.asset_id == asset_id and (r.has_outputs or not with_outputs)
        }


def _visible(scope: TenantScope) -> pd.DataFrame:
    """Releases in scope (regimes.RELEASE_COLUMNS, without output dates)."""
    return run_query(regimes.list_releases, scope=scope)


def tenant_releases(scope: TenantScope, tenant_id: str) -> pd.DataFrame:
    """`tenant_id`'s releases (regimes.RELEASE_COLUMNS) with first_date and last_date, the
    first and last usable output dates (None for a release without outputs), and skipped
    (int), its outputs dated outside the supported range."""
    releases = _visible(scope)
    of_tenant = releases[releases["tenant_id"].astype(str) == str(tenant_id)]
    spans = run_query(regimes.release_spans, scope=scope, tenant_id=tenant_id)
    merged = of_tenant.merge(spans, on="release_id", how="left", validate="one_to_one")
    return merged.assign(skipped=merged["skipped"].fillna(0).astype("int64"))


def _date(value: object) -> dt.date | None:
    return None if value is None or pd.isna(value) else pd.Timestamp(value).date()


def _span(row: pd.Series) -> ReleaseSpan:
    return ReleaseSpan(
        release_id=str(row["release_id"]),
        tenant_id=str(row["tenant_id"]),
        tenant_name=str(row["tenant_name"]),
        asset_id=str(row["asset_id"]),
        asset_name=str(row["asset_name"]),
        version=str(row["version"]),
        first_date=_date(row["first_date"]),
        last_date=_date(row["last_date"]),
    )


def release_tenants(viewer: Viewer) -> dict[str, str]:
    """{tenant id: name} of the tenants with a release the viewer may see, by name; empty
    when there is none."""
    viewer.require("analyst")
    rows = _visible(viewer.scope).drop_duplicates("tenant_id")
    rows = rows.sort_values("tenant_name", kind="stable")
    return dict(zip(rows["tenant_id"].astype(str), rows["tenant_name"], strict=True))


def _watchlist(scope: TenantScope, tenant_id: str, user_id: str | None) -> set[str]:
    if user_id is None:
        return set()
    rows = run_query(regimes.watchlist, scope=scope, tenant_id=tenant_id, user_id=user_id)
    return set(rows["asset_id"])


def release_choices(
    viewer: Viewer, tenant_id: str, *, watchlist_first: bool = False
) -> TenantReleases:
    """What the picker offers once `tenant_id` is chosen (its releases with their output
    dates); with `watchlist_first`, the viewer's watchlist assets lead."""
    viewer.require("analyst")
    releases = tenant_releases(viewer.scope, tenant_id)
    assets = sorted(releases["asset_id"].unique())
    watched = _watchlist(viewer.scope, tenant_id, viewer.user_id) if watchlist_first else set()
    first = [a for a in assets if a in watched]
    names = release_tenants(viewer)
    return TenantReleases(
        tenant_id=str(tenant_id),
        tenant_name=names.get(str(tenant_id), str(tenant_id)),
        assets=tuple(first + [a for a in assets if a not in watched]),
        watched=tuple(first),
        releases=tuple(_span(row) for _, row in releases.iterrows()),
    )


def find_release(scope: TenantScope, release_id: str) -> ReleaseSpan:
    """The release `release_id` with its tenant, asset and output dates; LookupError when
    it is not in `scope`."""
    visible = _visible(scope)
    row = visible[visible["release_id"].astype(str) == str(release_id)]
    if row.empty:
        raise LookupError(f"release {release_id} is not visible")
    releases = tenant_releases(scope, str(row["tenant_id"].iloc[0]))
    return _span(releases[releases["release_id"].astype(str) == str(release_id)].iloc[0])


def release_outputs(
    scope: TenantScope, release: ReleaseSpan, start: dt.date, end: dt.date
) -> pd.DataFrame:
    """`release`'s daily outputs from `start` to `end` with the asset's close
    (regimes.SERIES_COLUMNS), dates as datetime64."""
    outputs = run_query(
        regimes.regime_series,
        scope=scope,
        tenant_id=release.tenant_id,
        release_id=release.release_id,
        start=start,
        end=end,
    )
    return outputs.assign(date=pd.to_datetime(outputs["date"]))
