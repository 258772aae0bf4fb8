"""Plan services: list, impact preview, create, edit (with the price policy for existing
subscriptions), retire and restore. Each takes the acting viewer first and refuses anyone
but an admin; every write is validated, version-checked and audited in one transaction that
bumps the data version.

Retiring (is_active = false) keeps existing subscriptions on the plan at their price; the
plan only stops being offered. The admin must confirm the number of live subscriptions it
still has, so nobody retires a busy plan by accident (the count is re-checked on save).

Every write addresses its plan by id and locks that row once (SELECT … FOR UPDATE): a plan
that no longer exists is a NotFoundError, never an edit of another plan."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

import pandas as pd
from sqlalchemy import Connection

from ...cache import run_query, write_transaction
from ...queries import admin_reads as reads
from ...queries import audited_writes as writes
from ...queries.audited_writes import PlanValues, Row
from ...viewer import Viewer
from .checks import PLAN_GONE, check_expected, found, now_utc, require_change
from .errors import InvalidInputError, NotFoundError, conflict
from .impact import cycle_price, over_quota_after
from .models import PlanCreate, PlanRetire, PlanUpdate, PricePolicy, Saved, parse

__all__ = [
    "PlanImpact",
    "create_plan",
    "list_plans",
    "plan_impact",
    "restore_plan",
    "retire_plan",
    "update_plan",
]


@dataclass(frozen=True)
class PlanImpact:
    """What saving an edit would do. over_quota: impact.OVER_COLUMNS (tenants over the new
    limits this calendar month); mrr: admin_reads.MRR_COLUMNS per currency."""

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


def list_plans(viewer: Viewer) -> pd.DataFrame:
    """Every plan (admin_reads.PLAN_ROW_COLUMNS), cheapest first."""
    viewer.require("admin")
    return run_query(reads.plans_overview, scope=viewer.scope)


def _price_changed(plan: Mapping[str, Any], new: PlanValues) -> bool:
    old = PlanValues.of(plan)
    return (old.price_monthly_cents, old.price_annual_cents) != (
        new.price_monthly_cents,
        new.price_annual_cents,
    )


def plan_impact(
    viewer: Viewer,
    plan_id: str,
    changes: PlanUpdate | Mapping[str, Any],
    *,
    at: dt.datetime | None = None,
) -> PlanImpact:
    """Before saving the validated edit `changes`: tenants the new limits put over quota now
    (usage this calendar month up to `at`, default now, against overrides first, then the
    limits) and the MRR change if existing subscriptions move to the new prices."""
    viewer.require("admin")
    new = parse(PlanUpdate, changes)
    plans = list_plans(viewer)
    found_rows = plans[plans["id"] == plan_id]
    if found_rows.empty:
        raise NotFoundError(PLAN_GONE)
    plan = found_rows.iloc[0].to_dict()
    moment = (at or now_utc()).astimezone(dt.UTC).replace(second=0, microsecond=0)
    usage = run_query(
        reads.quota_usage,
        scope=viewer.scope,
        month_start=moment.date().replace(day=1),
        through=moment.date(),
        at=moment,
        plan_id=plan_id,
    )
    mrr = run_query(
        reads.plan_mrr_change,
        scope=viewer.scope,
        plan_id=plan_id,
        new_monthly=new.price_monthly_cents,
        new_annual=new.price_annual_cents,
    )
    return PlanImpact(
        over_quota=over_quota_after(usage, new.limits),
        mrr=mrr,
        live_subscriptions=int(plan["live_subscriptions"]),
        price_changed=_price_changed(plan, new.values()),
    )


def create_plan(viewer: Viewer, plan: PlanCreate | Mapping[str, Any]) -> Saved:
    """A new, offered plan."""
    viewer.require("admin")
    new = parse(PlanCreate, plan)
    values = new.values()
    with write_transaction(viewer) as conn:
        if writes.lock_plan(conn, new.id) is not None:
            raise InvalidInputError.one("id", f"A plan with id {new.id!r} exists already.")
        written = writes.insert_plan_row(conn, viewer, plan_id=new.id, values=values)
        if written is None:  # created by someone else a moment ago
            current = writes.plan_row(conn, new.id)
            raise conflict(
                "plans", {"id": new.id}, expected={}, mine=asdict(values), current=current
            )
    return Saved.of({"id": new.id}, written)


def _policy(value: PricePolicy | str | None) -> PricePolicy | None:
    try:
        return None if value is None else PricePolicy(value)
    except ValueError:
        choices = ", ".join(p.value for p in PricePolicy)
        raise InvalidInputError.one("price_policy", f"Choose one of: {choices}.") from None


def update_plan(
    viewer: Viewer,
    plan_id: str,
    *,
    expected_version: int,
    changes: PlanUpdate | Mapping[str, Any],
    price_policy: PricePolicy | str | None = None,
) -> Saved:
    """Save every editable field of a plan (the validated `changes`), from the version the
    editor loaded. When a price changes, `price_policy` must say whether existing live
    subscriptions keep their price (GRANDFATHER) or move to the new one (MOVE: each
    repriced subscription is updated and gets a price_changed event, all audited)."""
    viewer.require("admin")
    values, policy = parse(PlanUpdate, changes).values(), _policy(price_policy)
    with write_transaction(viewer) as conn:
        locked = check_expected(
            "plans",
            {"id": plan_id},
            found(writes.lock_plan(conn, plan_id), PLAN_GONE),
            expected={"version": expected_version},
            mine=asdict(values),
        )
        if _price_changed(locked, values) and policy is None:
            raise InvalidInputError.one(
                "price_policy",
                "The price changes: choose whether existing subscriptions keep their price "
                "or move to the new one.",
            )
        require_change(locked, asdict(values))
        written = writes.update_plan_row(conn, viewer, locked=locked, values=values)
        moved = _move_subscriptions(conn, viewer, written.row) if policy is PricePolicy.MOVE else ()
    return Saved.of({"id": plan_id}, written, *moved)


def _move_subscriptions(conn: Connection, viewer: Viewer, plan: Row | None) -> tuple[int, ...]:
    """Reprice the plan's live subscriptions; returns the audit ids written."""
    assert plan is not None
    audit_ids: list[int] = []
    for sub in writes.lock_live_subscriptions(conn, plan["id"]):
        price = cycle_price(
            plan["price_monthly_cents"], plan["price_annual_cents"], sub["billing_cycle"]
        )
        if price != sub["price_cents"]:
            written, event = writes.update_subscription_row(
                conn, viewer, locked=sub, price_cents=price, event_type="price_changed"
            )
            audit_ids += [written.audit_id, event]
    return tuple(audit_ids)


