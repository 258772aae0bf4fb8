"""queries.billing on a hand-worked ledger (every number below is worked out in comments),
plus reconciliation and an independent replay of the ledger on the seeded data.

The hand-made ledger, as of 2026-06-15 (months Jan-Jun 2026, June partial), rates USD 1,
EUR 1.5. Plans: basic $100/month or $960/year ($80/month); pro $300/month.

  A  trial (basic annual) 01-01, activated 01-10 -> $80 MRR from January (annual / 12)
  B  trial (pro) 01-20, activated 02-03 ($300), downgraded to basic 04-12 ($100)
  C  basic since 2025-12-05 ($100), past_due 03-05 (keeps counting), canceled 04-20
  D  pro since 2025-11-15 ($300), canceled at period end: the ledger records it 02-15
  E  basic 01-05, canceled 02-10, reactivated on basic 05-02, upgraded to pro 05-20
  F  basic in EUR 02-20 (EUR 100 = $150), upgraded to pro 03-10 (EUR 300 = $450),
     past_due 06-05 (failed payment EUR 300 + 20 % tax), canceled 06-20 (after as_of)
  G  trial (pro) 03-01, canceled 03-15 (never converted)
  H  trial (pro) 06-10, still trialing at as_of

Month-end MRR (USD cents) per tenant, month end = first instant of the next month:

  month     A     B      C      D      E      F      total  movements
  Dec-25    -     -    10000  30000    -      -      40000
  Jan       8000  0    10000  30000  10000    -      58000  new A 8000 + E 10000
  Feb       8000 30000 10000    0      0    15000    63000  new B 30000 + F 15000;
                                                            churn D -30000, E -10000
  Mar       8000 30000 10000    0      0    45000    93000  expansion F +30000
  Apr       8000 10000   0      0      0    45000    63000  contraction B -20000; churn C
  May       8000 10000   0      0    30000  45000    93000  reactivation E 30000 (0 -> pro)
  Jun 15    8000 10000   0      0    30000  45000    93000  none (F past_due still counts)
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from decimal import ROUND_HALF_UP, Decimal

import pandas as pd
import psycopg
import pytest
from sqlalchemy import Connection, create_engine
from sqlalchemy.engine import make_url

from regime_dashboard.db.engine import libpq_dsn
from regime_dashboard.queries import billing
from regime_dashboard.scope import TenantScope
from tests.helpers import filled

pytestmark = pytest.mark.db

AS_OF = dt.date(2026, 6, 15)
JAN = dt.date(2026, 1, 1)
RATES = (("EUR", 1.5), ("USD", 1.0))
ALL = TenantScope.everything()
TENANTS = {name: uuid.uuid5(uuid.NAMESPACE_DNS, f"tenant-{name}") for name in "ABCDEFGH"}
SUBS = {name: uuid.uuid5(uuid.NAMESPACE_DNS, f"sub-{name}") for name in "ABCDEFGH"}
MONTHS = [dt.date(2026, m, 1) for m in range(1, 7)]


def _at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=dt.UTC)


# tenant, event, when, plan, status, cycle, price per cycle (cents), currency
LEDGER = [
    ("A", "trial_started", "2026-01-01 09:00", "basic", "trialing", "annual", 96000, "USD"),
    ("A", "activated", "2026-01-10 09:00", "basic", "active", "annual", 96000, "USD"),
    ("B", "trial_started", "2026-01-20 10:00", "pro", "trialing", "monthly", 30000, "USD"),
    ("B", "activated", "2026-02-03 10:00", "pro", "active", "monthly", 30000, "USD"),
    ("B", "downgraded", "2026-04-12 10:00", "basic", "active", "monthly", 10000, "USD"),
    ("C", "activated", "2025-12-05 08:00", "basic", "active", "monthly", 10000, "USD"),
    ("C", "past_due", "2026-03-05 09:00", "basic", "past_due", "monthly", 10000, "USD"),
    ("C", "canceled", "2026-04-20 09:00", "basic", "canceled", "monthly", 10000, "USD"),
    ("D", "activated", "2025-11-15 12:00", "pro", "active", "monthly", 30000, "USD"),
    ("D", "canceled", "2026-02-15 12:00", "pro", "canceled", "monthly", 30000, "USD"),
    ("E", "activated", "2026-01-05 07:00", "basic", "active", "monthly", 10000, "USD"),
    ("E", "canceled", "2026-02-10 07:00", "basic", "canceled", "monthly", 10000, "USD"),
    ("E", "reactivated", "2026-05-02 07:00", "basic", "active", "monthly", 10000, "USD"),
    ("E", "upgraded", "2026-05-20 07:00", "pro", "active", "monthly", 30000, "USD"),
    ("F", "activated", "2026-02-20 11:00", "basic", "active", "monthly", 10000, "EUR"),
    ("F", "upgraded", "2026-03-10 11:00", "pro", "active", "monthly", 30000, "EUR"),
    ("F", "past_due", "2026-06-05 10:00", "pro", "past_due", "monthly", 30000, "EUR"),
    ("F", "canceled", "2026-06-20 10:00", "pro", "canceled", "monthly", 30000, "EUR"),
    ("G", "trial_started", "2026-03-01 09:00", "pro", "trialing", "monthly", 30000, "USD"),
    ("G", "canceled", "2026-03-15 09:00", "pro", "canceled", "monthly", 30000, "USD"),
    ("H", "trial_started", "2026-06-10 09:00", "pro", "trialing", "monthly", 30000, "USD"),
]
# current subscription records: plan, status, cycle, price, currency, period end, cancel at end
CURRENT = {
    "A": ("basic", "active", "annual", 96000, "USD", "2027-01-10 09:00", False),
    "B": ("basic", "active", "monthly", 10000, "USD", "2026-07-15 23:00", False),  # last moment
    "C": ("basic", "canceled", "monthly", 10000, "USD", "2026-06-20 09:00", False),  # canceled
    "D": ("pro", "canceled", "monthly", 30000, "USD", None, False),
    "E": ("pro", "active", "monthly", 30000, "USD", "2026-06-15 00:00", True),  # first moment
    "F": ("pro", "past_due", "monthly", 30000, "EUR", "2026-06-20 11:00", False),
    "G": ("pro", "canceled", "monthly", 30000, "USD", None, False),
    "H": ("pro", "trialing", "monthly", 30000, "USD", "2026-06-14 23:00", False),  # before
}
# tenant, billed at, amount, tax, currency, status
PAYMENTS = [
    ("D", "2025-12-15 12:00", 30000, 0, "USD", "succeeded"),  # before the period
    ("A", "2026-01-10 09:00", 96000, 0, "USD", "succeeded"),
    ("C", "2026-01-05 08:00", 10000, 0, "USD", "succeeded"),
    ("D", "2026-01-15 12:00", 30000, 0, "USD", "succeeded"),
    ("E", "2026-01-05 07:00", 10000, 0, "USD", "succeeded"),
    ("B", "2026-02-03 10:00", 30000, 0, "USD", "succeeded"),
    ("C", "2026-02-05 08:00", 10000, 0, "USD", "succeeded"),
    ("E", "2026-02-05 07:00", 10000, 0, "USD", "refunded"),
    ("F", "2026-02-20 11:00", 10000, 2000, "EUR", "succeeded"),
    ("B", "2026-03-03 10:00", 30000, 0, "USD", "succeeded"),
    ("C", "2026-03-05 08:00", 10000, 0, "USD", "failed"),
    ("F", "2026-03-20 11:00", 30000, 6000, "EUR", "succeeded"),
    ("B", "2026-04-03 10:00", 30000, 0, "USD", "succeeded"),
    ("F", "2026-04-20 11:00", 30000, 6000, "EUR", "succeeded"),
    ("B", "2026-05-03 10:00", 10000, 0, "USD", "failed"),
    ("B", "2026-05-06 10:00", 10000, 0, "USD", "succeeded"),  # the retry of 05-03
    ("E", "2026-05-02 07:00", 10000, 0, "USD", "succeeded"),
    ("F", "2026-05-20 11:00", 30000, 6000, "EUR", "succeeded"),
    ("B", "2026-06-03 10:00", 10000, 0, "USD", "succeeded"),
    ("F", "2026-06-05 09:00", 30000, 6000, "EUR", "failed"),
    ("F", "2026-06-25 09:00", 30000, 6000, "EUR", "succeeded"),  # after as_of
]


def _insert_ledger(conn: psycopg.Connection) -> None:
    conn.execute(
        "INSERT INTO plans (id, name, price_monthly_cents, price_annual_cents) "
        "VALUES ('basic', 'Basic', 10000, 96000), ('pro', 'Pro', 30000, NULL)"
    )
    for name, tenant_id in TENANTS.items():
        conn.execute("INSERT INTO tenants (id, name) VALUES (%s, %s)", (tenant_id, f"T{name}"))
        plan, status, cycle, price, currency, end, cancel = CURRENT[name]
        first = min(_at(w) for t, _, w, *_ in LEDGER if t == name)
        conn.execute(
            "INSERT INTO subscriptions (tenant_id, id, plan_id, status, billing_cycle, "
            "price_cents, currency, started_at, current_period_end, cancel_at_period_end) "
            "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
            (tenant_id, SUBS[name], plan, status, cycle, price, currency, first,
             end and _at(end), cancel),
        )  # fmt: skip
    for name, event, when, plan, status, cycle, price, currency in LEDGER:
        conn.execute(
            "INSERT INTO subscription_events (tenant_id, id, subscription_id, event_type, "
            "occurred_at, plan_id, status, billing_cycle, price_cents, currency) "
            "VALUES (%s, gen_random_uuid(), %s, %s, %s, %s, %s, %s, %s, %s)",
            (TENANTS[name], SUBS[name], event, _at(when), plan, status, cycle, price, currency),
        )


def _insert_payments(conn: psycopg.Connection) -> None:
    for i, (name, when, amount, tax, currency, status) in enumerate(PAYMENTS):
        paid = _at(when) if status in ("succeeded", "refunded") else None
        conn.execute(
            "INSERT INTO payments (tenant_id, id, subscription_id, amount_cents, tax_cents, "
            "total_cents, currency, status, billed_at, paid_at, provider_payment_id) "
            "VALUES (%s, gen_random_uuid(), %s, %s, %s, %s, %s, %s, %s, %s, %s)",
            (TENANTS[name], SUBS[name], amount, tax, amount + tax, currency, status,
             _at(when), paid, f"pi_{i}"),
        )  # fmt: skip


@pytest.fixture
def ledger(empty_db: str) -> Iterator[Connection]:
    yield from filled(empty_db, _insert_ledger, _insert_payments)


def _records(frame: pd.DataFrame, columns: list[str] | dict[str, str]) -> list[tuple]:
    return [tuple(row) for row in frame[list(columns)].itertuples(index=False)]


MOVEMENTS_BY_HAND = [
    # month, opening, new, expansion, reactivation, contraction, churn, closing
    (MONTHS[0], 40000, 18000, 0, 0, 0, 0, 58000),
    (MONTHS[1], 58000, 45000, 0, 0, 0, -40000, 63000),
    (MONTHS[2], 63000, 0, 30000, 0, 0, 0, 93000),
    (MONTHS[3], 93000, 0, 0, 0, -20000, -10000, 63000),
    (MONTHS[4], 63000, 0, 0, 30000, 0, 0, 93000),
    (MONTHS[5], 93000, 0, 0, 0, 0, 0, 93000),
]
CUSTOMERS_BY_HAND = [
    # month, opening, closing, new, reactivated, churned
    (MONTHS[0], 2, 4, 2, 0, 0),  # C, D -> + A, E
    (MONTHS[1], 4, 4, 2, 0, 2),  # + B, F; - D, E
    (MONTHS[2], 4, 4, 0, 0, 0),
    (MONTHS[3], 4, 3, 0, 0, 1),  # - C
    (MONTHS[4], 3, 4, 0, 1, 0),  # E back
    (MONTHS[5], 4, 4, 0, 0, 0),
]


def test_mrr_movements_match_the_hand_worked_ledger(ledger: Connection) -> None:
    moves = billing.mrr_movements(ledger, scope=ALL, first_month=JAN, as_of=AS_OF, rates=RATES)
    assert list(moves.columns) == list(billing.MOVEMENT_COLUMNS)
    money = ["month", "opening_mrr_cents", "new_cents", "expansion_cents"]
    money += ["reactivation_cents", "contraction_cents", "churn_cents", "closing_mrr_cents"]
    assert _records(moves, money) == MOVEMENTS_BY_HAND
    people = ["month", "opening_customers", "closing_customers", "new_customers"]
    assert _records(moves, [*people, "reactivated_customers", "churned_customers"]) == (
        CUSTOMERS_BY_HAND
    )


def test_every_month_reconciles_and_chains(ledger: Connection) -> None:
    moves = billing.mrr_movements(ledger, scope=ALL, first_month=JAN, as_of=AS_OF, rates=RATES)
    parts = ["new_cents", "expansion_cents", "reactivation_cents"]
    parts += ["contraction_cents", "churn_cents"]
    for row in moves.itertuples():
        assert row.opening_mrr_cents + sum(getattr(row, p) for p in parts) == (
            row.closing_mrr_cents
        )
    assert list(moves["opening_mrr_cents"].iloc[1:]) == list(moves["closing_mrr_cents"].iloc[:-1])


def test_a_shorter_period_keeps_the_history_for_reactivation(ledger: Connection) -> None:
    """Starting in May, E's return is still a reactivation: it had MRR in January."""
    may = dt.date(2026, 5, 1)
    moves = billing.mrr_movements(ledger, scope=ALL, first_month=may, as_of=AS_OF, rates=RATES)
    assert list(moves["month"]) == MONTHS[4:]
    assert list(moves["reactivation_cents"]) == [30000, 0]
    assert list(moves["new_cents"]) == [0, 0]


