"""Plan services: list, impact preview, create, edit (with the price policy for existing
subscriptions), retire and restore. Admins only; every write is validated, version-checked
and audited in one transaction that bumps the data version.

Retiring (is_active = false) keeps existing subscriptions on the plan at their price; the
plan only stops being offered. The admin must confirm the number of live subscriptions it
still has, so nobody retires a busy plan by accident (the count is re-checked on save).

Every write addresses its plan by id and first locks that row (one SELECT … FOR UPDATE): a
plan that no longer exists is a NotFoundError, never an edit of another plan."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd
from sqlalchemy import Connection

from ..cache import run_query, write_transaction
from ..queries import admin as q
from ..viewer import Viewer
from .changes import (
    Saved,
    audited_insert,
    audited_update,
    change_subscription,
    check_expected,
    lock_row,
    now_utc,
)
from .errors import InvalidInputError, NotFoundError
from .impact import cycle_price, over_quota_after
from .models import PlanCreate, PlanRetire, PlanUpdate, PricePolicy, parse

__all__ = [
    "PLAN_GONE",
    "PlanImpact",
    "create_plan",
    "list_plans",
    "plan_impact",
    "restore_plan",
    "retire_plan",
    "stored_fields",
    "update_plan",
]


PLAN_GONE = "This plan no longer exists: reload the page to pick another one."


@dataclass(frozen=True)
class PlanImpact:
    """What saving `changes` would do. over_quota: impact.OVER_COLUMNS (tenants over the new
    limits this calendar month); mrr: queries.admin.MRR_COLUMNS per currency."""

    over_quota: pd.DataFrame
    mrr: pd.DataFrame
    live_subscriptions: int
    price_changed: bool

    @property
    def newly_over(self) -> pd.DataFrame:
        """Rows over quota only because of the new limits."""
        return self.over_quota.loc[~self.over_quota["already_over"].astype(bool)]

    @property
    def tenants_newly_over(self) -> int:
        return len(set(self.newly_over["tenant_id"]))


def list_plans(*, viewer: Viewer) -> pd.DataFrame:
    """Every plan (queries.admin.PLAN_COLUMNS), cheapest first."""
    viewer.require("admin")
    return run_query(q.plans_overview, scope=viewer.scope)


def _plan_row(viewer: Viewer, plan_id: str) -> pd.Series:
    plans = list_plans(viewer=viewer)
    found = plans[plans["id"] == plan_id]
    if found.empty:
        raise NotFoundError(PLAN_GONE)
    return found.iloc[0]


def _lock_plan(conn: Connection, plan_id: str) -> dict[str, Any]:
    """The plan row by id, locked FOR UPDATE; NotFoundError when there is none."""
    return lock_row(conn, table="plans", key={"id": str(plan_id)}, gone=PLAN_GONE)


def _cents(value: Any) -> int | None:
    return None if value is None or pd.isna(value) else int(value)


def plan_impact(
    *,
    viewer: Viewer,
    plan_id: str,
    changes: PlanUpdate | Mapping[str, Any],
    at: dt.datetime | None = None,
) -> PlanImpact:
    """Before saving: tenants the new limits put over quota now (usage this calendar month
    up to `at`, default now, against overrides first, then the limits) and the MRR change
    if existing subscriptions move to the new prices."""
    viewer.require("admin")
    new = parse(PlanUpdate, changes)
    plan = _plan_row(viewer, plan_id)
    moment = (at or now_utc()).astimezone(dt.UTC).replace(second=0, microsecond=0)
    usage = run_query(
        q.quota_usage,
        scope=viewer.scope,
        month_start=moment.date().replace(day=1),
        through=moment.date(),
        at=moment,
        plan_id=plan_id,
    )
    mrr = run_query(
        q.plan_mrr_change,
        scope=viewer.scope,
        plan_id=plan_id,
        new_monthly=new.price_monthly_cents,
        new_annual=new.price_annual_cents,
    )
    return PlanImpact(
        over_quota=over_quota_after(usage, new.limits),
        mrr=mrr,
        live_subscriptions=int(plan["live_subscriptions"]),
        price_changed=_price_changed(plan, new),
    )


def _price_changed(plan: Mapping[str, Any], new: PlanUpdate) -> bool:
    return (_cents(plan["price_monthly_cents"]), _cents(plan["price_annual_cents"])) != (
        new.price_monthly_cents,
        new.price_annual_cents,
    )


def stored_fields(plan: PlanUpdate | Mapping[str, Any]) -> str:
    """The editable fields of a plan as canonical JSON text (sorted keys; prices as cents or
    null), from a validated edit or a stored row (`plans_overview`), to tell whether an
    edit changes anything."""
    if isinstance(plan, PlanUpdate):
        fields = _columns(plan)
    else:
        fields = {c: plan[c] for c in ("name", "currency", "features_json", "limits_json")}
        for c in ("price_monthly_cents", "price_annual_cents"):
            fields[c] = _cents(plan[c])
    return json.dumps(fields, sort_keys=True, default=str)


def _columns(plan: PlanUpdate) -> dict[str, Any]:
    return {
        "name": plan.name,
        "price_monthly_cents": plan.price_monthly_cents,
        "price_annual_cents": plan.price_annual_cents,
        "currency": plan.currency,
        "features_json": dict(plan.features),
        "limits_json": dict(plan.limits),
    }


def create_plan(*, viewer: Viewer, plan: PlanCreate | Mapping[str, Any]) -> Saved:
    """A new, active plan."""
    viewer.require("admin")
    new = parse(PlanCreate, plan)
    with write_transaction(viewer) as conn:
        if q.get_row(conn, table="plans", key={"id": new.id}) is not None:
            raise InvalidInputError.one("id", f"A plan with id {new.id!r} exists already.")
        row, audit_id = audited_insert(
            conn, viewer, table="plans", row={"id": new.id, **_columns(new), "is_active": True}
        )
    return Saved("plans", {"id": new.id}, row, (audit_id,))


def _policy(value: PricePolicy | str | None) -> PricePolicy | None:
    try:
        return None if value is None else PricePolicy(value)
    except ValueError:
        choices = ", ".join(p.value for p in PricePolicy)
        raise InvalidInputError.one("price_policy", f"Choose one of: {choices}.") from None


def update_plan(
    *,
    viewer: Viewer,
    plan_id: str,
    expected_version: int,
    changes: PlanUpdate | Mapping[str, Any],
    price_policy: PricePolicy | str | None = None,
) -> Saved:
    """Save every editable field of a plan, from the version the editor loaded. When a price
    changes, `price_policy` must say whether existing live subscriptions keep their price
    (GRANDFATHER) or move to the new one (MOVE: each repriced subscription is updated and
    gets a price_changed event, all audited)."""
    viewer.require("admin")
    new, policy = parse(PlanUpdate, changes), _policy(price_policy)
    with write_transaction(viewer) as conn:
        current = check_expected(
            _lock_plan(conn, plan_id),
            table="plans",
            key={"id": plan_id},
            expected={"version": expected_version},
            mine=_columns(new),
        )
        if _price_changed(current, new) and policy is None:
            raise InvalidInputError.one(
                "price_policy",
                "The price changes: choose whether existing subscriptions keep their price "
                "or move to the new one.",
            )
        row, audit_id = audited_update(
            conn,
            viewer,
            table="plans",
            key={"id": plan_id},
            expected_version=expected_version,
            changes=_columns(new),
            locked=current,
        )
        moved = _move_subscriptions(conn, viewer, row) if policy is PricePolicy.MOVE else ()
    return Saved("plans", {"id": plan_id}, row, (audit_id, *moved))


def _move_subscriptions(conn: Connection, viewer: Viewer, plan: dict[str, Any]) -> tuple[int, ...]:
    """Reprice the plan's live subscriptions; returns the audit ids written."""
    audit_ids: list[int] = []
    for sub in q.live_subscriptions(conn, plan_id=plan["id"]):
        price = cycle_price(
            plan["price_monthly_cents"], plan["price_annual_cents"], sub["billing_cycle"]
        )
        if price != sub["price_cents"]:
            _, written = change_subscription(
                conn, viewer, sub, changes={"price_cents": price}, event_type="price_changed"
            )
            audit_ids += written
    return tuple(audit_ids)