def retire_plan(
    viewer: Viewer,
    plan_id: str,
    *,
    expected_version: int,
    confirmed_live_subscriptions: int | str = 0,
) -> Saved:
    """Stop offering a plan (is_active = false). Its live subscriptions stay on it at their
    price; `confirmed_live_subscriptions` (a number, or the digits typed) must equal their
    number when there are any."""
    viewer.require("admin")
    confirm = {"confirmed_live_subscriptions": confirmed_live_subscriptions}
    confirmed = parse(PlanRetire, confirm).confirmed_live_subscriptions
    with write_transaction(viewer) as conn:
        locked = found(writes.lock_plan(conn, plan_id), PLAN_GONE)
        live = len(writes.lock_live_subscriptions(conn, plan_id))
        if live and confirmed != live:
            raise InvalidInputError.one(
                "confirmed_live_subscriptions",
                f"{live} live subscription(s) stay on this plan at their price: confirm "
                f"that number ({live}) to retire it.",
            )
        return _set_offered(conn, viewer, locked, expected_version, offered=False)


def restore_plan(viewer: Viewer, plan_id: str, *, expected_version: int) -> Saved:
    """Offer a retired plan again."""
    viewer.require("admin")
    with write_transaction(viewer) as conn:
        locked = found(writes.lock_plan(conn, plan_id), PLAN_GONE)
        return _set_offered(conn, viewer, locked, expected_version, offered=True)


def _set_offered(
    conn: Connection, viewer: Viewer, locked: Row, expected_version: int, *, offered: bool
) -> Saved:
    """Offer or retire the locked plan row, from `expected_version`."""
    key = {"id": locked["id"]}
    if locked["is_active"] is offered:
        state = "offered" if offered else "retired"
        raise InvalidInputError.one("form", f"Plan {locked['id']!r} is {state} already.")
    expected = {"version": expected_version}
    check_expected("plans", key, locked, expected=expected, mine={"is_active": offered})
    return Saved.of(key, writes.set_plan_offered(conn, viewer, locked=locked, offered=offered))