def test_the_scope_limits_the_tenants(ledger: Connection) -> None:
    only_ab = TenantScope.only([str(TENANTS["A"]), str(TENANTS["B"])])
    moves = billing.mrr_movements(ledger, scope=only_ab, first_month=JAN, as_of=AS_OF, rates=RATES)
    # A 8000 from January; B 30000 from February, 10000 from April
    assert list(moves["closing_mrr_cents"]) == [8000, 38000, 38000, 18000, 18000, 18000]


def _movers(ledger: Connection, month: dt.date, movement: str | None = None) -> set[tuple]:
    found = billing.movement_customers(
        ledger, scope=ALL, month=month, as_of=AS_OF, rates=RATES, movement=movement
    )
    assert list(found.columns) == list(billing.MOVEMENT_CUSTOMER_COLUMNS)
    columns = ["tenant_name", "movement", "mrr_before_cents", "mrr_after_cents", "change_cents"]
    return set(_records(found, columns))


def test_the_customers_behind_each_movement_by_hand(ledger: Connection) -> None:
    """February: B (pro) and F (basic, EUR 100 x 1.5) are new, D and E churn; March: F
    upgrades; April: B downgrades, C (past_due until canceled) churns; May: E is back."""
    assert _movers(ledger, MONTHS[1]) == {
        ("TB", "new", 0, 30000, 30000),
        ("TF", "new", 0, 15000, 15000),
        ("TD", "churn", 30000, 0, -30000),
        ("TE", "churn", 10000, 0, -10000),
    }
    assert _movers(ledger, MONTHS[2]) == {("TF", "expansion", 15000, 45000, 30000)}
    assert _movers(ledger, MONTHS[3]) == {
        ("TB", "contraction", 30000, 10000, -20000),
        ("TC", "churn", 10000, 0, -10000),
    }
    assert _movers(ledger, MONTHS[4], "reactivation") == {("TE", "reactivation", 0, 30000, 30000)}
    assert _movers(ledger, MONTHS[4], "churn") == set()
    assert _movers(ledger, MONTHS[5]) == set()