def retire_plan(
    *,
    viewer: Viewer,
    plan_id: str,
    expected_version: int,
    confirmed_live_subscriptions: int | str = 0,
) -> Saved:
    """Stop offering a plan (is_active = false). Its live subscriptions stay on it at their
    price; `confirmed_live_subscriptions` (a number, or the digits typed) must equal their
    number when there are any."""
    viewer.require("admin")
    confirm = {"confirmed_live_subscriptions": confirmed_live_subscriptions}
    confirmed_live_subscriptions = parse(PlanRetire, confirm).confirmed_live_subscriptions
    with write_transaction(viewer) as conn:
        current = _lock_plan(conn, plan_id)
        live = len(q.live_subscriptions(conn, plan_id=plan_id))
        if live and confirmed_live_subscriptions != live:
            raise InvalidInputError.one(
                "confirmed_live_subscriptions",
                f"{live} live subscription(s) stay on this plan at their price: confirm "
                f"that number ({live}) to retire it.",
            )
        return _set_active(conn, viewer, current, expected_version, active=False)


def restore_plan(*, viewer: Viewer, plan_id: str, expected_version: int) -> Saved:
    """Offer a retired plan again."""
    viewer.require("admin")
    with write_transaction(viewer) as conn:
        current = _lock_plan(conn, plan_id)
        return _set_active(conn, viewer, current, expected_version, active=True)


def _set_active(
    conn: Connection,
    viewer: Viewer,
    current: dict[str, Any],
    expected_version: int,
    *,
    active: bool,
) -> Saved:
    """Offer or retire the locked plan row `current`, from `expected_version`."""
    plan_id = current["id"]
    if current["is_active"] is active:
        state = "offered" if active else "retired"
        raise InvalidInputError.one("form", f"Plan {plan_id!r} is {state} already.")
    row, audit_id = audited_update(
        conn,
        viewer,
        table="plans",
        key={"id": plan_id},
        expected_version=expected_version,
        changes={"is_active": active},
        locked=current,
    )
    return Saved("plans", {"id": plan_id}, row, (audit_id,))
