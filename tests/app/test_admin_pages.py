"""The admin pages in AppTest: plans, tenants and audit on the seeded database."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import psycopg
import pytest
from sqlalchemy.engine import make_url
from streamlit.testing.v1 import AppTest

from regime_dashboard.db.engine import libpq_dsn
from regime_dashboard.services import admin
from regime_dashboard.viewer import Viewer
from tests.conftest import ROOT
from tests.helpers import one, sql, viewer

pytestmark = [pytest.mark.app, pytest.mark.db]


def page(name: str, who: Viewer, **params: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / f"views/{name}.py"), default_timeout=30)
    at.session_state["_viewer"] = who
    for key, value in params.items():
        at.query_params[key] = value
    return at.run()


def errors(at: AppTest) -> list[str]:
    return [e.value for e in at.error]


def table(at: AppTest, index: int = 0) -> list[dict[str, Any]]:
    return at.dataframe[index].value.to_dict("records")


def by(at: AppTest, label: str, kind: str = "text_area") -> Any:
    return next(w for w in getattr(at, kind) if w.label == label)


def shown_after(at: AppTest, label: str) -> str | None:
    """The text of the element right below the widget labelled `label` (its field slot)."""
    nodes = list(at.main.children.values())
    index = next(i for i, n in enumerate(nodes) if getattr(n, "label", None) == label)
    return getattr(nodes[index + 1], "value", None)


def button(at: AppTest, label: str) -> Any:
    return next(b for b in at.button if b.label == label)


def confirm(at: AppTest, question: str) -> None:
    """Tick the "Yes, …" box a destructive action asks for."""
    next(c for c in at.checkbox if c.label == question).check().run()


# ------------------------------------------------------------------ plans


def test_the_plans_page_shows_every_plan_as_stored(app_env: str) -> None:
    at = page("admin_plans", viewer(app_env, "admin@demo.local", "admin"))
    assert not at.exception
    stored = sql(
        app_env,
        "SELECT p.id, p.price_monthly_cents, p.price_annual_cents, count(s.id) FROM plans p "
        "LEFT JOIN subscriptions s ON s.plan_id = p.id AND s.status IN ('trialing','active','past_due') "
        "GROUP BY p.id ORDER BY p.price_monthly_cents",
    )
    shown = [
        (r["Plan"], r["Monthly price"], r["Annual price"], r["Live subscriptions"])
        for r in table(at)
    ]
    for (pid, monthly, annual, live), (s_id, s_monthly, s_annual, s_live) in zip(
        stored, shown, strict=True
    ):  # money as "$1,990.00" (every plan is in USD), "—" for no annual price
        assert (s_id, s_monthly, s_live) == (pid, f"${monthly // 100:,}.{monthly % 100:02d}", live)
        assert s_annual == (f"${annual // 100:,}.{annual % 100:02d}" if annual is not None else "—")


def test_a_broken_limit_shows_its_rule_under_the_limits_and_saves_nothing(
    app_env_copy: str,
) -> None:
    adam = viewer(app_env_copy, "admin@demo.local", "admin")
    at = page("admin_plans", adam, plan="pro")
    by(at, "Calls/month", "text_input").set_value("-1").run()
    assert errors(at) == ["API calls per month: The limit cannot be negative: type 0 or more."]
    by(at, "Calls/month", "text_input").set_value("1e3").run()
    assert errors(at) == ["API calls per month: Type the limit as a number such as 100000."]
    assert button(at, "Save changes").disabled
    assert one(app_env_copy, "SELECT count(*) FROM audit_log") == 0
    assert one(app_env_copy, "SELECT version FROM plans WHERE id = 'pro'") == 1


def test_a_price_change_shows_its_impact_and_needs_an_explicit_choice(app_env_copy: str) -> None:
    adam = viewer(app_env_copy, "admin@demo.local", "admin")
    at = page("admin_plans", adam, plan="pro")
    by(at, "Monthly price (USD)", "text_input").set_value("249").run()
    # independent: paying (active, past_due) monthly pro subscriptions each pay 50.00 more
    paying = one(
        app_env_copy,
        "SELECT count(*) FROM subscriptions WHERE plan_id = 'pro' AND billing_cycle = 'monthly' "
        "AND status IN ('active','past_due')",
    )
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["MRR change if moved to the new price"] == f"${paying * 50:,.2f}"
    policy = at.radio[0]
    assert policy.value is None  # no default: the admin must choose
    button(at, "Save changes").click().run()
    assert any("choose whether existing subscriptions" in e for e in errors(at))
    assert one(app_env_copy, "SELECT count(*) FROM audit_log") == 0

    at.radio[0].set_value("move").run()
    button(at, "Save changes").click().run()
    assert not at.exception
    assert at.success[0].value == "Saved plan pro (version 2)."
    assert one(app_env_copy, "SELECT price_monthly_cents FROM plans WHERE id = 'pro'") == 24_900
    assert one(
        app_env_copy,
        "SELECT count(*) FROM subscriptions WHERE plan_id = 'pro' AND price_cents = 24900",
    ) == one(
        app_env_copy,
        "SELECT count(*) FROM subscriptions WHERE plan_id = 'pro' "
        "AND status IN ('trialing','active','past_due')",
    )


def _pro_row(at: AppTest) -> dict[str, Any]:
    return next(r for r in table(at) if r["Plan"] == "pro")


def test_an_edit_shows_in_every_session_on_its_next_rerun(app_env_copy: str) -> None:
    adam = viewer(app_env_copy, "admin@demo.local", "admin")
    watcher = page("admin_plans", adam)  # session A
    assert (_pro_row(watcher)["Name"], _pro_row(watcher)["Monthly price"]) == ("Pro", "$199.00")

    # a write that does not bump the data version stays invisible: A reads from the cache
    with psycopg.connect(libpq_dsn(make_url(app_env_copy))) as conn:
        conn.execute("UPDATE plans SET name = 'Pro (outside)' WHERE id = 'pro'")
    assert _pro_row(watcher.run())["Name"] == "Pro"

    editor = page("admin_plans", adam, plan="pro")  # session B edits through the page
    by(editor, "Name", "text_input").set_value("Pro 2027")
    by(editor, "Monthly price (USD)", "text_input").set_value("259").run()
    editor.radio[0].set_value("grandfather").run()
    button(editor, "Save changes").click().run()
    assert editor.success[0].value == "Saved plan pro (version 2)."

    again = watcher.run()  # A's next rerun, no cache cleared
    assert (_pro_row(again)["Name"], _pro_row(again)["Monthly price"]) == ("Pro 2027", "$259.00")

    pro = admin.list_plans(adam).set_index("id").loc["pro"]
    admin.update_plan(  # a service call from elsewhere (this process, another "session")
        viewer=adam,
        plan_id="pro",
        expected_version=int(pro["version"]),
        changes={
            "name": "Pro 2027",
            "price_monthly_cents": 26_900,
            "price_annual_cents": int(pro["price_annual_cents"]),
            "currency": "USD",
            "features": pro["features_json"],
            "limits": pro["limits_json"],
        },
        price_policy="grandfather",
    )
    assert _pro_row(watcher.run())["Monthly price"] == "$269.00"


def test_saving_over_someone_elses_edit_shows_both_versions(app_env_copy: str) -> None:
    adam = viewer(app_env_copy, "admin@demo.local", "admin")
    at = page("admin_plans", adam, plan="starter")  # the editor opens version 1
    starter = admin.list_plans(adam).set_index("id").loc["starter"]
    admin.update_plan(  # meanwhile someone else saves version 2
        viewer=adam,
        plan_id="starter",
        expected_version=1,
        changes={
            "name": "Starter (theirs)",
            "price_monthly_cents": 4_900,
            "price_annual_cents": 49_000,
            "currency": "USD",
            "features": starter["features_json"],
            "limits": starter["limits_json"],
        },
    )
    by(at, "Name", "text_input").set_value("Starter (mine)").run()
    assert at.warning[0].value.startswith("Someone saved this plan since you opened it")
    button(at, "Save changes").click().run()
    assert errors(at)[0].startswith("Someone saved this row after you opened it")
    mine, theirs = (j.value for j in at.json[:2])
    assert (json.loads(mine)["name"], json.loads(mine)["version"]) == ("Starter (mine)", 1)
    assert (json.loads(theirs)["name"], json.loads(theirs)["version"]) == ("Starter (theirs)", 2)
    assert sql(app_env_copy, "SELECT name, version FROM plans WHERE id = 'starter'") == [
        ("Starter (theirs)", 2)
    ]
    button(at, "Reload the current version").click().run()
    assert at.subheader[0].value == "Edit Starter (theirs) (version 2)"
    assert by(at, "Name", "text_input").value == "Starter (theirs)"


def test_a_stale_tenant_rename_is_a_conflict(app_env_copy: str) -> None:
    adam = viewer(app_env_copy, "admin@demo.local", "admin")
    at = page("admin_tenants", adam, tenant="Harbor Capital")
    tid, version = sql(
        app_env_copy, "SELECT id::text, version FROM tenants WHERE name = 'Harbor Capital'"
    )[0]
    admin.update_tenant_settings(adam, tenant_id=tid, expected_version=version, settings="{}")
    by(at, "Tenant name", "text_input").set_value("Harbor Two")
    button(at, "Rename").click().run()
    assert errors(at)[0].startswith("Someone saved this row after you opened it")
    assert one(app_env_copy, "SELECT name FROM tenants WHERE id = %s", tid) == "Harbor Capital"


# ------------------------------------------------------------------ tenants


def test_the_tenants_page_renames_and_explains_broken_rules(app_env_copy: str) -> None:
    adam = viewer(app_env_copy, "admin@demo.local", "admin")
    at = page("admin_tenants", adam, tenant="Aster Capital")
    assert not at.exception
    by(at, "Tenant name", "text_input").set_value("   ")
    button(at, "Rename").click().run()
    assert errors(at) == ["The tenant name must not be blank."]
    by(at, "Settings (JSON)").set_value('{"timezone": "Mars/Olympus"}')
    button(at, "Save settings").click().run()
    assert errors(at) == ["Setting 'timezone' must be an IANA time zone such as Europe/Berlin."]
    assert one(app_env_copy, "SELECT count(*) FROM audit_log") == 0

    by(at, "Tenant name", "text_input").set_value("Aster Capital Group")
    button(at, "Rename").click().run()
    assert at.success[0].value == "Saved tenants of Aster Capital."
    assert at.query_params["tenant"] == "Aster Capital Group"
    renamed = one(app_env_copy, "SELECT id::text FROM tenants WHERE name = 'Aster Capital Group'")
    assert at.selectbox[0].value == renamed  # the picker keeps the tenant by id


def test_the_tenant_usage_matches_usage_daily(app_env: str) -> None:
    who = viewer(app_env, "admin@demo.local", "admin")
    at = page("admin_tenants", who, tenant="Aster Capital", section="Quota overrides")
    today = dt.datetime.now(dt.UTC).date()
    # the month so far from its 7th day, else the whole month before (as Usage opens)
    last = today if today.day >= 7 else today.replace(day=1) - dt.timedelta(days=1)
    expected = dict(
        sql(
            app_env,
            "SELECT u.metric, sum(u.quantity)::float8 FROM usage_daily u JOIN tenants t "
            "ON t.id = u.tenant_id WHERE t.name = 'Aster Capital' AND u.day BETWEEN %s AND %s "
            "GROUP BY u.metric",
            last.replace(day=1),
            last,
        )
    )
    expected["seats"] = one(
        app_env,
        "SELECT count(*) FROM tenant_users m JOIN tenants t ON t.id = m.tenant_id "
        "WHERE t.name = 'Aster Capital'",
    )
    usage = next(d for d in at.dataframe if "Used in the month" in d.value.columns).value
    named = {
        "API calls": "api_calls",
        "Backtests": "backtests",
        "Tokens": "tokens",
        "Seats": "seats",
    }
    shown = dict(zip(usage["Metric"].map(named), usage["Used in the month"], strict=True))
    assert shown == pytest.approx({m: expected.get(m, 0.0) for m in named.values()})
    limits = dict(zip(usage["Metric"], usage["Limit"], strict=True))
    assert limits["Seats"] == "10 seats" and limits["API calls"] == "100,000 calls/month"  # pro's


def test_a_quota_override_without_a_reason_is_refused(app_env_copy: str) -> None:
    at = page(
        "admin_tenants",
        viewer(app_env_copy, "admin@demo.local", "admin"),
        tenant="Umber Macro",
        section="Quota overrides",
    )
    by(at, "Limit per month", "text_input").set_value("0").run()
    assert button(at, "Save override").disabled
    assert "To save, type a reason." in [c.value for c in at.caption]
    by(at, "Reason", "text_input").set_value("  ").run()
    assert button(at, "Save override").disabled
    by(at, "Reason", "text_input").set_value("agreed in the renewal").run()
    button(at, "Save override").click().run()
    assert not errors(at)
    assert sql(app_env_copy, "SELECT metric, limit_value, reason FROM tenant_quota_overrides") == [
        ("api_calls", 0, "agreed in the renewal")
    ]


# ------------------------------------------------------------------ audit


def test_the_audit_page_shows_the_diff_and_reverts(app_env_copy: str) -> None:
    adam = viewer(app_env_copy, "admin@demo.local", "admin")
    tid, version = sql(
        app_env_copy, "SELECT id::text, version FROM tenants WHERE name = 'Onyx Capital'"
    )[0]
    saved = admin.rename_tenant(adam, tenant_id=tid, expected_version=version, name="Onyx Co")
    at = page("audit", adam)
    assert not at.exception
    assert [(r["What"], r["Rows"]) for r in table(at)] == [
        ("update tenants: Onyx Co", 1)  # one action, named by the tenant, not its UUID
    ]
    first = table(at, 1)[0]  # the rows of the action opened (the newest)
    assert (
        first["Change"],
        first["Action"],
        first["Table"],
        first["Tenant"],
        first["Changes"],
    ) == (
        saved.audit_ids[0],
        "update",
        "tenants",
        "Onyx Co",
        'Name: "Onyx Capital" → "Onyx Co"',
    )
    assert table(at, 2) == [{"Field": "Name", "Before": '"Onyx Capital"', "After": '"Onyx Co"'}]
    assert button(at, "Revert this change").disabled  # until the revert is confirmed
    confirm(at, f"Yes, revert change {saved.audit_ids[0]}")
    button(at, "Revert this change").click().run()
    assert (
        at.success[0].value
        == f"Reverted change {saved.audit_ids[0]} (audited as change {saved.audit_ids[0] + 1})."
    )
    assert one(app_env_copy, "SELECT name FROM tenants WHERE id = %s", tid) == "Onyx Capital"
    assert sql(app_env_copy, "SELECT action, reverts_audit_id FROM audit_log ORDER BY id") == [
        ("update", None),
        ("revert", saved.audit_ids[0]),
    ]
    at.selectbox(key="inspect").set_value(saved.audit_ids[0]).run()
    confirm(at, f"Yes, revert change {saved.audit_ids[0]}")
    button(at, "Revert this change").click().run()  # reverted already: refused
    first = saved.audit_ids[0]
    assert errors(at)[0].startswith(f"Change {first} was already reverted by change {first + 1}")
    assert one(app_env_copy, "SELECT count(*) FROM audit_log") == 2


@pytest.mark.parametrize("name", ["admin_plans", "admin_tenants", "audit"])
@pytest.mark.parametrize(
    ("email", "role"), [("analyst@demo.local", "analyst"), ("leadership@demo.local", "leadership")]
)
def test_admin_pages_stop_other_roles(app_env: str, name: str, email: str, role: str) -> None:
    at = page(name, viewer(app_env, email, role))
    assert errors(at) == ["Your role does not give access to this page (admin pages)."]
    assert not at.dataframe and not at.button