def test_the_customers_sum_to_every_movement(ledger: Connection) -> None:
    moves = billing.mrr_movements(ledger, scope=ALL, first_month=JAN, as_of=AS_OF, rates=RATES)
    for row in moves.itertuples():
        found = billing.movement_customers(
            ledger, scope=ALL, month=row.month, as_of=AS_OF, rates=RATES
        )
        sums = found.groupby("movement")["change_cents"].sum()
        for kind in ("new", "expansion", "reactivation", "contraction", "churn"):
            assert int(sums.get(kind, 0)) == getattr(row, f"{kind}_cents")


def test_status_counts_at_month_ends(ledger: Connection) -> None:
    counts = billing.status_month_ends(ledger, scope=ALL, first_month=JAN, as_of=AS_OF)
    assert list(counts.columns) == list(billing.STATUS_COLUMNS)
    assert _records(counts, billing.STATUS_COLUMNS) == [
        # month, active, trialing, past_due, canceled, canceled in month
        (MONTHS[0], 4, 1, 0, 0, 0),  # A C D E active, B trialing
        (MONTHS[1], 4, 0, 0, 2, 2),  # A B C F; D and E canceled in February
        (MONTHS[2], 3, 0, 1, 3, 1),  # A B F; C past_due; G canceled in March
        (MONTHS[3], 3, 0, 0, 4, 1),  # C canceled in April
        (MONTHS[4], 4, 0, 0, 3, 0),  # E back
        (MONTHS[5], 3, 1, 1, 3, 0),  # F past_due, H trialing; F's 06-20 cancel is later
    ]


