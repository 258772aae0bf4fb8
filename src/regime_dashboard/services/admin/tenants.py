"""Tenant services: rename, settings, plan change with an effective date, quota overrides,
members and their tenant roles. Each takes the acting viewer first and refuses anyone but
an admin; each write is validated, version-checked (by `version`, or by the member's role
for tenant_users, which has no version column) and audited in one transaction that bumps
the data version.

A plan change updates the tenant's live subscription (the new plan's price for its billing
cycle, in the subscription's own currency) and appends an `upgraded` / `downgraded` event
(by monthly list price; `price_changed` between equally priced plans). Its effective date
is today or back-dated, never before the subscription's latest event, so the event ledger
stays in order. A tenant always keeps at least one owner.

Every write addresses its tenant by id and first locks that row (one SELECT … FOR UPDATE):
a tenant that no longer exists is a NotFoundError, never an edit of another tenant."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd
from sqlalchemy import Connection
from sqlalchemy.exc import IntegrityError

from ...cache import run_query, write_transaction
from ...metered import METERED_METRICS
from ...queries import admin_reads as reads
from ...queries import audited_writes as writes
from ...queries.audited_writes import Row, TenantChanges
from ...viewer import Viewer
from ..periods import default_usage_month, month_as_of
from ..revenue import RATES_TO_USD
from .checks import TENANT_GONE, check_expected, found, is_uuid, now_utc, require_change
from .errors import InvalidInputError, NotFoundError, conflict
from .impact import cycle_price, plan_change_event, quota_status
from .models import (
    MemberAdd,
    MemberRole,
    PlanChange,
    QuotaOverride,
    Saved,
    TenantRename,
    TenantSettings,
    parse,
)
from .rules import check_metric

__all__ = [
    "GRID_COLUMNS",
    "Loaded",
    "TenantDetail",
    "add_member",
    "change_member_role",
    "change_tenant_plan",
    "clear_quota_override",
    "list_tenants",
    "loaded_state",
    "remove_member",
    "rename_tenant",
    "set_quota_override",
    "tenant_detail",
    "tenant_grid",
    "update_tenant_settings",
    "usage_month",
]


@dataclass(frozen=True)
class TenantDetail:
    members: pd.DataFrame  # admin_reads.MEMBER_COLUMNS
    overrides: pd.DataFrame  # admin_reads.OVERRIDE_COLUMNS
    subscription: pd.DataFrame  # admin_reads.SUBSCRIPTION_COLUMNS, at most one row
    usage: pd.DataFrame  # impact.QUOTA_COLUMNS, the month of usage_month(at)


@dataclass(frozen=True)
class Loaded:
    """What the editor loaded: every edit on the Tenants page starts from these versions
    (kept across reruns by the page), so a save after someone else's is a conflict."""

    tenant: dict[str, Any]  # tenant_id, name, settings_json, version
    subscription: dict[str, Any] | None  # SUBSCRIPTION_COLUMNS but started_at, last_event_at
    overrides: dict[str, int]  # metric -> version
    members: dict[str, tuple[str, str]]  # email -> (user_id, tenant role)


def loaded_state(tenant: Mapping[str, Any], detail: TenantDetail) -> Loaded:
    """The versions an edit of `tenant` (a list_tenants row) starts from."""
    sub, o, m = detail.subscription, detail.overrides, detail.members
    kept = [c for c in sub.columns if c not in ("started_at", "last_event_at")]
    return Loaded(
        tenant={c: tenant[c] for c in ("tenant_id", "name", "settings_json", "version")},
        subscription=None if sub.empty else sub[kept].iloc[0].to_dict(),
        overrides={k: int(v) for k, v in zip(o["metric"], o["version"], strict=True)},
        members={
            e: (str(u), r) for e, u, r in zip(m["email"], m["user_id"], m["role"], strict=True)
        },
    )


def list_tenants(viewer: Viewer) -> pd.DataFrame:
    """Every tenant (admin_reads.TENANT_COLUMNS) by name."""
    viewer.require("admin")
    return run_query(reads.tenants_overview, scope=viewer.scope)


GRID_COLUMNS = {
    **reads.TENANT_GRID_COLUMNS,
    "usage_share": "float64",
    "usage_metric": "str",
}


def _moment(at: dt.datetime | None) -> dt.datetime:
    """`at` (default now) in UTC, to the minute."""
    return (at or now_utc()).astimezone(dt.UTC).replace(second=0, microsecond=0)


