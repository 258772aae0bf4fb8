"""Admin services on a private copy of the seeded database: validated, audited, version-checked
writes; impact numbers against independent SQL; reverts; admins only."""

from __future__ import annotations

import datetime as dt
import inspect
import json
import threading
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as hs
from sqlalchemy import create_engine

from regime_dashboard.metered import LIMITED_METRICS as METRICS
from regime_dashboard.queries import admin_reads as q
from regime_dashboard.scope import TenantScope
from regime_dashboard.services import admin
from regime_dashboard.services.admin.rules import CURRENCIES, MAX_CENTS
from regime_dashboard.viewer import PermissionDeniedError, Viewer
from tests.helpers import one, sql, viewer

pytestmark = pytest.mark.db

AT = dt.datetime(2026, 11, 20, 12, tzinfo=dt.UTC)  # the seeded data's "now"
EDITABLE = ("plans", "tenants", "subscriptions", "subscription_events",
            "tenant_quota_overrides", "tenant_users")  # fmt: skip
TENANT_KEY = {"tenants": "id"}


@pytest.fixture
def db(seeded_db: str) -> str:
    """The services' DATABASE_URL: a private writable copy of the seeded database."""
    return seeded_db


@pytest.fixture
def adam(db: str) -> Viewer:
    return viewer(db, "admin@demo.local", "admin")


def snapshot(url: str) -> dict[str, Any]:
    """A fingerprint of every table an admin edit may touch, the audit log and the version."""
    found: dict[str, Any] = {
        t: one(
            url, f"SELECT md5(coalesce(string_agg(x::text, '|' ORDER BY x::text), '')) FROM {t} x"
        )
        for t in (*EDITABLE, "audit_log")
    }
    found["data_version"] = one(url, "SELECT version FROM data_versions WHERE scope = 'dashboard'")
    return found


def plan(url: str, plan_id: str) -> dict[str, Any]:
    cols = "id, name, price_monthly_cents, price_annual_cents, currency, features_json, limits_json, is_active, version"
    row = sql(url, f"SELECT {cols} FROM plans WHERE id = %s", plan_id)[0]
    return dict(zip([c.strip() for c in cols.split(",")], row, strict=True))


def plan_changes(row: dict[str, Any], **over: Any) -> dict[str, Any]:
    base = {
        "name": row["name"],
        "price_monthly_cents": row["price_monthly_cents"],
        "price_annual_cents": row["price_annual_cents"],
        "currency": row["currency"],
        "features": row["features_json"],
        "limits": row["limits_json"],
    }
    return base | over


def tenant(url: str, name: str) -> tuple[str, int]:
    return sql(url, "SELECT id::text, version FROM tenants WHERE name = %s", name)[0]


def audits(url: str, after_id: int = 0) -> list[tuple]:
    return sql(
        url,
        "SELECT id, table_name, action, row_key, tenant_id::text, before, after, reverts_audit_id,"
        " actor_email FROM audit_log WHERE id > %s ORDER BY id",
        after_id,
    )


# ------------------------------------------------------------------ plans


def test_a_plan_edit_saves_audits_once_and_bumps_the_data_version(db: str, adam: Viewer) -> None:
    pro, version_before = plan(db, "pro"), snapshot(db)["data_version"]
    saved = admin.update_plan(
        adam,
        plan_id="pro",
        expected_version=pro["version"],
        changes=plan_changes(pro, name="Pro 2026", features='{"api_access": true}'),
    )
    after = plan(db, "pro")
    assert (after["name"], after["features_json"], after["version"]) == (
        "Pro 2026",
        {"api_access": True},
        pro["version"] + 1,
    )
    assert snapshot(db)["data_version"] == version_before + 1
    [entry] = audits(db)
    assert entry[:5] == (saved.audit_ids[0], "plans", "update", {"id": "pro"}, None)
    assert (entry[5]["name"], entry[6]["name"], entry[8]) == ("Pro", "Pro 2026", adam.email)
    assert entry[5]["version"] + 1 == entry[6]["version"] == saved.version


def test_moving_to_a_new_price_reprices_live_subscriptions_with_events(
    db: str, adam: Viewer
) -> None:
    live = sql(
        db,
        "SELECT id::text, billing_cycle, status, currency FROM subscriptions "
        "WHERE plan_id = 'pro' AND status IN ('trialing','active','past_due') ORDER BY id",
    )
    assert live, "the seed has live pro subscriptions"
    pro = plan(db, "pro")
    saved = admin.update_plan(
        adam,
        plan_id="pro",
        expected_version=pro["version"],
        changes=plan_changes(pro, price_monthly_cents=24_900, price_annual_cents=249_000),
        price_policy="move",
    )
    for sub_id, cycle, status, currency in live:
        new_price = 249_000 if cycle == "annual" else 24_900
        assert one(db, "SELECT price_cents FROM subscriptions WHERE id = %s", sub_id) == new_price
        events = sql(
            db,
            "SELECT event_type, plan_id, status, billing_cycle, price_cents, currency, actor "
            "FROM subscription_events WHERE subscription_id = %s AND actor LIKE 'admin:%%'",
            sub_id,
        )
        assert events == [
            ("price_changed", "pro", status, cycle, new_price, currency, "admin:admin@demo.local")
        ]
    # one audit row for the plan, then per subscription its update and its event insert
    kinds = [(t, a) for _, t, a, *_ in audits(db)]
    assert kinds == [("plans", "update")] + [
        ("subscriptions", "update"),
        ("subscription_events", "insert"),
    ] * len(live)
    assert len(saved.audit_ids) == 1 + 2 * len(live)


