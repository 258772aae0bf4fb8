"""Engine releases, their daily regime outputs and the viewer's watchlists, scoped to the
viewer's tenants. Outputs dated outside `dates.FIRST`..`dates.LAST` are never returned;
`release_spans` counts them per release."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
from sqlalchemy import (
    CTE,
    Connection,
    Select,
    Text,
    and_,
    cast,
    func,
    literal,
    or_,
    select,
    union_all,
)
from sqlalchemy.dialects.postgresql import distinct_on
from sqlalchemy.orm import InstrumentedAttribute

from ..db.models import Asset, EngineOutputDaily, EngineRelease, PriceBar, Tenant, UserAssetSetting
from ..db.models.market import ENGINE_OUTPUT_FIELDS
from ..scope import TenantScope
from ._frames import frame
from .dates import clamp, supported, unsupported

__all__ = [
    "CARD_COLUMNS",
    "LABEL_COLUMNS",
    "OUTPUT_COLUMNS",
    "RELEASE_COLUMNS",
    "SERIES_COLUMNS",
    "SPAN_COLUMNS",
    "WATCHLIST_COLUMNS",
    "list_releases",
    "regime_series",
    "release_labels",
    "release_spans",
    "watchlist",
    "watchlist_tails",
]

RELEASE_COLUMNS = {
    "tenant_id": "object",
    "tenant_name": "str",
    "release_id": "object",
    "asset_id": "str",
    "asset_name": "str",
    "asset_class": "str",
    "calendar": "str",
    "version": "str",
    "release_date": "object",
    "git_commit": "str",
    "data_sha256": "str",
    "env_json": "str",
}
SPAN_COLUMNS = {
    "release_id": "object",
    "first_date": "object",
    "last_date": "object",
    "skipped": "int64",
}
OUTPUT_COLUMNS = {
    "date": "object",
    "regime": "str",
    "confidence": "float64",
    "conviction": "str",
    **dict.fromkeys(ENGINE_OUTPUT_FIELDS[3:], "float64"),
}
SERIES_COLUMNS = {**OUTPUT_COLUMNS, "close": "float64"}
WATCHLIST_COLUMNS = {"asset_id": "str"}
CARD_COLUMNS = {
    "asset_id": "str",
    "asset_name": "str",
    "version": "str",
    "date": "object",
    "regime": "str",
    "confidence": "float64",
}
LABEL_COLUMNS = {
    "field": "str",
    "label": "str",
    "days": "int64",
    "min_confidence": "float64",
    "max_confidence": "float64",
}


def list_releases(conn: Connection, *, scope: TenantScope) -> pd.DataFrame:
    """Every release the viewer may see, by tenant name, asset and version. Columns
    RELEASE_COLUMNS; env_json is the release's environment as JSON text (parsed only where
    shown: 3,000 dicts cost more to decode and cache than the rest of the list). Output
    dates are not here: `release_spans` reads them for one tenant's releases."""
    stmt = (
        select(
            EngineRelease.tenant_id,
            Tenant.name.label("tenant_name"),
            EngineRelease.id.label("release_id"),
            EngineRelease.asset_id,
            Asset.name.label("asset_name"),
            Asset.asset_class,
            Asset.calendar,
            EngineRelease.version,
            EngineRelease.release_date,
            EngineRelease.git_commit,
            EngineRelease.data_sha256,
            cast(EngineRelease.env_json, Text).label("env_json"),
        )
        .join(Tenant, Tenant.id == EngineRelease.tenant_id)
        .join(Asset, Asset.id == EngineRelease.asset_id)
        .where(scope.clause(EngineRelease.tenant_id))
        .order_by(Tenant.name, EngineRelease.asset_id, EngineRelease.version)
    )
    return frame(conn, stmt, RELEASE_COLUMNS)


def release_spans(conn: Connection, *, scope: TenantScope, tenant_id: str) -> pd.DataFrame:
    """First and last output date in dates.FIRST..LAST of each of `tenant_id`'s releases
    (None for a release without such outputs), and `skipped`, its outputs dated outside:
    primary-key probes per release. Columns SPAN_COLUMNS."""
    out = EngineOutputDaily
    same_release = and_(
        scope.clause(out.tenant_id),
        out.tenant_id == EngineRelease.tenant_id,
        out.release_id == EngineRelease.id,
    )
    in_range = and_(same_release, supported(out.date))
    first = select(func.min(out.date)).where(in_range).scalar_subquery()
    last = select(func.max(out.date)).where(in_range).scalar_subquery()
    outside = (
        select(func.count())
        .select_from(out)
        .where(same_release, unsupported(out.date))
        .scalar_subquery()
    )
    stmt = (
        select(
            EngineRelease.id.label("release_id"),
            first.label("first_date"),
            last.label("last_date"),
            outside.label("skipped"),
        )
        .where(scope.clause(EngineRelease.tenant_id), EngineRelease.tenant_id == tenant_id)
        .order_by(EngineRelease.id)
    )
    return frame(conn, stmt, SPAN_COLUMNS)


