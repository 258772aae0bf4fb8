"""Demo alert rules and fired alerts, so Home shows some (docs/user-settings.md).

The demo analyst gets rules on the first two assets of their first tenant's watchlist
(regime change, confidence below 60 %, conviction change; regime change) and a data-mismatch
rule on every watched asset of that tenant; the demo admin gets a regime-change rule on an
asset of a tenant the analyst does not belong to. The evaluator then runs once over the
last `days` days of outputs, stamping the firings `as_of` noon UTC: the same seed and as-of
give the same rows (notification ids derive from their dedup keys). No webhooks."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Connection, create_engine, pool

from ..alerts.evaluate import Summary, evaluate
from ..db.engine import normalise_url
from ..queries import regimes
from ..queries import user_settings as q
from ..queries.auth import session_account
from ..scope import TenantScope
from ..user_settings import AlertRule, AssetSettings, dump, parse
from .tenants import DEMO_ACCOUNTS

__all__ = ["DEMO_RULES", "seed_alerts"]

EVERYTHING = TenantScope.everything()
DEMO_RULES = (
    (
        AlertRule(kind="regime_change"),
        AlertRule(kind="confidence_below", threshold=0.6),
        AlertRule(kind="conviction_change"),
    ),
    (AlertRule(kind="regime_change"),),
)
MISMATCH = AlertRule(kind="data_mismatch")


def _user_id(conn: Connection, role: str) -> str | None:
    email = next(a.email for a in DEMO_ACCOUNTS if a.role == role)
    account = session_account(conn, email=email)
    return None if account is None else str(account["user_id"])


def _add_rules(
    conn: Connection, at: dt.datetime, where: dict[str, Any], rules: tuple[AlertRule, ...]
) -> None:
    """Add `rules` to the document named by `where` (tenant_id, user_id, asset_id), creating
    it at `at` when missing."""
    where = {"scope": EVERYTHING, **where}
    stored = parse(q.lock_document(conn, created_at=at, **where))
    settings = stored if isinstance(stored, AssetSettings) else AssetSettings()
    kept = tuple(r for r in settings.alerts if r not in rules)
    changed = settings.model_copy(update={"alerts": kept + rules})
    q.write_document(conn, document=dump(changed), **where)


def _analyst_rules(conn: Connection, at: dt.datetime, analyst: str) -> None:
    docs = q.documents_of(conn, scope=EVERYTHING, user_id=analyst)
    if docs.empty:
        return
    tenant_id = str(docs["tenant_id"].iloc[0])
    assets = list(docs.loc[docs["tenant_id"] == tenant_id, "asset_id"])
    for asset_id, rules in zip(assets, DEMO_RULES, strict=False):
        _add_rules(
            conn, at, {"tenant_id": tenant_id, "user_id": analyst, "asset_id": asset_id}, rules
        )
    for asset_id in assets:
        where = {"tenant_id": tenant_id, "user_id": analyst, "asset_id": asset_id}
        _add_rules(conn, at, where, (MISMATCH,))


def _admin_rule(conn: Connection, at: dt.datetime, admin: str, analyst_tenants: set[str]) -> None:
    releases = regimes.list_releases(conn, scope=EVERYTHING)
    others = releases[~releases["tenant_id"].astype(str).isin(analyst_tenants)]
    if not others.empty:
        first = others.iloc[0]
        where = {
            "tenant_id": str(first["tenant_id"]),
            "user_id": admin,
            "asset_id": str(first["asset_id"]),
        }
        _add_rules(conn, at, where, DEMO_RULES[1])


def seed_alerts(
    url: str,
    *,
    as_of: dt.date,
    days: int = 30,
) -> Summary:
    """Write the demo rules into the seeded database at `url` and fire them over the last
    `days` days before `as_of` (see the module). Call it after the seed has committed; it
    does not bump the data version (the seed does)."""
    engine = create_engine(normalise_url(url), poolclass=pool.NullPool)
    noon = dt.datetime.combine(as_of, dt.time(12), tzinfo=dt.UTC)
    try:
        with engine.begin() as conn:
            analyst, admin = _user_id(conn, "analyst"), _user_id(conn, "admin")
            if analyst is not None:
                _analyst_rules(conn, noon, analyst)
                tenants = set(q.documents_of(conn, scope=EVERYTHING, user_id=analyst)["tenant_id"])
                if admin is not None:
                    _admin_rule(conn, noon, admin, {str(t) for t in tenants})
        since = as_of - dt.timedelta(days=days)
        return evaluate(engine, since, fired_at=noon, deliver=False, bump_version=False)
    finally:
        engine.dispose()