def test_grandfathering_keeps_every_subscription_price(db: str, adam: Viewer) -> None:
    before = sql(db, "SELECT id, price_cents, version FROM subscriptions ORDER BY id")
    events = one(db, "SELECT count(*) FROM subscription_events")
    pro = plan(db, "pro")
    admin.update_plan(
        adam,
        plan_id="pro",
        expected_version=pro["version"],
        changes=plan_changes(pro, price_monthly_cents=29_900),
        price_policy=admin.PricePolicy.GRANDFATHER,
    )
    assert plan(db, "pro")["price_monthly_cents"] == 29_900
    assert sql(db, "SELECT id, price_cents, version FROM subscriptions ORDER BY id") == before
    assert one(db, "SELECT count(*) FROM subscription_events") == events
    assert [(t, a) for _, t, a, *_ in audits(db)] == [("plans", "update")]


def test_plan_impact_mrr_matches_an_independent_sum(db: str, adam: Viewer) -> None:
    pro = plan(db, "pro")
    rows = sql(
        db,
        "SELECT currency, billing_cycle, status, price_cents FROM subscriptions "
        "WHERE plan_id = 'pro' AND status IN ('trialing','active','past_due')",
    )
    expected: dict[str, float] = {}
    for currency, cycle, status, price in rows:
        months = 12 if cycle == "annual" else 1
        new = 249_000 if cycle == "annual" else 24_900
        if status in ("active", "past_due"):  # MRR counts paying subscriptions only
            expected[currency] = expected.get(currency, 0) + (new - price) / months
    impact = admin.plan_impact(
        adam,
        plan_id="pro",
        changes=plan_changes(pro, price_monthly_cents=24_900, price_annual_cents=249_000),
        at=AT,
    )
    got = dict(zip(impact.mrr["currency"], impact.mrr["mrr_change_cents"], strict=True))
    assert got == pytest.approx(expected)
    assert impact.price_changed and impact.live_subscriptions == len(rows)
    # the seed's three live pro subscriptions are monthly USD at 199.00: 3 x 50.00 more
    assert expected == {"USD": 3 * 5_000}


