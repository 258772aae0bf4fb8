"""Names are shown as typed: a tenant or plan named with markdown renders no image and no
link in headings, captions and messages; and a plan is edited under whatever id it has (the
option "Create a new plan" stands for no id a plan can take)."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from regime_dashboard.ui.text import plain
from regime_dashboard.viewer import Viewer
from tests.conftest import ROOT
from tests.helpers import sql, viewer

pytestmark = [pytest.mark.app, pytest.mark.db]

EVIL = "![x](http://127.0.0.1:9/x.png) [y](http://127.0.0.1:9)"
ESCAPED = r"\!\[x\](http\://127.0.0.1\:9/x.png) \[y\](http\://127.0.0.1\:9)"  # by hand
MARKDOWN_KINDS = ("title", "header", "subheader", "markdown", "caption")
MESSAGE_KINDS = ("info", "success", "warning", "error")


def _open(page: str, who: Viewer, **params: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / f"views/{page}.py"), default_timeout=60)
    at.session_state["_viewer"] = who
    at.query_params.update(params)
    return at.run()


def _bodies(at: AppTest) -> list[str]:
    """The markdown source of every heading, text and message on the page."""
    return [e.value for kind in (*MARKDOWN_KINDS, *MESSAGE_KINDS) for e in getattr(at, kind)]


def _rename_tenant(url: str, name: str) -> str:
    ((tid,),) = sql(
        url, "SELECT t.id::text FROM tenants t JOIN tenant_users m ON m.tenant_id = t.id "
        "JOIN users u ON u.id = m.user_id WHERE u.email = 'analyst@demo.local' "
        "ORDER BY t.name LIMIT 1",
    )  # fmt: skip
    sql(url, "UPDATE tenants SET name = %s WHERE id = %s", name, tid)
    sql(url, "UPDATE data_versions SET version = version + 1")
    return tid


def _shows_escaped(at: AppTest, *expected: str) -> None:
    assert not at.exception
    bodies = _bodies(at)
    assert not [b for b in bodies if "![x](" in b or "[y](" in b], bodies
    for text in expected:
        assert text in bodies, (text, bodies)


def test_plain_escapes_what_markdown_would_render() -> None:
    assert plain(EVIL) == ESCAPED
    assert plain("Starter (theirs)") == "Starter (theirs)"
    assert plain("- a\nb") == r"\- a b"
    assert plain(":red[x] $y$ <b>") == r"\:red\[x\] \$y\$ \<b\>"


def test_a_tenant_named_with_markdown_shows_as_typed(app_env_copy: str) -> None:
    tid = _rename_tenant(app_env_copy, EVIL)
    analyst = viewer(app_env_copy, "analyst@demo.local", "analyst")
    regimes = _open("regimes", analyst, tenant=tid)
    _shows_escaped(regimes, f"Your watchlist · {ESCAPED}")
    releases = _open("releases", analyst, tenant=tid)
    _shows_escaped(releases, f"Reproducibility · {ESCAPED}")
    portfolio = _open("portfolio", analyst, tenant=tid)
    _shows_escaped(portfolio)

    adam = viewer(app_env_copy, "admin@demo.local", "admin")
    tenants = _open("admin_tenants", adam, tenant=EVIL)
    _shows_escaped(tenants)
    next(w for w in tenants.text_input if w.label == "Tenant name").set_value("Plain Name")
    next(b for b in tenants.button if b.label == "Rename").click().run()
    _shows_escaped(tenants, f"Saved tenants of {ESCAPED}.")


def test_an_unknown_name_in_a_link_is_escaped_in_the_message(app_env: str) -> None:
    adam = viewer(app_env, "admin@demo.local", "admin")
    at = _open("regimes", adam, tenant=EVIL)
    first = at.selectbox(key="tenant").options[0]
    _shows_escaped(at, f"Tenant “{ESCAPED}” is not visible to you; showing {plain(first)}.")


def test_a_plan_named_with_markdown_shows_as_typed(app_env_copy: str) -> None:
    sql(app_env_copy, "UPDATE plans SET name = %s WHERE id = 'pro'", EVIL)
    sql(app_env_copy, "UPDATE data_versions SET version = version + 1")
    adam = viewer(app_env_copy, "admin@demo.local", "admin")
    at = _open("admin_plans", adam, plan="pro")
    _shows_escaped(at, f"Edit {ESCAPED} (version 1)")


def test_a_display_name_with_markdown_shows_as_typed_on_home(app_env: str) -> None:
    analyst = viewer(app_env, "analyst@demo.local", "analyst")
    named = Viewer(analyst.user_id, analyst.email, EVIL, analyst.roles, analyst.member_tenant_ids)
    _shows_escaped(_open("home", named), f"Welcome, {ESCAPED}")


def test_a_plan_whose_id_is_new_can_be_edited(app_env_copy: str) -> None:
    sql(
        app_env_copy,
        "INSERT INTO plans SELECT (jsonb_populate_record(NULL::plans, "
        'to_jsonb(p) || \'{"id": "new", "name": "Newcomer"}\')).* FROM plans p '
        "WHERE id = 'free'",
    )
    sql(app_env_copy, "UPDATE data_versions SET version = version + 1")
    adam = viewer(app_env_copy, "admin@demo.local", "admin")
    at = _open("admin_plans", adam, plan="Newcomer (new)")
    _shows_escaped(at, "Edit Newcomer (version 1)")
