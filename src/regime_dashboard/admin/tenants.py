"""Tenant services: rename, settings, plan change with an effective date, quota overrides,
members and their tenant roles. Admins only; each write is validated, version-checked (by
`version`, or by the member's role for tenant_users, which has no version column) and
audited in one transaction that bumps the data version.

A plan change updates the tenant's live subscription (the new plan's price for its billing
cycle, in the subscription's own currency) and appends an `upgraded` / `downgraded` event
(by monthly list price; `price_changed` between equally priced plans). Its effective date
is today or back-dated, never before the subscription's latest event, so the event ledger
stays in order. A tenant always keeps at least one owner.

Every write addresses its tenant by id and first locks that row (one SELECT … FOR UPDATE):
a tenant that no longer exists is a NotFoundError, never an edit of another tenant."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd
from sqlalchemy import Connection
from sqlalchemy.exc import IntegrityError

from ..cache import run_query, write_transaction
from ..queries import admin as q
from ..viewer import Viewer
from .changes import (
    Saved,
    audited_delete,
    audited_insert,
    audited_update,
    change_subscription,
    lock_row,
    locked_current,
    now_utc,
    record,
)
from .errors import ConflictError, InvalidInputError, NotFoundError
from .impact import cycle_price, plan_change_event, quota_status
from .models import (
    MemberAdd,
    MemberRole,
    PlanChange,
    QuotaOverride,
    TenantRename,
    TenantSettings,
    parse,
)
from .rules import check_metric

__all__ = [
    "TENANT_GONE",
    "TenantDetail",
    "add_member",
    "change_member_role",
    "change_tenant_plan",
    "clear_quota_override",
    "list_tenants",
    "remove_member",
    "rename_tenant",
    "set_quota_override",
    "tenant_detail",
    "update_tenant_settings",
]


@dataclass(frozen=True)
class TenantDetail:
    members: pd.DataFrame  # queries.admin.MEMBER_COLUMNS
    overrides: pd.DataFrame  # queries.admin.OVERRIDE_COLUMNS
    subscription: pd.DataFrame  # queries.admin.SUBSCRIPTION_COLUMNS, at most one row
    usage: pd.DataFrame  # impact.QUOTA_COLUMNS, this calendar month


def list_tenants(*, viewer: Viewer) -> pd.DataFrame:
    """Every tenant (queries.admin.TENANT_COLUMNS) by name."""
    viewer.require("admin")
    return run_query(q.tenants_overview, scope=viewer.scope)


def tenant_detail(*, viewer: Viewer, tenant_id: str, at: dt.datetime | None = None) -> TenantDetail:
    """Members, quota overrides, subscription and this month's usage against limits."""
    viewer.require("admin")
    if not _is_uuid(tenant_id):
        raise NotFoundError(TENANT_GONE)
    scope = viewer.scope
    moment = (at or now_utc()).astimezone(dt.UTC).replace(second=0, microsecond=0)
    return TenantDetail(
        members=run_query(q.tenant_members, scope=scope, tenant_id=tenant_id),
        overrides=run_query(q.tenant_overrides, scope=scope, tenant_id=tenant_id),
        subscription=run_query(q.tenant_subscription, scope=scope, tenant_id=tenant_id),
        usage=quota_status(
            run_query(
                q.quota_usage,
                scope=scope,
                month_start=moment.date().replace(day=1),
                through=moment.date(),
                at=moment,
                tenant_id=tenant_id,
            )
        ),
    )


def _is_uuid(value: object) -> bool:
    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True


def _member_key(tenant_id: str, user_id: str) -> dict[str, str]:
    if not _is_uuid(user_id):
        raise InvalidInputError.one("user_id", f"{user_id!r} is not a user id.")
    return {"tenant_id": tenant_id, "user_id": user_id}


TENANT_GONE = "This tenant no longer exists: reload the page to pick another one."


def _lock_tenant(conn: Connection, tenant_id: str) -> dict[str, Any]:
    """The tenant row by id, locked FOR UPDATE so that edits of one tenant run one at a
    time; NotFoundError when it is gone (or the id is not a tenant id)."""
    if not _is_uuid(tenant_id):
        raise NotFoundError(TENANT_GONE)
    return lock_row(conn, table="tenants", key={"id": tenant_id}, gone=TENANT_GONE)