def test_plans_at_month_ends_count_live_subscriptions_and_their_mrr(ledger: Connection) -> None:
    plans = billing.plan_month_ends(ledger, scope=ALL, first_month=JAN, as_of=AS_OF, rates=RATES)
    june = plans[plans["month"] == MONTHS[5]]
    assert _records(june, ["plan_id", "subscriptions", "paying", "mrr_cents"]) == [
        ("basic", 2, 2, 18000),  # A annual 8000 + B 10000
        ("pro", 3, 2, 75000),  # E 30000 + F 45000 (past_due); H trialing counts 0
    ]
    january = plans[plans["month"] == MONTHS[0]]
    assert _records(january, ["plan_id", "subscriptions", "paying", "mrr_cents"]) == [
        ("basic", 3, 3, 28000),  # A 8000, C 10000, E 10000
        ("pro", 2, 1, 30000),  # D 30000; B trialing
    ]


def test_mrr_by_currency_converts_with_the_rate_table(ledger: Connection) -> None:
    by_currency = billing.mrr_by_currency(ledger, scope=ALL, as_of=AS_OF, rates=RATES)
    assert _records(by_currency, billing.CURRENCY_COLUMNS) == [
        ("EUR", 1.5, 1, 30000, 45000),  # F: EUR 300 = $450
        ("USD", 1.0, 3, 48000, 48000),  # A 8000 + B 10000 + E 30000
    ]
    usd_only = billing.mrr_by_currency(ledger, scope=ALL, as_of=AS_OF, rates=(("USD", 1.0),))
    eur = usd_only[usd_only["currency"] == "EUR"].iloc[0]
    assert pd.isna(eur["rate"]) and eur["mrr_usd_cents"] == 0 and eur["mrr_native_cents"] == 30000


