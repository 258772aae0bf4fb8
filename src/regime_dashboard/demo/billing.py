"""Tenants' subscription lifecycles: trial to active, upgrades, downgrades, past_due,
churn and reactivation, with the event ledger and the payments (tax, two currencies)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from dateutil.relativedelta import relativedelta

from .plans import PLAN_LADDER, plan_price

__all__ = ["Lifecycle", "simulate_lifecycle"]

TRIAL_DAYS = 14
# forced paths for the first tenants, so the demo always shows every state
SCENARIOS = (
    "steady",
    "upgrader",
    "past_due_now",
    "churned",
    "reactivated",
    "steady",
    "cancel_pending",
    "downgrader",
)


@dataclass
class Lifecycle:
    """The ledger of one tenant's subscription, built event by event."""

    tenant_id: Any
    subscription_id: Any
    currency: str
    tax_rate: float
    plan: str = "starter"
    cycle: str = "monthly"
    status: str = "trialing"
    period_start: dt.datetime | None = None
    cancel_at_period_end: bool = False
    events: list[dict[str, Any]] = field(default_factory=list)
    payments: list[dict[str, Any]] = field(default_factory=list)

    @property
    def price(self) -> int:
        return plan_price(self.plan, self.cycle)

    def period_end(self) -> dt.datetime:
        assert self.period_start is not None
        months = 12 if self.cycle == "annual" else 1
        return self.period_start + relativedelta(months=months)

    def emit(self, event_type: str, at: dt.datetime, actor: str = "system") -> None:
        self.events.append(
            {
                "tenant_id": self.tenant_id,
                "subscription_id": self.subscription_id,
                "event_type": event_type,
                "occurred_at": at,
                "plan_id": self.plan,
                "status": self.status,
                "billing_cycle": self.cycle,
                "price_cents": self.price,
                "currency": self.currency,
                "actor": actor,
            }
        )

    def bill(self, at: dt.datetime, succeeded: bool) -> None:
        amount = self.price
        tax = round(amount * self.tax_rate)
        self.payments.append(
            {
                "tenant_id": self.tenant_id,
                "subscription_id": self.subscription_id,
                "amount_cents": amount,
                "tax_cents": tax,
                "total_cents": amount + tax,
                "currency": self.currency,
                "status": "succeeded" if succeeded else "failed",
                "billed_at": at,
                "paid_at": at + dt.timedelta(minutes=3) if succeeded else None,
            }
        )


@dataclass
class _Odds:
    upgrade: float = 0.04
    downgrade: float = 0.025
    fail: float = 0.04
    cancel: float = 0.025
    reactivate: float = 0.08
    convert: float = 0.75


def _start(
    life: Lifecycle, rng: np.random.Generator, signup: dt.datetime, as_of: dt.datetime, odds: _Odds
) -> dt.datetime | None:
    """Trial (or free activation); returns when paid periods begin, None if never."""
    if life.plan == "free":
        life.status, life.period_start = "active", signup
        life.emit("activated", signup, "customer")
        return signup
    life.emit("trial_started", signup, "customer")
    trial_end = signup + dt.timedelta(days=TRIAL_DAYS)
    if trial_end > as_of:
        return None
    if rng.random() < odds.convert:
        life.status, life.period_start = "active", trial_end
        life.emit("activated", trial_end)
        life.bill(trial_end, True)
        return trial_end
    life.status = "canceled"
    life.emit("canceled", trial_end)
    return None