def usage_month(at: dt.datetime | None = None) -> tuple[dt.date, dt.date]:
    """(first day, last day counted) of the month whose usage the Tenants page shows at `at`
    (default now, UTC), as the Usage page opens (periods.default_usage_month): the month so
    far once it has MIN_MONTH_TO_DATE_DAYS days, else the whole last month, so the grid
    does not show 0 % for everyone on the 2nd. E.g. at 2026-12-02 -> (2026-11-01,
    2026-11-30); at 2026-11-20 -> (2026-11-01, 2026-11-20)."""
    today = _moment(at).date()
    month = default_usage_month(today)
    return month, month_as_of(month, today)


def _month(at: dt.datetime | None) -> dict[str, Any]:
    """quota_usage's window arguments: usage_month(at), limits as they are at `at`."""
    start, through = usage_month(at)
    return {"month_start": start, "through": through, "at": _moment(at)}


def tenant_grid(viewer: Viewer, *, at: dt.datetime | None = None) -> pd.DataFrame:
    """The admin tenant grid: one row per tenant, by name. Columns GRID_COLUMNS:
    admin_reads.TENANT_GRID_COLUMNS (MRR in USD cents at RATES_TO_USD) plus usage_share =
    the highest used / limit among the metered metrics (METERED_METRICS) over usage_month(at)
    (UTC; the effective limit: an override active at `at` first), NaN when every limit is
    unlimited or there is no live subscription; usage_metric = that metric."""
    viewer.require("admin")
    month = _month(at)
    rates = tuple(sorted(RATES_TO_USD.items()))
    grid = run_query(reads.tenant_grid, scope=viewer.scope, rates=rates)
    usage = run_query(reads.quota_usage, scope=viewer.scope, **month)
    shares = quota_status(usage).assign(tenant_id=usage["tenant_id"].astype(str).to_numpy())
    shares = shares[shares["metric"].isin(METERED_METRICS) & shares["used_share"].notna()]
    top = shares.sort_values("used_share", ascending=False).drop_duplicates("tenant_id")
    top = top.set_index("tenant_id")
    keys = grid["tenant_id"].astype(str)
    return grid.assign(
        usage_share=keys.map(top["used_share"]).astype("float64"),
        usage_metric=keys.map(top["metric"]),
    )


def tenant_detail(viewer: Viewer, tenant_id: str, *, at: dt.datetime | None = None) -> TenantDetail:
    """Members, quota overrides, subscription and usage_month(at)'s usage against limits."""
    viewer.require("admin")
    if not is_uuid(tenant_id):
        raise NotFoundError(TENANT_GONE)
    scope = viewer.scope
    month = _month(at)
    return TenantDetail(
        members=run_query(reads.tenant_members, scope=scope, tenant_id=tenant_id),
        overrides=run_query(reads.tenant_overrides, scope=scope, tenant_id=tenant_id),
        subscription=run_query(reads.tenant_subscription, scope=scope, tenant_id=tenant_id),
        usage=quota_status(run_query(reads.quota_usage, scope=scope, **month, tenant_id=tenant_id)),
    )


def _lock_tenant(conn: Connection, tenant_id: str) -> Row:
    """The tenant row by id, locked FOR UPDATE so that edits of one tenant run one at a
    time; NotFoundError when it is gone (or the id is not a tenant id)."""
    if not is_uuid(tenant_id):
        raise NotFoundError(TENANT_GONE)
    return found(writes.lock_tenant(conn, tenant_id), TENANT_GONE)


def _save_tenant(viewer: Viewer, tenant_id: str, version: int, changes: TenantChanges) -> Saved:
    taken = InvalidInputError.one("name", f"Another tenant is called {changes.get('name')!r}.")
    key = {"id": tenant_id}
    try:
        with write_transaction(viewer) as conn:
            tenant = _lock_tenant(conn, tenant_id)
            name = changes.get("name")
            if name is not None and writes.tenant_name_taken(conn, name=name, tenant_id=tenant_id):
                raise taken
            expected = {"version": version}
            check_expected("tenants", key, tenant, expected=expected, mine=changes)
            require_change(tenant, changes)
            written = writes.update_tenant_row(conn, viewer, locked=tenant, changes=changes)
    except IntegrityError:  # the same name saved for another tenant a moment ago
        raise taken from None
    return Saved.of(key, written)


def rename_tenant(viewer: Viewer, tenant_id: str, *, expected_version: int, name: str) -> Saved:
    """A new name: non-blank, at most 120 characters, unused by other tenants (any case)."""
    viewer.require("admin")
    new = parse(TenantRename, {"name": name})
    return _save_tenant(viewer, tenant_id, expected_version, {"name": new.name})


