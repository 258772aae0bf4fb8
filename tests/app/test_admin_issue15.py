"""The admin pages of issue 15 in AppTest on a private copy of the seeded database: typed plan
limits, destructive actions that need a confirmation, the tenant grid and humanised tables."""

from __future__ import annotations

import re
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from regime_dashboard.services import admin
from tests.app.test_admin_pages import page
from tests.helpers import one, sql, viewer

pytestmark = [pytest.mark.app, pytest.mark.db]


def button(at: AppTest, label: str) -> Any:
    return next(b for b in at.button if b.label == label)


def box(at: AppTest, label: str) -> Any:
    return next(c for c in at.checkbox if c.label == label)


def test_typed_limits_save_integers_and_unlimited_saves_null(app_env_copy: str) -> None:
    at = page("admin_plans", viewer(app_env_copy, "admin@demo.local", "admin"), plan="pro")
    assert not at.exception and not at.text_area  # no JSON text: the demo plans have no others
    at.text_input(key="plan-pro-v1-limit-tokens").set_value("6000000")
    at.checkbox(key="plan-pro-v1-backtests-free").check()
    at.toggle(key="plan-pro-v1-feature-paper_trading").set_value(False).run()
    button(at, "Save changes").click().run()
    assert not at.exception and at.success[0].value == "Saved plan pro (version 2)."
    limits, features = sql(
        app_env_copy, "SELECT limits_json, features_json FROM plans WHERE id = 'pro'"
    )[0]
    assert limits == {"api_calls": 100_000, "backtests": None, "tokens": 6_000_000, "seats": 10}
    assert features == {
        "regime_engine": True,
        "backtests": True,
        "paper_trading": False,
        "api_access": True,
        "support": "email",
    }


def test_a_bad_typed_limit_disables_save_and_writes_nothing(app_env_copy: str) -> None:
    at = page("admin_plans", viewer(app_env_copy, "admin@demo.local", "admin"), plan="pro")
    at.text_input(key="plan-pro-v1-limit-seats").set_value("ten").run()
    assert [e.value for e in at.error] == ["Seats: Type the limit as a number such as 100000."]
    assert button(at, "Save changes").disabled  # a browser cannot click it
    assert one(app_env_copy, "SELECT count(*) FROM audit_log") == 0


def test_retiring_a_plan_without_confirmation_writes_nothing(app_env_copy: str) -> None:
    at = page("admin_plans", viewer(app_env_copy, "admin@demo.local", "admin"), plan="free")
    assert one(app_env_copy, "SELECT count(*) FROM subscriptions WHERE plan_id = 'free' "
               "AND status IN ('trialing','active','past_due')") == 0  # fmt: skip
    assert button(at, "Retire plan").disabled  # a browser cannot click it
    at.run()
    assert one(app_env_copy, "SELECT is_active FROM plans WHERE id = 'free'") is True
    assert one(app_env_copy, "SELECT count(*) FROM audit_log") == 0
    box(at, "Yes, retire Free").check().run()
    button(at, "Retire plan").click().run()
    assert one(app_env_copy, "SELECT is_active FROM plans WHERE id = 'free'") is False


def test_clearing_an_override_without_confirmation_writes_nothing(app_env_copy: str) -> None:
    adam = viewer(app_env_copy, "admin@demo.local", "admin")
    tenant_id = one(app_env_copy, "SELECT id::text FROM tenants WHERE name = 'Umber Macro'")
    override = {"metric": "tokens", "limit_value": "123", "reason": "trial"}
    admin.set_quota_override(adam, tenant_id, override)
    at = page("admin_tenants", adam, tenant="Umber Macro", section="Quota overrides")
    assert not at.exception
    assert button(at, "Clear override").disabled  # a browser cannot click it
    at.run()
    count = "SELECT count(*) FROM tenant_quota_overrides WHERE tenant_id = %s"
    assert one(app_env_copy, count, tenant_id) == 1
    assert one(app_env_copy, "SELECT count(*) FROM audit_log") == 1  # the override's own
    box(at, "Yes, clear the Tokens override").check().run()  # the metric by its label
    button(at, "Clear override").click().run()
    assert one(app_env_copy, count, tenant_id) == 0