def _month(
    life: Lifecycle,
    rng: np.random.Generator,
    start: dt.datetime,
    as_of: dt.datetime,
    odds: _Odds,
    action: str | None,
) -> None:
    """One month of a paid life, from `start`; `action` forces the month's change."""
    mid = start + dt.timedelta(days=int(rng.integers(3, 25)), hours=int(rng.integers(8, 18)))
    if life.status == "canceled":
        if mid <= as_of and (action == "reactivate" or rng.random() < odds.reactivate):
            life.status, life.period_start = "active", mid
            life.emit("reactivated", mid, "customer")
            life.bill(mid, True)
        return
    if life.status == "past_due":
        if mid <= as_of:
            recovered = rng.random() < 0.7
            life.status = "active" if recovered else "canceled"
            life.emit("recovered" if recovered else "canceled", mid)
            if recovered:
                life.bill(mid, True)
        return
    _renew_or_fail(life, rng, start, as_of, odds)
    if life.status == "active" and mid <= as_of:
        _change_plan(life, rng, mid, odds, action)


def _renew_or_fail(
    life: Lifecycle, rng: np.random.Generator, start: dt.datetime, as_of: dt.datetime, odds: _Odds
) -> None:
    if life.period_start is None or start < life.period_end():
        return
    if life.cancel_at_period_end:
        life.status, life.cancel_at_period_end = "canceled", False
        life.emit("canceled", start)
        return
    life.period_start = start
    if life.plan != "free" and rng.random() < odds.fail:
        life.status = "past_due"
        life.bill(start, False)
        life.emit("past_due", start + dt.timedelta(hours=1))
    elif life.plan != "free":
        life.bill(start, True)


def _draw_action(rng: np.random.Generator, odds: _Odds) -> str | None:
    draw = rng.random()
    for action, p in (
        ("upgrade", odds.upgrade),
        ("downgrade", odds.downgrade),
        ("cancel", odds.cancel),
    ):
        if draw < p:
            return action
        draw -= p
    return None


def _change_plan(
    life: Lifecycle, rng: np.random.Generator, at: dt.datetime, odds: _Odds, action: str | None
) -> None:
    rank = PLAN_LADDER.index(life.plan)
    action = action or _draw_action(rng, odds)
    if action == "upgrade" and rank < len(PLAN_LADDER) - 1:
        life.plan = PLAN_LADDER[rank + 1]
        life.emit("upgraded", at, "customer")
    elif action == "downgrade" and rank > 1:
        life.plan = PLAN_LADDER[rank - 1]
        life.emit("downgraded", at, "customer")
    elif action == "cancel" and life.plan != "free":
        life.cancel_at_period_end = True  # churns at period end (see _renew_or_fail)


_QUIET = _Odds(upgrade=0, downgrade=0, fail=0, cancel=0, reactivate=0, convert=1)
# month index (from activation) -> forced action, per scenario
_SCRIPTS = {
    "upgrader": {2: "upgrade", 6: "upgrade"},
    "churned": {3: "cancel"},
    "reactivated": {2: "cancel", 6: "reactivate", 8: "upgrade"},
    "downgrader": {3: "downgrade"},
}


def _odds_for(scenario: str | None) -> _Odds:
    return _QUIET if scenario else _Odds()


def simulate_lifecycle(
    life: Lifecycle,
    rng: np.random.Generator,
    signup: dt.datetime,
    as_of: dt.datetime,
    scenario: str | None = None,
) -> Lifecycle:
    """Run one tenant's subscription from `signup` to `as_of`."""
    odds = _odds_for(scenario)
    begin = _start(life, rng, signup, as_of, odds)
    if begin is None:
        return life
    script = _SCRIPTS.get(scenario or "", {})
    month, index = begin + relativedelta(months=1), 1
    while month <= as_of:
        _month(life, rng, month, as_of, odds, script.get(index))
        month, index = month + relativedelta(months=1), index + 1
    _force_final_state(life, scenario, as_of)
    return life


def _force_final_state(life: Lifecycle, scenario: str | None, as_of: dt.datetime) -> None:
    if life.status != "active":
        return
    if scenario == "past_due_now":
        at = max(life.period_start or as_of, as_of - dt.timedelta(days=9))
        life.status = "past_due"
        life.bill(at, False)
        life.emit("past_due", at + dt.timedelta(hours=1))
    elif scenario == "cancel_pending" and life.plan != "free":
        life.cancel_at_period_end = True