def test_tenant_revenue_sums_month_end_mrr_and_prorates_the_current_month(
    ledger: Connection,
) -> None:
    revenue = billing.tenant_revenue(ledger, scope=ALL, first_month=JAN, as_of=AS_OF, rates=RATES)
    # January to May whole, June 15 of 30 days = 0.5 of its MRR
    assert _records(revenue, ["tenant_name", "revenue_usd", "closing_mrr_usd_cents"]) == [
        ("TA", 440.0, 8000),  # 8000 * 5.5
        ("TB", 850.0, 10000),  # 0 + 30000 + 30000 + 10000 + 10000 + 5000
        ("TC", 300.0, 0),  # 10000 * 3
        ("TD", 300.0, 0),  # 30000 in January
        ("TE", 550.0, 30000),  # 10000 + 30000 + 15000
        ("TF", 1725.0, 45000),  # 15000 + 45000 * 3 + 22500
    ]


def test_trial_conversions_by_month_started(ledger: Connection) -> None:
    trials = billing.trial_conversions(ledger, scope=ALL, first_month=JAN, as_of=AS_OF)
    assert _records(trials, billing.TRIAL_COLUMNS) == [
        (MONTHS[0], 2, 2, 2),  # A and B started and converted
        (MONTHS[2], 1, 1, 0),  # G ended canceled
        (MONTHS[5], 1, 0, 0),  # H still trialing
    ]


def test_past_due_list_days_overdue_and_amount_at_risk(ledger: Connection) -> None:
    now = billing.past_due_subscriptions(ledger, scope=ALL, as_of=AS_OF, rates=RATES)
    cols = ["tenant_name", "plan_id", "currency", "days_overdue"]
    cols += ["failed_payment_cents", "mrr_usd_cents"]
    # F past_due since 06-05: 15 - 5 = 10 days; failed EUR 300 + 60 tax; MRR $450
    assert _records(now, cols) == [("TF", "pro", "EUR", 10, 36000, 45000)]
    march = billing.past_due_subscriptions(
        ledger, scope=ALL, as_of=dt.date(2026, 3, 31), rates=RATES
    )
    assert _records(march, cols) == [("TC", "basic", "USD", 26, 10000, 10000)]


def test_renewals_and_cancellations_due_in_the_next_30_days(ledger: Connection) -> None:
    due = billing.upcoming_period_ends(ledger, scope=ALL, as_of=AS_OF, days=30, rates=RATES)
    # window: 06-15 00:00 to 07-16 00:00; C is canceled, H's period ended 06-14
    assert _records(due, ["tenant_name", "due", "status", "price_cents", "mrr_usd_cents"]) == [
        ("TE", "cancellation", "active", 30000, 30000),
        ("TF", "renewal", "past_due", 30000, 45000),
        ("TB", "renewal", "active", 10000, 10000),
    ]