def test_reverting_without_confirmation_writes_nothing(app_env_copy: str) -> None:
    adam = viewer(app_env_copy, "admin@demo.local", "admin")
    tid, version = sql(app_env_copy, "SELECT id::text, version FROM tenants LIMIT 1")[0]
    admin.rename_tenant(adam, tid, expected_version=version, name="Renamed Co")
    at = page("audit", adam)
    assert button(at, "Revert this change").disabled  # a browser cannot click it
    at.run()
    assert one(app_env_copy, "SELECT count(*) FROM audit_log") == 1
    assert one(app_env_copy, "SELECT name FROM tenants WHERE id = %s", tid) == "Renamed Co"


def test_the_tenant_grid_lists_every_tenant_and_searches(app_env: str) -> None:
    at = page("admin_tenants", viewer(app_env, "admin@demo.local", "admin"))
    assert not at.exception
    grid = at.dataframe[0].value
    assert list(grid.columns) == [
        "Tenant", "Plan", "MRR (USD)", "Usage vs limit", "Highest metric", "Status", "Members"
    ]  # fmt: skip
    assert list(grid["Tenant"]) == [
        n for (n,) in sql(app_env, "SELECT name FROM tenants ORDER BY name")
    ]
    at.text_input(key="tenants-search").set_value("fund").run()
    found = at.dataframe[0].value
    on_fund = sql(
        app_env,
        "SELECT count(DISTINCT t.id) FROM tenants t JOIN LATERAL (SELECT plan_id FROM "
        "subscriptions s WHERE s.tenant_id = t.id ORDER BY (s.status IN "
        "('trialing','active','past_due')) DESC, s.started_at DESC LIMIT 1) l ON true "
        "WHERE l.plan_id = 'fund' OR t.name ILIKE '%%fund%%'",
    )[0][0]
    assert len(found) == on_fund > 0
    assert all("fund" in f"{r['Tenant']} {r['Plan']}".lower() for r in found.to_dict("records"))


SNAKE = re.compile(r"^[a-z0-9]+(_[a-z0-9]+)+$")
BAD_CELLS = {"None", "nan", "NaN", "NaT", "Infinity", "inf", "<NA>"}


@pytest.mark.parametrize(
    ("name", "params"),
    [
        ("admin_plans", {"plan": "pro"}),
        ("admin_tenants", {"tenant": "Umber Macro", "section": "Quota overrides"}),
        ("admin_tenants", {"tenant": "Umber Macro", "section": "Members"}),
        ("audit", {}),
    ],
)
def test_admin_tables_have_labels_and_no_raw_values(
    app_env_copy: str, name: str, params: dict[str, str]
) -> None:
    adam = viewer(app_env_copy, "admin@demo.local", "admin")
    tenant_id = one(app_env_copy, "SELECT id::text FROM tenants WHERE name = 'Umber Macro'")
    admin.set_quota_override(
        adam, tenant_id, {"metric": "seats", "limit_value": None, "reason": "x"}
    )
    at = page(name, adam, **params)
    assert not at.exception and at.dataframe
    uuid = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
    for table in at.dataframe:
        frame = table.value
        assert not [c for c in frame.columns if SNAKE.match(str(c))], list(frame.columns)
        assert "Version" not in frame.columns
        for column in frame.columns:
            texts = [str(v) for v in frame[column] if isinstance(v, str)]
            assert not [t for t in texts if t in BAD_CELLS or uuid.search(t)], column
            assert not [t for t in texts if "00:00:00" in t or "+00:00" in t], column
            assert not [t for t in texts if "$-" in t], column
