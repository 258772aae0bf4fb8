"""queries.usage (and the projection on top of it) on a hand-worked month, as of 2026-06-10:
10 of June's 30 days have elapsed.

Plans: basic {api_calls 1000, backtests 10, tokens null}; pro {api_calls 5000} (no backtests
or tokens key: unlimited).

  U1 basic, active: api_calls 100/day on June 1-10 (as two events a day), backtests 2 on
     June 1 and 3 on June 4, tokens 500 on June 2; 5000 api_calls on May 31 and 900 on
     June 11 fall outside the month-to-date.
  U2 pro, active, overrides: api_calls 2000 (no expiry), backtests 7 expired 06-01 (so
     unlimited, as the plan), tokens null until 2026-12-31 (explicitly unlimited);
     api_calls 170/day on June 1-10.
  U3 basic, canceled, no usage: left out.
  U4 basic, canceled, 10 api_calls on June 3: that metric is kept (it has usage).
  U5 no subscription, no usage: left out.
  U6 basic, trialing, override api_calls 1500 expiring 06-10 12:00 - expired by the end of
     the as-of day, so the plan's 1000 applies; no usage.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator

import pandas as pd
import psycopg
import pytest
from sqlalchemy import Connection

from regime_dashboard.metrics.saas import usage_projection
from regime_dashboard.queries import usage
from regime_dashboard.scope import TenantScope
from tests.helpers import filled

pytestmark = pytest.mark.db

AS_OF = dt.date(2026, 6, 10)
METRICS = ("api_calls", "backtests", "tokens")
ALL = TenantScope.everything()
T = {n: uuid.uuid5(uuid.NAMESPACE_DNS, f"usage-{n}") for n in ("U1", "U2", "U3", "U4", "U5", "U6")}
PLANS = {"U1": ("basic", "active"), "U2": ("pro", "active"), "U3": ("basic", "canceled")}
PLANS |= {"U4": ("basic", "canceled"), "U6": ("basic", "trialing")}


def _at(day: int, hour: int = 12, month: int = 6) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, tzinfo=dt.UTC)


def _events() -> list[tuple[str, dt.datetime, str, float]]:
    rows = [("U1", _at(d, h), "api_calls", 50.0) for d in range(1, 11) for h in (1, 23)]
    rows += [("U1", _at(1), "backtests", 1.0), ("U1", _at(1, 13), "backtests", 1.0)]
    rows += [("U1", _at(4), "backtests", 3.0), ("U1", _at(2), "tokens", 500.0)]
    rows += [
        ("U1", _at(31, 23, month=5), "api_calls", 5000.0),
        ("U1", _at(11, 0), "api_calls", 900.0),
    ]
    rows += [("U2", _at(d), "api_calls", 170.0) for d in range(1, 11)]
    rows += [("U4", _at(3), "api_calls", 10.0)]
    return rows


def _insert(conn: psycopg.Connection) -> None:
    conn.execute(
        "INSERT INTO plans (id, name, price_monthly_cents, limits_json) VALUES "
        """('basic', 'Basic', 10000, '{"api_calls": 1000, "backtests": 10, "tokens": null}'),"""
        """('pro', 'Pro', 30000, '{"api_calls": 5000}')"""
    )
    for name, tenant_id in T.items():
        conn.execute("INSERT INTO tenants (id, name) VALUES (%s, %s)", (tenant_id, name))
    for name, (plan, status) in PLANS.items():
        sub = uuid.uuid5(uuid.NAMESPACE_DNS, f"usage-sub-{name}")
        conn.execute(
            "INSERT INTO subscriptions (tenant_id, id, plan_id, status, price_cents, started_at) "
            "VALUES (%s, %s, %s, %s, 0, %s)",
            (T[name], sub, plan, status, _at(1, 0, month=1)),
        )
        conn.execute(
            "INSERT INTO subscription_events (tenant_id, id, subscription_id, event_type, "
            "occurred_at, plan_id, status, billing_cycle, price_cents, currency) "
            "VALUES (%s, gen_random_uuid(), %s, 'activated', %s, %s, %s, 'monthly', 0, 'USD')",
            (T[name], sub, _at(1, 0, month=1), plan, status),
        )
    overrides = [
        ("U2", "api_calls", 2000, None),
        ("U2", "backtests", 7, _at(1, 0)),
        ("U2", "tokens", None, dt.datetime(2026, 12, 31, tzinfo=dt.UTC)),
        ("U6", "api_calls", 1500, _at(10, 12)),
    ]
    for name, metric, limit, expires in overrides:
        conn.execute(
            "INSERT INTO tenant_quota_overrides (tenant_id, metric, limit_value, reason, "
            "expires_at) VALUES (%s, %s, %s, 'test', %s)",
            (T[name], metric, limit, expires),
        )
    with conn.cursor() as cur:
        cur.executemany(
            "INSERT INTO usage_events (tenant_id, occurred_at, metric, quantity) "
            "VALUES (%s, %s, %s, %s)",
            [(T[n], at, metric, q) for n, at, metric, q in _events()],
        )


@pytest.fixture
def month(empty_db: str) -> Iterator[Connection]:
    yield from filled(empty_db, _insert)


def _by_key(frame: pd.DataFrame) -> dict[tuple[str, str], pd.Series]:
    return {(r.tenant_name, r.metric): r for _, r in frame.iterrows()}


def test_used_limits_and_their_source(month: Connection) -> None:
    rows = usage.usage_against_limits(month, scope=ALL, as_of=AS_OF, metrics=METRICS)
    assert list(rows.columns) == list(usage.LIMIT_COLUMNS)
    got = {
        key: (r.used, None if pd.isna(r.limit_value) else r.limit_value, r.limit_source)
        for key, r in _by_key(rows).items()
    }
    assert got == {
        ("U1", "api_calls"): (1000.0, 1000, "plan"),  # 100 x 10 days; May 31, June 11 out
        ("U1", "backtests"): (5.0, 10, "plan"),
        ("U1", "tokens"): (500.0, None, "none"),  # plan says null: unlimited
        ("U2", "api_calls"): (1700.0, 2000, "override"),
        ("U2", "backtests"): (0.0, None, "none"),  # override expired, plan has no key
        ("U2", "tokens"): (0.0, None, "override"),  # override of null: unlimited
        ("U4", "api_calls"): (10.0, 1000, "plan"),  # canceled: only the metric it used
        ("U6", "api_calls"): (0.0, 1000, "plan"),  # override expired 06-10 12:00
        ("U6", "backtests"): (0.0, 10, "plan"),
        ("U6", "tokens"): (0.0, None, "none"),
    }
    first = rows.iloc[0]
    assert (first["month_start"], first["elapsed_days"], first["days_in_month"]) == (
        dt.date(2026, 6, 1),
        10,
        30,
    )


def test_the_day_the_limit_was_reached(month: Connection) -> None:
    rows = _by_key(usage.usage_against_limits(month, scope=ALL, as_of=AS_OF, metrics=METRICS))
    assert rows[("U1", "api_calls")].reached_on == dt.date(2026, 6, 10)  # 1000 >= 1000 on day 10
    assert rows[("U2", "api_calls")].reached_on is None  # 1700 < 2000
    earlier = _by_key(
        usage.usage_against_limits(month, scope=ALL, as_of=dt.date(2026, 6, 9), metrics=METRICS)
    )
    assert (
        earlier[("U1", "api_calls")].used == 900.0
        and earlier[("U1", "api_calls")].reached_on is None
    )


def test_projection_to_the_month_end_by_hand(month: Connection) -> None:
    rows = usage_projection(
        usage.usage_against_limits(month, scope=ALL, as_of=AS_OF, metrics=METRICS)
    )
    got = _by_key(rows)
    fields = ("pct_used", "projected", "state", "projected_pct", "crosses_on")
    by_hand = {
        # 1000 / 10 days * 30 = 3000 projected; at 100 % it is "over"; reached on 06-10
        ("U1", "api_calls"): (1.0, 3000.0, "over", 3.0, dt.date(2026, 6, 10)),
        # 1700 / 2000 = 85 % (near); 170/day -> 5100; 2000 / 170 = 11.8 -> day 12
        ("U2", "api_calls"): (0.85, 5100.0, "near", 2.55, dt.date(2026, 6, 12)),
        # 5 / 10 = 50 %; 0.5/day -> 15 by June 30; 10 / 0.5 = day 20
        ("U1", "backtests"): (0.5, 15.0, "ok", 1.5, dt.date(2026, 6, 20)),
    }
    for key, expected in by_hand.items():
        assert tuple(got[key][f] for f in fields) == expected, key
    assert got[("U4", "api_calls")].crosses_on is None  # 1/day never reaches 1000 in June
    assert list(rows["state"].iloc[:2]) == ["over", "near"]  # worst first
    assert rows.iloc[-1]["state"] == "unlimited"


def test_a_tenants_daily_usage_and_running_total(month: Connection) -> None:
    daily = usage.tenant_daily_usage(month, scope=ALL, tenant_id=str(T["U1"]), as_of=AS_OF)
    assert list(daily.columns) == list(usage.DAILY_USAGE_COLUMNS)
    api = daily[daily["metric"] == "api_calls"]
    assert list(api["day"]) == [dt.date(2026, 6, d) for d in range(1, 11)]
    assert list(api["cumulative"]) == [100.0 * d for d in range(1, 11)]
    backtests = daily[daily["metric"] == "backtests"]
    assert [(r.day.day, r.quantity, r.cumulative) for r in backtests.itertuples()] == [
        (1, 2.0, 2.0),
        (4, 3.0, 5.0),
    ]


def test_the_scope_hides_other_tenants(month: Connection) -> None:
    only_u2 = TenantScope.only([str(T["U2"])])
    rows = usage.usage_against_limits(month, scope=only_u2, as_of=AS_OF, metrics=METRICS)
    assert set(rows["tenant_name"]) == {"U2"}
    daily = usage.tenant_daily_usage(month, scope=only_u2, tenant_id=str(T["U1"]), as_of=AS_OF)
    assert daily.empty and list(daily.columns) == list(usage.DAILY_USAGE_COLUMNS)