def _save_tenant(viewer: Viewer, tenant_id: str, version: int, changes: dict[str, Any]) -> Saved:
    taken = InvalidInputError.one("name", f"Another tenant is called {changes.get('name')!r}.")
    try:
        with write_transaction(viewer) as conn:
            tenant = _lock_tenant(conn, tenant_id)
            name = changes.get("name")
            if name is not None and q.tenant_name_taken(conn, name=name, tenant_id=tenant_id):
                raise taken
            row, audit_id = audited_update(
                conn,
                viewer,
                table="tenants",
                key={"id": tenant_id},
                expected_version=version,
                changes=changes,
                locked=tenant,
            )
    except IntegrityError:  # the same name saved for another tenant a moment ago
        raise taken from None
    return Saved("tenants", {"id": tenant_id}, row, (audit_id,))


def rename_tenant(*, viewer: Viewer, tenant_id: str, expected_version: int, name: str) -> Saved:
    """A new name: non-blank, at most 120 characters, unused by other tenants (any case)."""
    viewer.require("admin")
    new = parse(TenantRename, {"name": name})
    return _save_tenant(viewer, tenant_id, expected_version, {"name": new.name})


def update_tenant_settings(
    *, viewer: Viewer, tenant_id: str, expected_version: int, settings: str | Mapping[str, Any]
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


def _target_plan(conn: Connection, sub: Mapping[str, Any], plan_id: str) -> dict[str, Any]:
    plan = q.get_row(conn, table="plans", key={"id": plan_id})
    if plan is None:
        raise InvalidInputError.one("plan_id", f"There is no plan {plan_id!r}.")
    if not plan["is_active"]:
        raise InvalidInputError.one("plan_id", f"Plan {plan_id!r} is retired.")
    if plan_id == sub["plan_id"]:
        raise InvalidInputError.one("plan_id", f"The tenant is on {plan_id!r} already.")
    return plan


def _check_order(conn: Connection, sub: Mapping[str, Any], at: dt.datetime) -> None:
    last = q.last_event_at(conn, tenant_id=sub["tenant_id"], subscription_id=sub["id"])
    if last is not None and at <= last:
        raise InvalidInputError.one(
            "effective_date",
            f"The subscription's latest event is at {last.astimezone(dt.UTC):%Y-%m-%d %H:%M} "
            "UTC: the change must take effect after it.",
        )


def _live_subscription(
    conn: Connection, tenant_id: str, version: int, plan_id: str
) -> dict[str, Any]:
    """The tenant's live subscription, locked, if still at `version` (else ConflictError)."""
    _lock_tenant(conn, tenant_id)
    sub = q.current_subscription(conn, tenant_id=tenant_id)
    if sub is None:
        raise InvalidInputError.one("plan_id", "This tenant has no live subscription.")
    if sub["version"] != version:
        raise ConflictError(
            table="subscriptions",
            row_key=q.row_key("subscriptions", sub),
            expected_version=version,
            mine={"plan_id": plan_id, "version": version},
            current=sub,
        )
    return sub


def change_tenant_plan(
    *,
    viewer: Viewer,
    tenant_id: str,
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
        old = q.get_row(conn, table="plans", key={"id": sub["plan_id"]}) or plan
        monthly, annual = plan["price_monthly_cents"], plan["price_annual_cents"]
        after, ids = change_subscription(
            conn,
            viewer,
            sub,
            changes={
                "plan_id": plan["id"],
                "price_cents": cycle_price(monthly, annual, sub["billing_cycle"]),
            },
            event_type=plan_change_event(old["price_monthly_cents"], monthly),
            occurred_at=at,
        )
    return Saved("subscriptions", q.row_key("subscriptions", after), after, tuple(ids))


def _new_override(
    conn: Connection, viewer: Viewer, key: dict[str, Any], values: dict[str, Any]
) -> tuple[dict[str, Any], int]:
    """Create an override, unless one exists (someone else's: a conflict)."""
    table = "tenant_quota_overrides"
    current = q.get_row(conn, table=table, key=key, lock=True)
    if current is not None:
        raise ConflictError(
            table=table,
            row_key=key,
            expected_version=None,
            mine=q.jsonable(values),
            current=current,
        )
    row = {**key, **values, "created_by": viewer.user_id}
    return audited_insert(conn, viewer, table=table, row=row)


def set_quota_override(
    *,
    viewer: Viewer,
    tenant_id: str,
    override: QuotaOverride | Mapping[str, Any],
    expected_version: int | None = None,
) -> Saved:
    """Create (expected_version None) or edit the tenant's override of one metric."""
    viewer.require("admin")
    new = parse(QuotaOverride, override)
    key = {"tenant_id": tenant_id, "metric": new.metric}
    values = {"limit_value": new.limit_value, "reason": new.reason, "expires_at": new.expires_at}
    table = "tenant_quota_overrides"
    with write_transaction(viewer) as conn:
        _lock_tenant(conn, tenant_id)
        if expected_version is None:
            saved, audit_id = _new_override(conn, viewer, key, values)
        else:
            saved, audit_id = audited_update(
                conn,
                viewer,
                table=table,
                key=key,
                expected_version=expected_version,
                changes=values,
            )
    return Saved(table, key, saved, (audit_id,))


def clear_quota_override(
    *, viewer: Viewer, tenant_id: str, metric: str, expected_version: int
) -> Saved:
    """Delete the tenant's override of `metric` (the plan limit applies again)."""
    viewer.require("admin")
    try:
        key = {"tenant_id": tenant_id, "metric": check_metric(metric)}
    except ValueError as exc:
        raise InvalidInputError.one("metric", str(exc)) from None
    with write_transaction(viewer) as conn:
        _lock_tenant(conn, tenant_id)
        _, audit_id = audited_delete(
            conn,
            viewer,
            table="tenant_quota_overrides",
            key=key,
            expected={"version": expected_version},
        )
    return Saved("tenant_quota_overrides", key, None, (audit_id,))


def add_member(*, viewer: Viewer, tenant_id: str, member: MemberAdd | Mapping[str, Any]) -> Saved:
    """Make an existing user (by email) a member of the tenant with a tenant role."""
    viewer.require("admin")
    new = parse(MemberAdd, member)
    with write_transaction(viewer) as conn:
        _lock_tenant(conn, tenant_id)
        user_id = q.user_id_by_email(conn, email=new.email)
        if user_id is None:
            raise InvalidInputError.one("email", f"No user has the email {new.email}.")
        key = {"tenant_id": tenant_id, "user_id": user_id}
        existing = q.get_row(conn, table="tenant_users", key=key)
        if existing is not None:
            raise InvalidInputError.one(
                "email", f"{new.email} is a member already (role {existing['role']})."
            )
        row, audit_id = audited_insert(
            conn, viewer, table="tenant_users", row={**key, "role": new.role}
        )
    return Saved("tenant_users", key, row, (audit_id,))


def _keep_an_owner(conn: Connection, tenant_id: str, current_role: str, field: str) -> None:
    if current_role == "owner" and q.owner_count(conn, tenant_id=tenant_id) <= 1:
        raise InvalidInputError.one(
            field, "This is the tenant's only owner: make another member owner first."
        )


def change_member_role(
    *, viewer: Viewer, tenant_id: str, user_id: str, expected_role: str, role: str
) -> Saved:
    """Change a member's tenant role from `expected_role` (what the editor saw)."""
    viewer.require("admin")
    new = parse(MemberRole, {"role": role})
    key = _member_key(tenant_id, user_id)
    with write_transaction(viewer) as conn:
        _lock_tenant(conn, tenant_id)
        before = locked_current(
            conn,
            table="tenant_users",
            key=key,
            expected={"role": expected_role},
            mine={"role": role},
        )
        if new.role == before["role"]:
            raise InvalidInputError.one("role", f"The member is {new.role} already.")
        if new.role != "owner":
            _keep_an_owner(conn, tenant_id, before["role"], "role")
        after = q.update_matching(
            conn,
            table="tenant_users",
            key=key,
            expected={"role": before["role"]},
            changes={"role": new.role},
        )
        assert after is not None  # locked and matched above
        audit_id = record(
            conn, viewer, table="tenant_users", action="update", before=before, after=after
        )
    return Saved("tenant_users", key, after, (audit_id,))


def remove_member(*, viewer: Viewer, tenant_id: str, user_id: str, expected_role: str) -> Saved:
    """Remove a member (who held `expected_role` when the editor loaded the page)."""
    viewer.require("admin")
    key = _member_key(tenant_id, user_id)
    with write_transaction(viewer) as conn:
        _lock_tenant(conn, tenant_id)
        before = locked_current(
            conn, table="tenant_users", key=key, expected={"role": expected_role}, mine={}
        )
        _keep_an_owner(conn, tenant_id, before["role"], "user_id")
        _, audit_id = audited_delete(
            conn, viewer, table="tenant_users", key=key, expected={"role": expected_role}
        )
    return Saved("tenant_users", key, None, (audit_id,))
