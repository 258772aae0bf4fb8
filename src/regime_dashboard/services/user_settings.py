"""An analyst's own settings per (tenant, asset): the watchlist star, the chart defaults, and
(services/alerts.py) the alert rules, all in one `user_asset_settings` document
(docs/user-settings.md).

Every function takes the viewer first and allows analysts and admins only, for tenants in
the viewer's scope only, and reads or writes only the viewer's own document (their user id
is a bound parameter of every statement). A write locks the document, applies one change to
what is stored (keys other services wrote are kept) and bumps the data version, in one
transaction on the primary. A stored document that does not fit the model is never
overwritten by an edit: the edit returns `UNREADABLE`-style markers and writes nothing until
the viewer resets it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd

from ..cache import get_engine, run_query
from ..queries import user_settings as q
from ..queries.versions import bump_data_version
from ..user_settings import AssetSettings, ChartDefaults, Unreadable, dump, parse
from ..viewer import PermissionDeniedError, Viewer

__all__ = [
    "UnknownAssetError",
    "asset_settings",
    "change_settings",
    "chart_defaults",
    "check_editable",
    "reset_settings",
    "save_chart_defaults",
    "star_tenants",
    "toggle_watchlist",
]

Change = Callable[[AssetSettings], AssetSettings]


class UnknownAssetError(LookupError):
    """The asset does not exist (nothing was written)."""


def check_editable(viewer: Viewer, tenant_id: str) -> str:
    """The viewer's user id, once it is clear they may keep settings in `tenant_id`: an
    analyst (or admin), signed in as an account, and the tenant in their scope."""
    viewer.require("analyst")
    if viewer.user_id is None:
        raise PermissionDeniedError(f"{viewer.email} has no account to keep settings for")
    if not viewer.scope.allows(tenant_id):
        raise PermissionDeniedError(f"{viewer.email} may not keep settings in this tenant")
    return viewer.user_id


def asset_settings(viewer: Viewer, tenant_id: str, asset_id: str) -> AssetSettings | Unreadable:
    """The viewer's settings for `asset_id` in `tenant_id` (the defaults when they have
    none), or an `Unreadable` marker when the stored document does not fit the model."""
    user_id = check_editable(viewer, tenant_id)
    found = run_query(
        q.settings_document,
        scope=viewer.scope,
        tenant_id=tenant_id,
        user_id=user_id,
        asset_id=asset_id,
    )
    return parse(None if found.empty else found["settings_json"].iloc[0])


def change_settings(
    viewer: Viewer, tenant_id: str, asset_id: str, change: Change, *, reset: bool = False
) -> AssetSettings | Unreadable:
    """Apply `change` to the viewer's stored document in one transaction (which also bumps
    the data version) and return what was written. An unreadable stored document is left
    as it is and its marker returned, unless `reset` (then the change starts from the
    defaults)."""
    user_id = check_editable(viewer, tenant_id)
    where: dict[str, Any] = {"scope": viewer.scope, "tenant_id": tenant_id, "user_id": user_id}
    with get_engine().begin() as conn:
        if not q.asset_exists(conn, asset_id=asset_id):
            raise UnknownAssetError(f"unknown asset {asset_id!r}")
        stored = parse(q.lock_document(conn, asset_id=asset_id, **where))
        if isinstance(stored, Unreadable):
            if not reset:
                return stored
            stored = AssetSettings()
        changed = change(stored)
        q.write_document(conn, asset_id=asset_id, document=dump(changed), **where)
        bump_data_version(conn)
    return changed


def toggle_watchlist(viewer: Viewer, tenant_id: str, asset_id: str) -> AssetSettings | Unreadable:
    """Add `asset_id` to the viewer's watchlist in `tenant_id`, or remove it."""
    return change_settings(
        viewer, tenant_id, asset_id, lambda s: s.model_copy(update={"watchlist": not s.watchlist})
    )


def save_chart_defaults(
    viewer: Viewer, tenant_id: str, asset_id: str, chart: ChartDefaults
) -> AssetSettings | Unreadable:
    """Keep `chart` as how the asset's charts open for the viewer. Keys of the stored chart
    defaults that ChartDefaults does not know are kept."""
    chart = ChartDefaults.model_validate(chart.model_dump())

    def apply(settings: AssetSettings) -> AssetSettings:
        unknown = dict(settings.chart.model_extra or {})
        merged = ChartDefaults.model_validate({**unknown, **chart.model_dump(mode="json")})
        return settings.model_copy(update={"chart": merged})

    return change_settings(viewer, tenant_id, asset_id, apply)


def chart_defaults(viewer: Viewer, tenant_id: str, asset_id: str) -> ChartDefaults:
    """How the asset's charts open for the viewer: their saved defaults, else (none saved,
    or the document unreadable) the model's defaults. A page passes them as its widgets'
    defaults, so a shared link, which seeds the widgets, still wins."""
    settings = asset_settings(viewer, tenant_id, asset_id)
    return settings.chart if isinstance(settings, AssetSettings) else ChartDefaults()


def reset_settings(viewer: Viewer, tenant_id: str, asset_id: str) -> AssetSettings:
    """Replace the viewer's document (an unreadable one included) with the defaults."""
    result = change_settings(viewer, tenant_id, asset_id, lambda s: s, reset=True)
    return result if isinstance(result, AssetSettings) else AssetSettings()


def star_tenants(viewer: Viewer) -> pd.DataFrame:
    """The tenants the viewer may keep a watchlist in (their scope), by name: for a page
    without a tenant picker. Columns queries.user_settings.TENANT_COLUMNS."""
    viewer.require("analyst")
    return run_query(q.scope_tenants, scope=viewer.scope)