def test_payments_billed_collected_and_failed_by_month(ledger: Connection) -> None:
    paid = billing.payments_by_month(ledger, scope=ALL, first_month=JAN, as_of=AS_OF, rates=RATES)
    assert _records(paid, billing.PAYMENT_COLUMNS) == [
        # month, payments, billed, collected, failed, failed count (USD cents, no tax)
        (MONTHS[0], 4, 146000, 146000, 0, 0),  # A 96000, C 10000, D 30000, E 10000
        (MONTHS[1], 4, 65000, 55000, 0, 0),  # E's 10000 refunded; F EUR 100 = 15000
        (MONTHS[2], 3, 85000, 75000, 10000, 1),  # C failed
        (MONTHS[3], 2, 75000, 75000, 0, 0),
        (MONTHS[4], 4, 75000, 65000, 10000, 1),  # B failed then retried
        (MONTHS[5], 2, 55000, 10000, 45000, 1),  # F failed 06-05; 06-25 is after as_of
    ]


def test_failed_payments_newest_first_with_later_success(ledger: Connection) -> None:
    failed = billing.failed_payments(
        ledger, scope=ALL, first_month=JAN, as_of=AS_OF, rates=RATES, limit=10
    )
    cols = ["tenant_name", "currency", "amount_cents", "total_cents", "amount_usd_cents"]
    assert _records(failed, [*cols, "paid_later"]) == [
        ("TF", "EUR", 30000, 36000, 45000, False),  # the 06-25 success is after as_of
        ("TB", "USD", 10000, 10000, 10000, True),  # retried 05-06
        ("TC", "USD", 10000, 10000, 10000, False),
    ]
    assert (
        len(
            billing.failed_payments(
                ledger, scope=ALL, first_month=JAN, as_of=AS_OF, rates=RATES, limit=1
            )
        )
        == 1
    )


def test_an_empty_database_gives_empty_frames_with_the_columns(empty_db: str) -> None:
    engine = create_engine(empty_db)
    with engine.connect() as conn:
        moves = billing.mrr_movements(conn, scope=ALL, first_month=JAN, as_of=AS_OF, rates=RATES)
        due = billing.past_due_subscriptions(conn, scope=ALL, as_of=AS_OF, rates=RATES)
    engine.dispose()
    assert list(moves.columns) == list(billing.MOVEMENT_COLUMNS)
    assert list(moves["closing_mrr_cents"]) == [0] * 6
    assert due.empty and list(due.columns) == list(billing.PAST_DUE_COLUMNS)


def _replay_mrr(events: list[tuple], at: dt.datetime, rates: dict[str, float]) -> int:
    """Independent: each subscription's last event before `at`, in plain Python."""
    last: dict[object, tuple] = {}
    for sub, occurred, status, cycle, price, currency in sorted(events, key=lambda e: e[1]):
        if occurred < at:
            last[sub] = (status, cycle, price, currency)
    total = 0
    for status, cycle, price, currency in last.values():
        if status in ("active", "past_due"):
            cents = (
                Decimal(price) * Decimal(str(rates[currency])) / (12 if cycle == "annual" else 1)
            )
            total += int(cents.quantize(Decimal(1), rounding=ROUND_HALF_UP))
    return total


def test_seeded_ledger_reconciles_and_matches_a_replay(seeded_url: str) -> None:
    as_of = dt.date(2026, 11, 20)
    with psycopg.connect(libpq_dsn(make_url(seeded_url))) as raw:
        events = raw.execute(
            "SELECT subscription_id, occurred_at, status, billing_cycle, price_cents, currency "
            "FROM subscription_events"
        ).fetchall()
    engine = create_engine(seeded_url)
    with engine.connect() as conn:
        moves = billing.mrr_movements(
            conn, scope=ALL, first_month=dt.date(2025, 6, 1), as_of=as_of, rates=RATES
        )
    engine.dispose()
    parts = ["new_cents", "expansion_cents", "reactivation_cents"]
    parts += ["contraction_cents", "churn_cents"]
    assert (
        moves["opening_mrr_cents"] + moves[parts].sum(axis=1) == moves["closing_mrr_cents"]
    ).all()
    rates = dict(RATES)
    for row in moves.itertuples():
        following = (pd.Timestamp(row.month) + pd.DateOffset(months=1)).date()
        close = dt.datetime.combine(min(following, as_of + dt.timedelta(days=1)), dt.time(), dt.UTC)
        assert row.closing_mrr_cents == _replay_mrr(events, close, rates), row.month