def update_tenant_settings(
    viewer: Viewer, tenant_id: str, *, expected_version: int, settings: str | Mapping[str, Any]
) -> Saved:
    """Replace tenants.settings_json with a JSON object (text or dict), checked by
    rules.check_settings."""
    viewer.require("admin")
    new = parse(TenantSettings, {"settings": settings})
    return _save_tenant(viewer, tenant_id, expected_version, {"settings_json": new.settings})


def _effective_moment(day: dt.date) -> dt.datetime:
    """Today's changes happen now; back-dated ones at 00:00 UTC of their day."""
    now = now_utc()
    return now if day == now.date() else dt.datetime.combine(day, dt.time(), dt.UTC)


def _target_plan(conn: Connection, sub: Row, plan_id: str) -> Row:
    plan = writes.plan_row(conn, plan_id)
    if plan is None:
        raise InvalidInputError.one("plan_id", f"There is no plan {plan_id!r}.")
    if not plan["is_active"]:
        raise InvalidInputError.one("plan_id", f"Plan {plan_id!r} is retired.")
    if plan_id == sub["plan_id"]:
        raise InvalidInputError.one("plan_id", f"The tenant is on {plan_id!r} already.")
    return plan


def _check_order(conn: Connection, sub: Row, at: dt.datetime) -> None:
    last = writes.last_event_at(conn, sub)
    if last is not None and at <= last:
        raise InvalidInputError.one(
            "effective_date",
            f"The subscription's latest event is at {last.astimezone(dt.UTC):%Y-%m-%d %H:%M} "
            "UTC: the change must take effect after it.",
        )


def _live_subscription(conn: Connection, tenant_id: str, version: int, plan_id: str) -> Row:
    """The tenant's live subscription, locked, if still at `version` (else ConflictError)."""
    _lock_tenant(conn, tenant_id)
    sub = writes.lock_live_subscription(conn, tenant_id)
    if sub is None:
        raise InvalidInputError.one("plan_id", "This tenant has no live subscription.")
    key = {"tenant_id": sub["tenant_id"], "id": sub["id"]}
    expected = {"version": version}
    return check_expected("subscriptions", key, sub, expected=expected, mine={"plan_id": plan_id})


def change_tenant_plan(
    viewer: Viewer,
    tenant_id: str,
    *,
    expected_version: int,
    plan_id: str,
    effective_date: dt.date | str,
) -> Saved:
    """Move the tenant's live subscription (at `expected_version`) to another offered plan
    from `effective_date`: the plan's price for its cycle, plus an upgraded/downgraded event."""
    viewer.require("admin")
    change = parse(PlanChange, {"plan_id": plan_id, "effective_date": effective_date})
    with write_transaction(viewer) as conn:
        sub = _live_subscription(conn, tenant_id, expected_version, change.plan_id)
        plan = _target_plan(conn, sub, change.plan_id)
        at = _effective_moment(change.effective_date)
        _check_order(conn, sub, at)
        old = writes.plan_row(conn, sub["plan_id"]) or plan
        monthly, annual = plan["price_monthly_cents"], plan["price_annual_cents"]
        written, event = writes.update_subscription_row(
            conn,
            viewer,
            locked=sub,
            plan_id=plan["id"],
            price_cents=cycle_price(monthly, annual, sub["billing_cycle"]),
            event_type=plan_change_event(old["price_monthly_cents"], monthly),
            occurred_at=at,
        )
    return Saved.of({"tenant_id": sub["tenant_id"], "id": sub["id"]}, written, event)


def set_quota_override(
    viewer: Viewer,
    tenant_id: str,
    override: QuotaOverride | Mapping[str, Any],
    *,
    expected_version: int | None = None,
) -> Saved:
    """Create (expected_version None) or edit the tenant's override of one metric."""
    viewer.require("admin")
    new = parse(QuotaOverride, override)
    key, values = {"tenant_id": tenant_id, "metric": new.metric}, new.values()
    with write_transaction(viewer) as conn:
        _lock_tenant(conn, tenant_id)
        locked = writes.lock_override(conn, tenant_id, new.metric)
        if expected_version is None:  # a create: someone else's override is a conflict
            if locked is not None:
                raise conflict(
                    "tenant_quota_overrides", key, expected={}, mine=values, current=locked
                )
            written = writes.insert_override_row(
                conn, viewer, tenant_id=tenant_id, metric=new.metric, values=values
            )
            assert written is not None  # the tenant is locked: nobody created it meanwhile
        else:
            expected = {"version": expected_version}
            current = check_expected(
                "tenant_quota_overrides", key, locked, expected=expected, mine=values
            )
            require_change(current, values)
            written = writes.update_override_row(conn, viewer, locked=current, values=values)
    return Saved.of(key, written)


