"""Two admins on the Tenants page at once: a rename by one never moves the other's form to
another tenant, and the other's Rename lands on the tenant it had open (by id)."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from regime_dashboard.viewer import Viewer
from tests.conftest import ROOT
from tests.helpers import sql, viewer

pytestmark = [pytest.mark.app, pytest.mark.db]


def _admin(url: str) -> Viewer:
    return viewer(url, "admin@demo.local", "admin")


def _tenants_page(who: Viewer, tenant: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / "views/admin_tenants.py"), default_timeout=60)
    at.session_state["_viewer"] = who
    at.query_params["tenant"] = tenant
    return at.run()


def _text(at: AppTest, label: str):  # type: ignore[no-untyped-def]
    return next(w for w in at.text_input if w.label == label)


def _button(at: AppTest, label: str):  # type: ignore[no-untyped-def]
    return next(b for b in at.button if b.label == label)


def _picker(at: AppTest):  # type: ignore[no-untyped-def]
    return next(s for s in at.selectbox if s.label == "Tenant to edit")


def _shown(at: AppTest) -> str | None:
    picker = _picker(at)
    return None if picker.index is None else picker.options[picker.index]


def _names(url: str) -> dict[str, str]:
    return dict(sql(url, "SELECT id::text, name FROM tenants"))


def test_a_rename_elsewhere_keeps_the_other_admin_on_the_same_tenant(app_env_copy: str) -> None:
    adam = _admin(app_env_copy)
    before = _names(app_env_copy)
    # the tenant that is not first in the list, so that a fall-back would show
    harbor = next(i for i, n in before.items() if n == "Harbor Capital")
    b = _tenants_page(adam, "Harbor Capital")
    assert _shown(b) == "Harbor Capital"
    _text(b, "Tenant name").set_value("Harbor (typed by B)")  # B's edit, not saved yet

    a = _tenants_page(adam, "Harbor Capital")
    _text(a, "Tenant name").set_value("Harbor Renamed")
    _button(a, "Rename").click().run()
    assert a.success[0].value == "Saved tenants of Harbor Capital."

    b.run()  # B's next rerun, the browser still sending the old label
    assert not b.exception
    assert _shown(b) == "Harbor Renamed"
    assert _picker(b).value == harbor
    assert _text(b, "Tenant name").value == "Harbor (typed by B)"  # B's typing is kept
    assert any(w.value.startswith("Someone saved this tenant since") for w in b.warning)

    _button(b, "Rename").click().run()  # from the version B opened: refused, nothing moves
    assert b.error[0].value.startswith("Someone saved this row after you opened it")
    assert _names(app_env_copy) == {**before, harbor: "Harbor Renamed"}

    _button(b, "Reload the current version").click().run()
    assert b.selectbox(key="tenant").value == harbor
    _text(b, "Tenant name").set_value("Harbor by B")
    _button(b, "Rename").click().run()
    assert not b.exception
    assert b.success[0].value == "Saved tenants of Harbor Renamed."
    assert _names(app_env_copy) == {**before, harbor: "Harbor by B"}
    assert b.selectbox(key="tenant").value == harbor


def test_the_url_follows_the_tenant_through_a_rename(app_env_copy: str) -> None:
    adam = _admin(app_env_copy)
    b = _tenants_page(adam, "Aster Capital")
    aster = b.selectbox(key="tenant").value
    a = _tenants_page(adam, "Aster Capital")
    _text(a, "Tenant name").set_value("Aster Two")
    _button(a, "Rename").click().run()
    b.run()
    assert b.selectbox(key="tenant").value == aster
    assert b.query_params["tenant"] == "Aster Two"  # written back for the new label
    again = _tenants_page(adam, b.query_params["tenant"])
    assert again.selectbox(key="tenant").value == aster
    by_id = _tenants_page(adam, aster)  # a link may name the tenant by its id
    assert by_id.selectbox(key="tenant").value == aster
    assert by_id.query_params["tenant"] == "Aster Two"


def test_an_edit_link_to_an_unknown_tenant_shows_no_form(app_env: str) -> None:
    at = _tenants_page(_admin(app_env), "Gone Capital")
    assert [w.value for w in at.warning] == [
        "Tenant “Gone Capital” does not exist or is not visible to you (it may have been "
        "renamed or removed): choose one from the list."
    ]
    assert at.selectbox(key="tenant").value is None
    assert not [w for w in at.text_input if w.label == "Tenant name"]
    assert not [b for b in at.button if b.label == "Rename"]


def test_a_tenant_gone_since_it_was_opened_shows_no_form(app_env_copy: str) -> None:
    ((gone,),) = sql(
        app_env_copy, "INSERT INTO tenants (id, name) VALUES (gen_random_uuid(), 'Zz Brief') "
        "RETURNING id::text",
    )  # fmt: skip
    sql(app_env_copy, "UPDATE data_versions SET version = version + 1")
    at = _tenants_page(_admin(app_env_copy), "Zz Brief")
    assert at.selectbox(key="tenant").value == gone
    sql(app_env_copy, "DELETE FROM tenants WHERE id = %s", gone)
    sql(app_env_copy, "UPDATE data_versions SET version = version + 1")
    at.run()
    assert "This tenant no longer exists (“Zz Brief”); choose another." in [
        w.value for w in at.warning
    ]
    assert at.selectbox(key="tenant").value is None
    assert not [w for w in at.text_input if w.label == "Tenant name"]
    assert not [b for b in at.button if b.label == "Rename"]