def test_plan_impact_lists_tenants_a_lowered_limit_puts_over_quota(db: str, adam: Viewer) -> None:
    """Independent: usage_daily summed over 2026-11-01..20 per tenant on starter, compared by
    hand with the new limit; an override exempts a tenant; seats count members."""
    usage = dict(
        sql(
            db,
            "SELECT t.name, sum(u.quantity)::float8 FROM usage_daily u "
            "JOIN tenants t ON t.id = u.tenant_id JOIN subscriptions s ON s.tenant_id = u.tenant_id "
            "WHERE s.plan_id = 'starter' AND s.status IN ('trialing','active','past_due') "
            "AND u.metric = 'api_calls' AND u.day BETWEEN '2026-11-01' AND '2026-11-20' "
            "GROUP BY t.name",
        )
    )
    assert len(usage) == 2
    (low_name, low), (high_name, high) = sorted(usage.items(), key=lambda kv: kv[1])
    new_limit = int((low + high) // 2)  # between the two: only the heavier user goes over
    starter = plan(db, "starter")
    limits = {**starter["limits_json"], "api_calls": new_limit}
    impact = admin.plan_impact(
        adam, plan_id="starter", changes=plan_changes(starter, limits=limits), at=AT
    )
    over = impact.over_quota[["tenant_name", "metric", "used", "limit_after", "already_over"]]
    assert over.to_dict("records") == [
        {"tenant_name": high_name, "metric": "api_calls", "used": high,
         "limit_after": float(new_limit), "already_over": False}
    ]  # fmt: skip
    assert impact.tenants_newly_over == 1

    high_id, _ = tenant(db, high_name)
    admin.set_quota_override(
        adam,
        tenant_id=high_id,
        override={"metric": "api_calls", "limit_value": None, "reason": "enterprise pilot"},
    )
    members = dict(
        sql(
            db,
            "SELECT t.name, count(*) FROM tenant_users m JOIN tenants t ON t.id = m.tenant_id "
            "WHERE t.name IN (%s, %s) GROUP BY t.name",
            low_name,
            high_name,
        )
    )
    seats = min(members.values()) - 1  # every starter tenant now has more members than this
    impact = admin.plan_impact(
        adam,
        plan_id="starter",
        changes=plan_changes(starter, limits={**limits, "seats": seats}),
        at=AT,
    )
    rows = {(r.tenant_name, r.metric): r.used for r in impact.over_quota.itertuples()}
    assert rows == {(name, "seats"): float(n) for name, n in members.items()}


def test_a_price_change_without_a_policy_writes_nothing(db: str, adam: Viewer) -> None:
    before, pro = snapshot(db), plan(db, "pro")
    with pytest.raises(admin.InvalidInputError) as caught:
        admin.update_plan(
            adam,
            plan_id="pro",
            expected_version=pro["version"],
            changes=plan_changes(pro, price_monthly_cents=1),
        )
    assert list(caught.value.errors) == ["price_policy"]
    assert snapshot(db) == before


def test_create_retire_and_restore_a_plan(db: str, adam: Viewer) -> None:
    new = {"id": "team", "name": "Team", "price_monthly_cents": 9_900, "currency": "EUR",
           "features": "{}", "limits": '{"api_calls": 5, "backtests": null, "tokens": 1, "seats": 4}'}  # fmt: skip
    created = admin.create_plan(adam, plan=new)
    assert plan(db, "team")["limits_json"] == {
        "api_calls": 5,
        "backtests": None,
        "tokens": 1,
        "seats": 4,
    }
    with pytest.raises(admin.InvalidInputError, match="exists already"):
        admin.create_plan(adam, plan=new)
    retired = admin.retire_plan(adam, plan_id="team", expected_version=created.version)
    assert plan(db, "team")["is_active"] is False
    admin.restore_plan(adam, plan_id="team", expected_version=retired.version)
    assert plan(db, "team")["is_active"] is True
    assert [(t, a) for _, t, a, *_ in audits(db)] == [
        ("plans", "insert"),
        ("plans", "update"),
        ("plans", "update"),
    ]


def test_retiring_a_busy_plan_needs_the_live_count(db: str, adam: Viewer) -> None:
    live = one(
        db,
        "SELECT count(*) FROM subscriptions WHERE plan_id = 'fund' AND status IN ('trialing','active','past_due')",
    )
    version, before = plan(db, "fund")["version"], snapshot(db)
    for wrong in (0, live + 1):
        with pytest.raises(admin.InvalidInputError) as caught:
            admin.retire_plan(
                adam,
                plan_id="fund",
                expected_version=version,
                confirmed_live_subscriptions=wrong,
            )
        assert f"{live} live subscription(s)" in caught.value.errors["confirmed_live_subscriptions"]
    typed = {f"\u2212{live}": "The number cannot be negative: type 0 or more.",
             "": "Type the number to confirm, e.g. 3.", f"{live}.0": "Type the number as a "
             "whole number, e.g. 3."}  # fmt: skip
    for wrong, message in typed.items():
        with pytest.raises(admin.InvalidInputError) as caught:
            admin.retire_plan(adam, plan_id="fund", expected_version=version,
                              confirmed_live_subscriptions=wrong)  # fmt: skip
        assert caught.value.errors == {"confirmed_live_subscriptions": message}
    assert snapshot(db) == before
    admin.retire_plan(  # the number as typed into the page's field
        viewer=adam,
        plan_id="fund",
        expected_version=version,
        confirmed_live_subscriptions=f" {live} ",
    )
    assert plan(db, "fund")["is_active"] is False
    assert (
        one(
            db,
            "SELECT count(*) FROM subscriptions WHERE plan_id = 'fund' AND status IN ('trialing','active','past_due')",
        )
        == live
    )


# ------------------------------------------------------------------ concurrency


def _race(calls: list[Callable[[], Any]]) -> list[Any]:
    """Run the calls in threads released together; each result or exception is returned."""
    gate, results = threading.Barrier(len(calls)), [None] * len(calls)

    def run(i: int) -> None:
        gate.wait()
        try:
            results[i] = calls[i]()
        except Exception as exc:  # the test inspects what each editor got
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return results


@pytest.mark.parametrize("attempt", range(3))
def test_two_editors_from_the_same_version_never_lose_an_update(
    db: str, adam: Viewer, attempt: int
) -> None:
    pro = plan(db, "pro")

    def edit(name: str) -> Callable[[], Any]:
        return lambda: admin.update_plan(adam, plan_id="pro", expected_version=pro["version"],
            changes=plan_changes(pro, name=name),
        )  # fmt: skip

    results = _race([edit("Alice's Pro"), edit("Bob's Pro")])
    wins = [r for r in results if isinstance(r, admin.Saved)]
    conflicts = [r for r in results if isinstance(r, admin.ConflictError)]
    assert (len(wins), len(conflicts)) == (1, 1), results
    winner = wins[0].row["name"]
    final = plan(db, "pro")
    assert (final["name"], final["version"]) == (winner, pro["version"] + 1)
    loser = conflicts[0]
    assert loser.expected_version == pro["version"]
    assert loser.mine["name"] != winner and loser.mine["version"] == pro["version"]
    assert (loser.current["name"], loser.current_version) == (winner, pro["version"] + 1)
    assert len(audits(db)) == 1


def test_two_admins_renaming_a_tenant_from_two_connections(db: str, adam: Viewer) -> None:
    tid, version = tenant(db, "Harbor Capital")
    results = _race([
        lambda: admin.rename_tenant(adam, tenant_id=tid, expected_version=version, name="Harbor A"),
        lambda: admin.rename_tenant(adam, tenant_id=tid, expected_version=version, name="Harbor B"),
    ])  # fmt: skip
    [win] = [r for r in results if isinstance(r, admin.Saved)]
    [lost] = [r for r in results if isinstance(r, admin.ConflictError)]
    assert one(db, "SELECT name FROM tenants WHERE id = %s", tid) == win.row["name"]
    assert lost.current["name"] == win.row["name"]


def test_a_stale_edit_is_a_conflict_and_overwrites_nothing(db: str, adam: Viewer) -> None:
    pro = plan(db, "pro")
    admin.update_plan(adam, plan_id="pro", expected_version=pro["version"],
                      changes=plan_changes(pro, name="First"))  # fmt: skip
    before = snapshot(db)
    with pytest.raises(admin.ConflictError) as caught:
        admin.update_plan(adam, plan_id="pro", expected_version=pro["version"],
                          changes=plan_changes(pro, name="Second"))  # fmt: skip
    assert (caught.value.mine["name"], caught.value.current["name"]) == ("Second", "First")
    assert snapshot(db) == before


def test_a_rename_after_another_admins_rename_is_a_conflict_and_writes_no_other_tenant(
    db: str, adam: Viewer
) -> None:
    x, version = tenant(db, "Harbor Capital")
    others = "SELECT id, name, settings_json, version FROM tenants WHERE id <> %s ORDER BY id"
    untouched = sql(db, others, x)
    admin.rename_tenant(adam, tenant_id=x, expected_version=version, name="Harbor B")
    after_b = snapshot(db)
    with pytest.raises(admin.ConflictError) as caught:  # A still holds the version it loaded
        admin.rename_tenant(adam, tenant_id=x, expected_version=version, name="Harbor A")
    assert (caught.value.expected_version, caught.value.current_version) == (version, version + 1)
    assert (caught.value.row_key, caught.value.current["name"]) == ({"id": x}, "Harbor B")
    assert snapshot(db) == after_b
    assert sql(db, "SELECT name, version FROM tenants WHERE id = %s", x) == [
        ("Harbor B", version + 1)
    ]
    assert sql(db, others, x) == untouched


GHOST = "00000000-0000-4000-8000-000000000000"


def _gone_tenant(url: str) -> str:
    """A tenant that existed and was deleted."""
    tid = one(
        url,
        "INSERT INTO tenants (id, name) VALUES (gen_random_uuid(), 'Short Lived') RETURNING id::text",
    )
    sql(url, "DELETE FROM tenants WHERE id = %s RETURNING id", tid)
    return tid


def test_a_write_for_a_deleted_or_unknown_tenant_or_plan_writes_nothing(
    db: str, adam: Viewer
) -> None:
    user = one(db, "SELECT id::text FROM users WHERE email = 'analyst@demo.local'")
    before = snapshot(db)
    for tid in (_gone_tenant(db), GHOST, "not-a-uuid"):
        on = {"viewer": adam, "tenant_id": tid}
        member = {**on, "user_id": user, "expected_role": "member"}
        calls = [
            (admin.rename_tenant, {**on, "expected_version": 1, "name": "Taken Over"}),
            (admin.update_tenant_settings, {**on, "expected_version": 1, "settings": "{}"}),
            (admin.change_tenant_plan, {**on, "expected_version": 1, "plan_id": "pro",
                                        "effective_date": dt.datetime.now(dt.UTC).date()}),
            (admin.set_quota_override, {**on, "override": {
                "metric": "tokens", "limit_value": "5", "reason": "deal"}}),
            (admin.clear_quota_override, {**on, "metric": "tokens", "expected_version": 1}),
            (admin.add_member, {**on, "member": {"email": "analyst@demo.local"}}),
            (admin.change_member_role, {**member, "role": "admin"}),
            (admin.remove_member, member),
        ]  # fmt: skip
        for fn, kwargs in calls:
            with pytest.raises(admin.NotFoundError, match=r"^This tenant no longer exists"):
                fn(**kwargs)
    pro = plan(db, "pro")
    for plan_id in ("ghost", "Pro", ""):
        on_plan = {"viewer": adam, "plan_id": plan_id, "expected_version": 1}
        for fn, kwargs in [
            (admin.update_plan, {**on_plan, "changes": plan_changes(pro, name="Ghost")}),
            (admin.retire_plan, on_plan),
            (admin.restore_plan, on_plan),
        ]:
            with pytest.raises(admin.NotFoundError, match=r"^This plan no longer exists"):
                fn(**kwargs)
    assert snapshot(db) == before  # nothing written: no row, no audit row, no version bump
    assert one(db, "SELECT count(*) FROM tenants WHERE name = 'Taken Over'") == 0


# ------------------------------------------------------------------ tenants


def test_a_plan_change_updates_the_subscription_and_appends_its_event(
    db: str, adam: Viewer
) -> None:
    tid, _ = tenant(db, "Umber Macro")
    sub_id, version, cycle, currency, status = sql(
        db,
        "SELECT id::text, version, billing_cycle, currency, status FROM subscriptions "
        "WHERE tenant_id = %s AND status IN ('trialing','active','past_due')",
        tid,
    )[0]
    last = one(
        db, "SELECT max(occurred_at) FROM subscription_events WHERE subscription_id = %s", sub_id
    )
    with pytest.raises(admin.InvalidInputError) as caught:  # before the ledger's latest event
        admin.change_tenant_plan(adam, tenant_id=tid, expected_version=version,
                                 plan_id="pro", effective_date=last.date())  # fmt: skip
    assert "latest event" in caught.value.errors["effective_date"]
    today = dt.datetime.now(dt.UTC).date()
    saved = admin.change_tenant_plan(
        adam, tenant_id=tid, expected_version=version, plan_id="pro", effective_date=today
    )
    price = 19_900 if cycle == "monthly" else 199_000  # pro's price for the cycle
    assert sql(
        db, "SELECT plan_id, price_cents, version FROM subscriptions WHERE id = %s", sub_id
    ) == [("pro", price, version + 1)]
    event = sql(
        db,
        "SELECT event_type, plan_id, status, billing_cycle, price_cents, currency,"
        " (occurred_at AT TIME ZONE 'UTC')::date "
        "FROM subscription_events WHERE subscription_id = %s ORDER BY occurred_at DESC LIMIT 1",
        sub_id,
    )
    assert event == [("upgraded", "pro", status, cycle, price, currency, today)]  # 49 -> 199
    assert [(t, a) for _, t, a, *_ in audits(db)] == [
        ("subscriptions", "update"),
        ("subscription_events", "insert"),
    ]
    assert saved.row["plan_id"] == "pro"


def test_quota_overrides_are_created_edited_and_cleared_with_versions(
    db: str, adam: Viewer
) -> None:
    tid, _ = tenant(db, "Aster Capital")
    expires = dt.datetime.now(dt.UTC) + dt.timedelta(days=10)
    first = admin.set_quota_override(adam, tenant_id=tid, override={
        "metric": "tokens", "limit_value": 9_000_000, "reason": "launch", "expires_at": expires})  # fmt: skip
    with pytest.raises(admin.ConflictError):  # creating it again: someone else's now
        admin.set_quota_override(adam, tenant_id=tid, override={
            "metric": "tokens", "limit_value": 1, "reason": "x"})  # fmt: skip
    second = admin.set_quota_override(adam, tenant_id=tid, expected_version=first.version,
        override={"metric": "tokens", "limit_value": None, "reason": "unlimited deal"})  # fmt: skip
    assert sql(
        db,
        "SELECT limit_value, reason, expires_at, version, created_by::text FROM tenant_quota_overrides",
    ) == [(None, "unlimited deal", None, 2, adam.user_id)]
    with pytest.raises(admin.ConflictError):
        admin.clear_quota_override(
            adam, tenant_id=tid, metric="tokens", expected_version=first.version
        )
    admin.clear_quota_override(
        adam, tenant_id=tid, metric="tokens", expected_version=second.version
    )
    assert one(db, "SELECT count(*) FROM tenant_quota_overrides") == 0
    assert [a for _, _, a, *_ in audits(db)] == ["insert", "update", "delete"]


def test_members_settings_and_names(db: str, adam: Viewer) -> None:
    tid, version = tenant(db, "Vale Capital")
    owner = sql(
        db, "SELECT user_id::text FROM tenant_users WHERE tenant_id = %s AND role = 'owner'", tid
    )
    assert len(owner) == 1
    with pytest.raises(admin.InvalidInputError, match="only owner"):
        admin.remove_member(adam, tenant_id=tid, user_id=owner[0][0], expected_role="owner")
    with pytest.raises(admin.InvalidInputError, match="only owner"):
        admin.change_member_role(
            adam, tenant_id=tid, user_id=owner[0][0], expected_role="owner", role="member"
        )
    with pytest.raises(admin.InvalidInputError, match="No user has the email"):
        admin.add_member(adam, tenant_id=tid, member={"email": "ghost@nowhere.example"})
    added = admin.add_member(
        adam, tenant_id=tid, member={"email": "Leadership@demo.local", "role": "admin"}
    )
    with pytest.raises(admin.InvalidInputError, match="member already"):
        admin.add_member(adam, tenant_id=tid, member={"email": "leadership@demo.local"})
    user = added.key["user_id"]
    with pytest.raises(admin.ConflictError):  # the editor thought they were a member
        admin.change_member_role(
            adam, tenant_id=tid, user_id=user, expected_role="member", role="owner"
        )
    admin.change_member_role(adam, tenant_id=tid, user_id=user, expected_role="admin", role="owner")
    admin.remove_member(
        adam, tenant_id=tid, user_id=owner[0][0], expected_role="owner"
    )  # one owner left
    roles = dict(sql(db, "SELECT user_id::text, role FROM tenant_users WHERE tenant_id = %s", tid))
    assert (
        owner[0][0] not in roles
        and roles[user] == "owner"
        and list(roles.values()).count("owner") == 1
    )
    with pytest.raises(admin.InvalidInputError, match="Another tenant"):
        admin.rename_tenant(adam, tenant_id=tid, expected_version=version, name="aster capital")
    renamed = admin.rename_tenant(
        adam, tenant_id=tid, expected_version=version, name="Vale Partners"
    )
    admin.update_tenant_settings(adam, tenant_id=tid, expected_version=renamed.version,
                                 settings='{"region": "eu", "timezone": "Europe/Paris"}')  # fmt: skip
    assert sql(db, "SELECT name, settings_json, version FROM tenants WHERE id = %s", tid) == [
        ("Vale Partners", {"region": "eu", "timezone": "Europe/Paris"}, version + 2)
    ]
    assert [(t, a) for _, t, a, *_ in audits(db)] == [
        ("tenant_users", "insert"), ("tenant_users", "update"), ("tenant_users", "delete"),
        ("tenants", "update"), ("tenants", "update"),
    ]  # fmt: skip


# ------------------------------------------------------------------ audit and revert


def test_each_edit_and_each_revert_is_audited_exactly_once(db: str, adam: Viewer) -> None:
    tid, version = tenant(db, "Kestrel Partners")
    starter = plan(db, "starter")
    edits = [
        admin.rename_tenant(adam, tenant_id=tid, expected_version=version, name="Kestrel Labs"),
        admin.update_plan(adam, plan_id="starter", expected_version=starter["version"],
                          changes=plan_changes(starter, name="Starter+")),
        admin.set_quota_override(adam, tenant_id=tid, override={
            "metric": "seats", "limit_value": 8, "reason": "team growth"}),
        admin.add_member(adam, tenant_id=tid, member={"email": "analyst@demo.local"}),
    ]  # fmt: skip
    logged = audits(db)
    assert [e[0] for e in logged] == [s.audit_ids[0] for s in edits]  # one row per edit, in order
    for saved in edits:
        admin.revert_change(adam, audit_id=saved.audit_ids[0])
    reverts = audits(db, logged[-1][0])
    assert [(r[2], r[7]) for r in reverts] == [("revert", s.audit_ids[0]) for s in edits]
    assert one(db, "SELECT name FROM tenants WHERE id = %s", tid) == "Kestrel Partners"
    assert plan(db, "starter")["name"] == "Starter"
    assert one(db, "SELECT count(*) FROM tenant_quota_overrides WHERE tenant_id = %s", tid) == 0
    assert one(db, "SELECT count(*) FROM tenant_users m JOIN users u ON u.id = m.user_id "
                   "WHERE m.tenant_id = %s AND u.email = 'analyst@demo.local'", tid) == 0  # fmt: skip
    for r in reverts:  # the revert's before is the edit's after
        edit = next(e for e in logged if e[0] == r[7])
        assert r[5] == edit[6]


def test_a_revert_is_refused_when_the_row_changed_since(db: str, adam: Viewer) -> None:
    tid, version = tenant(db, "Rowan Partners")
    first = admin.rename_tenant(adam, tenant_id=tid, expected_version=version, name="Rowan One")
    admin.rename_tenant(adam, tenant_id=tid, expected_version=first.version, name="Rowan Two")
    before = snapshot(db)
    with pytest.raises(admin.RevertRefusedError) as caught:
        admin.revert_change(adam, audit_id=first.audit_ids[0])
    assert caught.value.current["name"] == "Rowan Two"
    assert caught.value.expected["name"] == "Rowan One"
    assert snapshot(db) == before


def test_a_revert_restores_once_and_then_refuses(db: str, adam: Viewer) -> None:
    tid, version = tenant(db, "Dune Partners")
    saved = admin.update_tenant_settings(
        adam, tenant_id=tid, expected_version=version, settings="{}"
    )
    original = one(db, "SELECT before FROM audit_log WHERE id = %s", saved.audit_ids[0])[
        "settings_json"
    ]
    reverted = admin.revert_change(adam, audit_id=saved.audit_ids[0])
    assert sql(db, "SELECT settings_json, version FROM tenants WHERE id = %s", tid) == [
        (original, version + 2)
    ]
    assert reverted.version == version + 2
    first = saved.audit_ids[0]
    with pytest.raises(admin.RevertRefusedError) as caught:
        admin.revert_change(adam, audit_id=first)
    assert str(caught.value) == (
        f"Change {first} was already reverted by change {first + 1}: nothing to do "
        f"(revert change {first + 1} to apply it again)."
    )
    assert [a for _, _, a, *_ in audits(db)] == ["update", "revert"]


def test_the_audit_list_gives_revert_links_as_integers_or_nothing(db: str, adam: Viewer) -> None:
    tid, version = tenant(db, "Dune Partners")
    one_edit = admin.rename_tenant(adam, tenant_id=tid, expected_version=version,
                                   name="Dune One").audit_ids[0]  # fmt: skip
    other = admin.update_tenant_settings(
        adam, tenant_id=tid, expected_version=version + 1, settings='{"region": "eu"}'
    ).audit_ids[0]
    revert = admin.revert_change(adam, audit_id=other).audit_ids[0]
    changes = admin.list_changes(adam).set_index("id")
    assert changes["reverted_by"].to_dict() == {revert: None, other: revert, one_edit: None}
    assert changes["reverts_audit_id"].to_dict() == {revert: other, other: None, one_edit: None}
    assert all(type(v) is int for v in changes["reverted_by"].dropna())
    rows = changes.reset_index()
    notes = {int(r["id"]): admin.revert_note(r.to_dict()) for _, r in rows.iterrows()}
    assert notes == {
        revert: f"Reverts change {other}.",
        other: f"Reverted by change {revert}.",
        one_edit: "",
    }


def test_reverting_a_removal_recreates_the_member(db: str, adam: Viewer) -> None:
    tid, _ = tenant(db, "Granite Macro")
    user, role = sql(
        db,
        "SELECT user_id::text, role FROM tenant_users WHERE tenant_id = %s AND role = 'member' LIMIT 1",
        tid,
    )[0]
    removed = admin.remove_member(adam, tenant_id=tid, user_id=user, expected_role=role)
    admin.revert_change(adam, audit_id=removed.audit_ids[0])
    assert (
        one(db, "SELECT role FROM tenant_users WHERE tenant_id = %s AND user_id = %s", tid, user)
        == role
    )


def test_reverting_a_plan_change_appends_a_ledger_event_and_events_are_never_reverted(
    db: str, adam: Viewer
) -> None:
    tid, _ = tenant(db, "Zephyr Partners")
    sub_id, version = sql(
        db, "SELECT id::text, version FROM subscriptions WHERE tenant_id = %s", tid
    )[0]
    moved = admin.change_tenant_plan(adam, tenant_id=tid, expected_version=version,
                                     plan_id="starter", effective_date=dt.datetime.now(dt.UTC).date())  # fmt: skip
    with pytest.raises(admin.RevertRefusedError, match="append-only"):
        admin.revert_change(adam, audit_id=moved.audit_ids[1])
    admin.revert_change(adam, audit_id=moved.audit_ids[0])
    assert one(db, "SELECT plan_id FROM subscriptions WHERE id = %s", sub_id) == "pro"
    latest = sql(db, "SELECT event_type, plan_id FROM subscription_events WHERE subscription_id = %s "
                     "ORDER BY occurred_at DESC LIMIT 2", sub_id)  # fmt: skip
    assert latest == [("upgraded", "pro"), ("downgraded", "starter")]


def test_the_audit_list_filters_and_describes_changes(db: str, adam: Viewer) -> None:
    tid, version = tenant(db, "Onyx Capital")
    admin.rename_tenant(adam, tenant_id=tid, expected_version=version, name="Onyx Group")
    pro = plan(db, "pro")
    admin.update_plan(adam, plan_id="pro", expected_version=pro["version"],
                      changes=plan_changes(pro, limits={**pro["limits_json"], "seats": 12}))  # fmt: skip
    everything = admin.list_changes(adam)
    assert list(everything["table_name"]) == ["plans", "tenants"]  # newest first
    assert list(everything["changes"]) == [
        "Seats limit: 10 seats → 12 seats",  # by label, with units
        'Name: "Onyx Capital" → "Onyx Group"',
    ]
    assert list(admin.list_changes(adam, tenant_id=tid)["table_name"]) == ["tenants"]
    assert list(admin.list_changes(adam, table_name="plans")["row"]) == ["Pro (pro)"]  # named
    assert admin.list_changes(adam, actor_email="someone@else").empty
    options = admin.audit_filters(adam)
    assert set(options[options["kind"] == "tenant"]["label"]) == {"Onyx Group"}


# ------------------------------------------------------------------ bad input writes nothing


def _too_long(longest: int) -> hs.SearchStrategy[str]:
    return hs.text(min_size=longest + 1, max_size=longest + 10).filter(
        lambda s: len(s.strip()) > longest
    )


TENANT_NAME_BAD = hs.one_of(
    hs.text(alphabet=" \t", max_size=4), _too_long(120), hs.integers(), hs.none()
)
NAME_BAD = hs.one_of(hs.text(alphabet=" \t", max_size=4), _too_long(80), hs.integers(), hs.none())
NO_DIGITS = hs.characters(exclude_categories=["Nd"])  # a typed price needs a digit
PRICE_BAD = hs.one_of(hs.integers(max_value=-1), hs.integers(min_value=MAX_CENTS + 1), hs.floats(), hs.booleans(), hs.text(NO_DIGITS, max_size=6))  # fmt: skip
CURRENCY_BAD = hs.text(max_size=4).filter(lambda s: s.strip().upper() not in CURRENCIES)
KEYS = hs.from_regex(r"[a-z][a-z0-9_]{0,10}", fullmatch=True)
FEATURES_BAD = hs.one_of(
    hs.text(max_size=12).filter(lambda s: not s.strip().startswith("{")),
    hs.dictionaries(KEYS, hs.floats(allow_nan=False, allow_infinity=False).filter(lambda f: not f.is_integer()), min_size=1).map(json.dumps),
    hs.dictionaries(KEYS, hs.none() | hs.lists(hs.integers(), max_size=2), min_size=1).map(json.dumps),
    hs.dictionaries(hs.from_regex(r"[A-Z ][A-Za-z ]{0,8}", fullmatch=True), hs.booleans(), min_size=1).map(json.dumps),
)  # fmt: skip
LIMITS_BAD = hs.one_of(
    hs.fixed_dictionaries({m: hs.integers(max_value=-1) for m in METRICS}).map(json.dumps),
    hs.dictionaries(hs.sampled_from(METRICS), hs.integers(0, 10), max_size=3).map(json.dumps),
    hs.fixed_dictionaries({m: hs.integers(0, 9) for m in METRICS}, optional={"gpus": hs.integers(0, 9)}).filter(lambda d: "gpus" in d).map(json.dumps),
    hs.fixed_dictionaries({m: hs.floats(0.1, 9.9) | hs.text(max_size=3) for m in METRICS}).map(json.dumps),
    hs.lists(hs.integers(), max_size=3).map(json.dumps),
)  # fmt: skip
BAD_PLAN_FIELDS = {
    "name": NAME_BAD,
    "price_monthly_cents": PRICE_BAD,
    "price_annual_cents": PRICE_BAD.filter(lambda v: v is not None),
    "currency": CURRENCY_BAD,
    "features": FEATURES_BAD,
    "limits": LIMITS_BAD,
}
HYPOTHESIS = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@HYPOTHESIS
@given(data=hs.data())
def test_bad_plan_input_never_writes_a_row(db: str, adam: Viewer, data: hs.DataObject) -> None:
    field = data.draw(hs.sampled_from(sorted(BAD_PLAN_FIELDS)))
    bad = data.draw(BAD_PLAN_FIELDS[field], label=field)
    before, pro = snapshot(db), plan(db, "pro")
    with pytest.raises(admin.InvalidInputError) as caught:
        admin.update_plan(adam, plan_id="pro", expected_version=pro["version"],
                          changes=plan_changes(pro, **{field: bad}), price_policy="move")  # fmt: skip
    assert field in caught.value.errors
    with pytest.raises(admin.InvalidInputError):
        admin.create_plan(adam, plan={**plan_changes(pro, **{field: bad}), "id": "fresh"})
    assert snapshot(db) == before


@HYPOTHESIS
@given(
    metric=hs.one_of(hs.sampled_from(METRICS), hs.text(max_size=8)),
    limit=hs.one_of(hs.integers(max_value=-1), hs.floats(), hs.text(max_size=3), hs.integers(0, 10), hs.none()),
    reason=hs.one_of(hs.text(alphabet=" \n", max_size=3), hs.text(min_size=1, max_size=20)),
    expires=hs.one_of(hs.none(), hs.datetimes(max_value=dt.datetime(2026, 1, 1), timezones=hs.just(dt.UTC)), hs.datetimes(min_value=dt.datetime(2030, 1, 1))),
)  # fmt: skip
def test_bad_override_input_never_writes_a_row(
    db: str, adam: Viewer, metric: object, limit: object, reason: str, expires: object
) -> None:
    override = {"metric": metric, "limit_value": limit, "reason": reason, "expires_at": expires}
    if not admin.models.errors_of(admin.QuotaOverride, override):
        return  # a valid combination: other tests cover saving
    tid, _ = tenant(db, "Cobalt Quant")
    before = snapshot(db)
    with pytest.raises(admin.InvalidInputError):
        admin.set_quota_override(adam, tenant_id=tid, override=override)
    assert snapshot(db) == before


@HYPOTHESIS
@given(
    name=TENANT_NAME_BAD,
    settings_text=hs.one_of(
        hs.text(max_size=10).filter(lambda s: not s.strip().startswith("{")),
        hs.sampled_from(['{"timezone": "Nowhere/City"}', '{"report_currency": 5}', '{"Bad": 1}', '{"region": " "}']),
    ),
)  # fmt: skip
def test_bad_tenant_input_never_writes_a_row(
    db: str, adam: Viewer, name: object, settings_text: str
) -> None:
    tid, version = tenant(db, "Cobalt Quant")
    before = snapshot(db)
    with pytest.raises(admin.InvalidInputError):
        admin.rename_tenant(adam, tenant_id=tid, expected_version=version, name=name)  # type: ignore[arg-type]
    with pytest.raises(admin.InvalidInputError):
        admin.update_tenant_settings(
            adam, tenant_id=tid, expected_version=version, settings=settings_text
        )
    with pytest.raises(admin.InvalidInputError):
        admin.add_member(adam, tenant_id=tid, member={"email": name, "role": "member"})
    assert snapshot(db) == before


# ------------------------------------------------------------------ admins only


def _every_service(url: str, who: Viewer) -> list[tuple[Callable[..., Any], dict[str, Any]]]:
    tid, version = tenant(url, "Aster Capital")
    user = one(url, "SELECT user_id::text FROM tenant_users WHERE tenant_id = %s LIMIT 1", tid)
    pro = plan(url, "pro")
    good = plan_changes(pro, name="Hacked")
    on_plan = {"viewer": who, "plan_id": "pro", "expected_version": pro["version"]}
    on_tenant = {"viewer": who, "tenant_id": tid}
    on_member = {**on_tenant, "user_id": user, "expected_role": "member"}
    return [
        (admin.list_plans, {"viewer": who}),
        (admin.plan_impact, {"viewer": who, "plan_id": "pro", "changes": good}),
        (admin.create_plan, {"viewer": who, "plan": {**good, "id": "hacked"}}),
        (admin.update_plan, {**on_plan, "changes": good}),
        (admin.retire_plan, {**on_plan, "confirmed_live_subscriptions": 3}),
        (admin.restore_plan, on_plan),
        (admin.list_tenants, {"viewer": who}),
        (admin.tenant_detail, on_tenant),
        (admin.rename_tenant, {**on_tenant, "expected_version": version, "name": "Hacked"}),
        (admin.update_tenant_settings, {**on_tenant, "expected_version": version, "settings": "{}"}),
        (admin.change_tenant_plan, {**on_tenant, "expected_version": 1, "plan_id": "fund",
                                    "effective_date": dt.date.today()}),
        (admin.set_quota_override, {**on_tenant, "override": {
            "metric": "tokens", "limit_value": 1, "reason": "x"}}),
        (admin.clear_quota_override, {**on_tenant, "metric": "tokens", "expected_version": 1}),
        (admin.add_member, {**on_tenant, "member": {"email": "leadership@demo.local"}}),
        (admin.change_member_role, {**on_member, "role": "owner"}),
        (admin.remove_member, on_member),
        (admin.tenant_grid, {"viewer": who}),
        (admin.list_changes, {"viewer": who}),
        (admin.audit_filters, {"viewer": who}),
        (admin.revert_change, {"viewer": who, "audit_id": 1}),
    ]  # fmt: skip


def _services() -> set[str]:
    """Every public admin function that takes the acting viewer."""
    return {
        name
        for name in admin.__all__
        if inspect.isfunction(fn := getattr(admin, name))
        and "viewer" in inspect.signature(fn).parameters
    }


@pytest.mark.parametrize(
    ("email", "role"), [("analyst@demo.local", "analyst"), ("leadership@demo.local", "leadership")]
)
def test_only_admins_may_call_the_admin_services(
    db: str, adam: Viewer, email: str, role: str
) -> None:
    tid, version = tenant(db, "Rowan Partners")
    admin.rename_tenant(
        adam, tenant_id=tid, expected_version=version, name="Rowan Co"
    )  # audit row 1
    before = snapshot(db)
    calls = _every_service(db, viewer(db, email, role))
    assert {fn.__name__ for fn, _ in calls} == _services()  # none forgotten
    for fn, kwargs in calls:
        with pytest.raises(PermissionDeniedError):
            fn(**kwargs)
    assert snapshot(db) == before


def test_the_admin_reads_keep_to_the_scope(seeded_url: str) -> None:
    """Called directly with a narrow scope, every read returns that tenant's rows only."""
    tid = one(seeded_url, "SELECT id::text FROM tenants WHERE name = 'Umber Macro'")
    scope = TenantScope.only([tid])
    engine = create_engine(seeded_url)
    try:
        with engine.connect() as conn:
            tenants = q.tenants_overview(conn, scope=scope)
            usage = q.quota_usage(conn, scope=scope, month_start=dt.date(2026, 11, 1),
                                  through=dt.date(2026, 11, 20), at=AT, plan_id="starter")  # fmt: skip
            mrr = q.plan_mrr_change(
                conn, scope=scope, plan_id="starter", new_monthly=4_900, new_annual=None
            )
            plans = q.plans_overview(conn, scope=scope)
            empty = q.tenant_members(conn, scope=TenantScope.only([]), tenant_id=tid)
    finally:
        engine.dispose()
    assert list(tenants["name"]) == ["Umber Macro"]
    assert set(usage["tenant_name"]) == {"Umber Macro"} and list(usage["metric"]) == sorted(METRICS)
    assert mrr[["subscriptions", "paying"]].to_dict("records") == [
        {"subscriptions": 1, "paying": 1}
    ]
    assert dict(zip(plans["id"], plans["live_subscriptions"], strict=True))["starter"] == 1
    assert empty.empty and list(empty.columns) == list(q.MEMBER_COLUMNS)