def regime_series(
    conn: Connection,
    *,
    scope: TenantScope,
    tenant_id: str,
    release_id: str,
    start: dt.date,
    end: dt.date,
) -> pd.DataFrame:
    """One release's daily outputs from `start` to `end` (within dates.FIRST..LAST), by
    date, with the asset's close that day from price_bars (None when there is no bar).
    Columns SERIES_COLUMNS."""
    start, end = clamp(start, end)
    out, rel = EngineOutputDaily, EngineRelease
    stmt = (
        select(*(getattr(out, c) for c in OUTPUT_COLUMNS), PriceBar.close)
        .join(rel, and_(rel.tenant_id == out.tenant_id, rel.id == out.release_id))
        .outerjoin(PriceBar, and_(PriceBar.asset_id == rel.asset_id, PriceBar.date == out.date))
        .where(scope.clause(out.tenant_id), scope.clause(rel.tenant_id))
        .where(out.tenant_id == tenant_id, out.release_id == release_id)
        .where(out.date.between(start, end))
        .order_by(out.date)
    )
    return frame(conn, stmt, SERIES_COLUMNS)


def release_labels(
    conn: Connection, *, scope: TenantScope, tenant_id: str, release_id: str
) -> pd.DataFrame:
    """The labels one release stored over all its outputs (dated in dates.FIRST..LAST):
    one row per (field, label) for field 'regime' and field 'conviction' (label None for
    outputs without a conviction), with the days labelled so and the lowest and highest
    confidence on them; by field, then days descending, then label. Columns
    LABEL_COLUMNS."""
    out = EngineOutputDaily
    mine = (
        scope.clause(out.tenant_id),
        out.tenant_id == tenant_id,
        out.release_id == release_id,
        supported(out.date),
    )

    def per(field: str, column: InstrumentedAttribute[Any]) -> Select:
        return (
            select(
                literal(field).label("field"),
                column.label("label"),
                func.count().label("days"),
                func.min(out.confidence).label("min_confidence"),
                func.max(out.confidence).label("max_confidence"),
            )
            .where(*mine)
            .group_by(column)
        )

    both = union_all(per("regime", out.regime), per("conviction", out.conviction)).subquery()
    stmt = select(*(both.c[c] for c in LABEL_COLUMNS)).order_by(
        both.c.field.desc(), both.c.days.desc(), both.c.label
    )
    return frame(conn, stmt, LABEL_COLUMNS)


def _watched(scope: TenantScope, tenant_id: str, user_id: str) -> Select:
    s = UserAssetSetting
    return select(s.tenant_id, s.asset_id).where(
        scope.clause(s.tenant_id),
        s.tenant_id == tenant_id,
        s.user_id == user_id,
        s.settings_json["watchlist"].astext == "true",
    )


def watchlist(
    conn: Connection, *, scope: TenantScope, tenant_id: str, user_id: str
) -> pd.DataFrame:
    """The assets on `user_id`'s watchlist in `tenant_id` (user_asset_settings whose
    settings_json->>'watchlist' is true), by asset_id. Columns WATCHLIST_COLUMNS."""
    watched = _watched(scope, tenant_id, user_id).subquery()
    stmt = select(watched.c.asset_id).order_by(watched.c.asset_id)
    return frame(conn, stmt, WATCHLIST_COLUMNS)


def _latest_watched_releases(scope: TenantScope, tenant_id: str, user_id: str) -> CTE:
    """One row per watched asset: its latest release (release date, then creation, then
    version)."""
    rel, watched = EngineRelease, _watched(scope, tenant_id, user_id).subquery()
    return (
        select(rel.tenant_id, rel.id.label("release_id"), rel.asset_id, rel.version)
        .join(
            watched, and_(watched.c.tenant_id == rel.tenant_id, watched.c.asset_id == rel.asset_id)
        )
        .where(scope.clause(rel.tenant_id))
        .ext(distinct_on(rel.tenant_id, rel.asset_id))
        .order_by(
            rel.tenant_id,
            rel.asset_id,
            rel.release_date.desc(),
            rel.created_at.desc(),
            rel.version.desc(),
        )
        .cte("latest")
    )


def watchlist_tails(
    conn: Connection, *, scope: TenantScope, tenant_id: str, user_id: str, window: int
) -> pd.DataFrame:
    """For each watchlist asset, the tail of its latest release's outputs (those dated in
    dates.FIRST..LAST): every row of the last regime spell, plus the last `window` rows (for
    a confidence trend), by asset_id then date. Columns CARD_COLUMNS."""
    out, latest = EngineOutputDaily, _latest_watched_releases(scope, tenant_id, user_id)
    ranked = (
        select(
            latest.c.asset_id,
            latest.c.version,
            out.release_id,
            out.date,
            out.regime,
            out.confidence,
            func.row_number()
            .over(partition_by=out.release_id, order_by=out.date.desc())
            .label("back"),
            func.first_value(out.regime)
            .over(partition_by=out.release_id, order_by=out.date.desc())
            .label("last_regime"),
        )
        .join(
            latest, and_(out.tenant_id == latest.c.tenant_id, out.release_id == latest.c.release_id)
        )
        .where(scope.clause(out.tenant_id), supported(out.date))
        .cte("ranked")
    )
    left_spell = func.bool_or(ranked.c.regime != ranked.c.last_regime).over(
        partition_by=ranked.c.release_id, order_by=ranked.c.date.desc()
    )
    marked = select(ranked, left_spell.label("before_spell")).cte("marked")
    stmt = (
        select(
            marked.c.asset_id,
            Asset.name.label("asset_name"),
            marked.c.version,
            marked.c.date,
            marked.c.regime,
            marked.c.confidence,
        )
        .join(Asset, Asset.id == marked.c.asset_id)
        .where(or_(marked.c.before_spell.is_(False), marked.c.back <= window))
        .order_by(marked.c.asset_id, marked.c.date)
    )
    return frame(conn, stmt, CARD_COLUMNS)