def clear_quota_override(
    viewer: Viewer, tenant_id: str, *, metric: str, expected_version: int
) -> Saved:
    """Delete the tenant's override of `metric` (the plan limit applies again)."""
    viewer.require("admin")
    try:
        key = {"tenant_id": tenant_id, "metric": check_metric(metric)}
    except ValueError as exc:
        raise InvalidInputError.one("metric", str(exc)) from None
    with write_transaction(viewer) as conn:
        _lock_tenant(conn, tenant_id)
        locked = check_expected(
            "tenant_quota_overrides",
            key,
            writes.lock_override(conn, tenant_id, key["metric"]),
            expected={"version": expected_version},
            mine={"deleted": True},
        )
        written = writes.delete_override_row(conn, viewer, locked=locked)
    return Saved.of(key, written)


def add_member(viewer: Viewer, tenant_id: str, member: MemberAdd | Mapping[str, Any]) -> Saved:
    """Make an existing user (by email) a member of the tenant with a tenant role."""
    viewer.require("admin")
    new = parse(MemberAdd, member)
    with write_transaction(viewer) as conn:
        _lock_tenant(conn, tenant_id)
        user_id = writes.user_id_by_email(conn, new.email)
        if user_id is None:
            raise InvalidInputError.one("email", f"No user has the email {new.email}.")
        existing = writes.lock_member(conn, tenant_id, user_id)
        if existing is not None:
            raise InvalidInputError.one(
                "email", f"{new.email} is a member already (role {existing['role']})."
            )
        written = writes.insert_member_row(
            conn, viewer, tenant_id=tenant_id, user_id=user_id, role=new.role
        )
        assert written is not None  # the tenant is locked: nobody added them meanwhile
    return Saved.of({"tenant_id": tenant_id, "user_id": user_id}, written)


def _locked_member(conn: Connection, key: Mapping[str, str], expected_role: str, mine: Row) -> Row:
    """The member row, locked, if it still holds `expected_role` (else ConflictError)."""
    _lock_tenant(conn, key["tenant_id"])
    locked = writes.lock_member(conn, key["tenant_id"], key["user_id"])
    expected = {"role": expected_role}
    return check_expected("tenant_users", key, locked, expected=expected, mine=mine)


def _member_key(tenant_id: str, user_id: str) -> dict[str, str]:
    if not is_uuid(user_id):
        raise InvalidInputError.one("user_id", f"{user_id!r} is not a user id.")
    return {"tenant_id": tenant_id, "user_id": user_id}


def _keep_an_owner(conn: Connection, tenant_id: str, current_role: str, field: str) -> None:
    if current_role == "owner" and writes.owner_count(conn, tenant_id) <= 1:
        raise InvalidInputError.one(
            field, "This is the tenant's only owner: make another member owner first."
        )


def change_member_role(
    viewer: Viewer, tenant_id: str, *, user_id: str, expected_role: str, role: str
) -> Saved:
    """Change a member's tenant role from `expected_role` (what the editor saw)."""
    viewer.require("admin")
    new = parse(MemberRole, {"role": role})
    key = _member_key(tenant_id, user_id)
    with write_transaction(viewer) as conn:
        before = _locked_member(conn, key, expected_role, {"role": role})
        if new.role == before["role"]:
            raise InvalidInputError.one("role", f"The member is {new.role} already.")
        if new.role != "owner":
            _keep_an_owner(conn, tenant_id, before["role"], "role")
        written = writes.update_member_role(conn, viewer, locked=before, role=new.role)
    return Saved.of(key, written)


def remove_member(viewer: Viewer, tenant_id: str, *, user_id: str, expected_role: str) -> Saved:
    """Remove a member (who held `expected_role` when the editor loaded the page)."""
    viewer.require("admin")
    key = _member_key(tenant_id, user_id)
    with write_transaction(viewer) as conn:
        before = _locked_member(conn, key, expected_role, {})
        _keep_an_owner(conn, tenant_id, before["role"], "user_id")
        written = writes.delete_member_row(conn, viewer, locked=before)
    return Saved.of(key, written)
