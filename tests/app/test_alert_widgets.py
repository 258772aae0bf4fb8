"""The watchlist star, the alert rules panel, the unread alerts list and the sidebar count
(ui/watchlist.py, ui/alerts.py) in AppTest, on a writable copy of the seeded database; a
malformed settings document shows "settings unreadable, reset?" and breaks no page."""

from __future__ import annotations

import json
import uuid

import pytest
from streamlit.testing.v1 import AppTest

from regime_dashboard.viewer import Viewer
from tests.conftest import ROOT
from tests.helpers import one, sql

pytestmark = [pytest.mark.app, pytest.mark.db]

ANALYST = "analyst@demo.local"


def _analyst(url: str) -> Viewer:
    user_id, name = sql(url, "SELECT id::text, display_name FROM users WHERE email = %s", ANALYST)[
        0
    ]
    tenants = [r[0] for r in sql(url, "SELECT tenant_id::text FROM tenant_users WHERE user_id = %s "
                                      "ORDER BY tenant_id", user_id)]  # fmt: skip
    return Viewer(user_id, ANALYST, name, frozenset({"analyst"}), tuple(tenants))


def _watched(url: str, viewer: Viewer) -> tuple[str, str]:
    row = sql(url, "SELECT tenant_id::text, asset_id FROM user_asset_settings WHERE user_id = %s "
                   "ORDER BY tenant_id, asset_id LIMIT 1", viewer.user_id)[0]  # fmt: skip
    return row[0], row[1]


def _doc(url: str, viewer: Viewer, tenant_id: str, asset_id: str) -> object:
    return one(url, "SELECT settings_json FROM user_asset_settings WHERE tenant_id = %s AND "
                    "user_id = %s AND asset_id = %s", tenant_id, viewer.user_id, asset_id)  # fmt: skip


def star_script() -> None:
    import streamlit as st

    from regime_dashboard.session import current_viewer
    from regime_dashboard.ui.watchlist import watchlist_star

    watchlist_star(current_viewer(), st.session_state["_tenant"], st.session_state["_asset"])


def rules_script() -> None:
    import streamlit as st

    from regime_dashboard.session import current_viewer
    from regime_dashboard.ui.alerts import alert_rules_panel

    alert_rules_panel(current_viewer(), st.session_state["_tenant"], st.session_state["_asset"])


def home_script() -> None:
    from regime_dashboard.session import current_viewer
    from regime_dashboard.ui.alerts import sidebar_alert_count, unread_alerts_list

    viewer = current_viewer()
    sidebar_alert_count(viewer)
    unread_alerts_list(viewer)


def _run(script, viewer: Viewer, tenant_id: str = "", asset_id: str = "") -> AppTest:  # type: ignore[no-untyped-def]
    at = AppTest.from_function(script, default_timeout=30)
    at.session_state["_viewer"] = viewer
    at.session_state["_tenant"] = tenant_id
    at.session_state["_asset"] = asset_id
    at.run()
    assert not at.exception, at.exception
    return at


def test_the_star_adds_and_removes_the_asset(app_env_copy: str) -> None:
    ana = _analyst(app_env_copy)
    tenant_id, asset_id = _watched(app_env_copy, ana)
    at = _run(star_script, ana, tenant_id, asset_id)
    assert at.button[0].label == "★ On your watchlist"
    at.button[0].click().run()
    assert not at.exception
    assert at.button[0].label == "☆ Add to watchlist"
    assert _doc(app_env_copy, ana, tenant_id, asset_id)["watchlist"] is False
    at.button[0].click().run()
    assert at.button[0].label == "★ On your watchlist"
    assert _doc(app_env_copy, ana, tenant_id, asset_id)["watchlist"] is True


@pytest.mark.parametrize("script", [star_script, rules_script], ids=["star", "rules"])
def test_a_malformed_document_offers_a_reset_and_crashes_nothing(app_env_copy: str, script) -> None:  # type: ignore[no-untyped-def]
    ana = _analyst(app_env_copy)
    tenant_id, asset_id = _watched(app_env_copy, ana)
    sql(app_env_copy, "UPDATE user_asset_settings SET settings_json = '[\"not\", \"a\", \"doc\"]' "
                      "WHERE tenant_id = %s AND user_id = %s AND asset_id = %s",
        tenant_id, ana.user_id, asset_id)  # fmt: skip
    at = _run(script, ana, tenant_id, asset_id)
    assert "unreadable" in at.warning[0].value and "Reset" in at.warning[0].value
    at.button(key=f"_reset_{tenant_id}_{asset_id}").click().run()
    assert not at.exception and not at.warning
    assert _doc(app_env_copy, ana, tenant_id, asset_id)["alerts"] == []


def test_the_rules_panel_saves_rules_and_refuses_a_bad_webhook(app_env_copy: str) -> None:
    ana = _analyst(app_env_copy)
    tenant_id, asset_id = _watched(app_env_copy, ana)
    # the demo seeds rules on this asset: start from none
    sql(app_env_copy, "UPDATE user_asset_settings SET settings_json = settings_json - 'alerts' "
                      "WHERE tenant_id = %s AND user_id = %s AND asset_id = %s",
        tenant_id, ana.user_id, asset_id)  # fmt: skip
    at = _run(rules_script, ana, tenant_id, asset_id)
    key = f"_alerts_{tenant_id}_{asset_id}"
    at.checkbox(key=f"{key}_regime_change").check()
    at.checkbox(key=f"{key}_confidence_below").check()
    at.number_input(key=f"{key}_confidence_below_pct").set_value(55)
    at.text_input(key=f"{key}_webhook").input("ftp://example.com/hook")
    at.button[0].click().run()
    assert not at.exception and "Not saved" in at.error[0].value
    assert "alerts" not in _doc(app_env_copy, ana, tenant_id, asset_id)
    at.text_input(key=f"{key}_webhook").input("https://hooks.example.com/T/B")
    at.button[0].click().run()
    assert not at.exception and "Saved 2 alert rule(s)" in at.success[0].value
    stored = _doc(app_env_copy, ana, tenant_id, asset_id)
    assert [(r["kind"], r["threshold"]) for r in stored["alerts"]] == [
        ("regime_change", None), ("confidence_below", 0.55)]  # fmt: skip
    assert stored["webhook_url"] == "https://hooks.example.com/T/B"
    assert stored["default_range_days"] == 365  # a key of another writer survives
    again = _run(rules_script, ana, tenant_id, asset_id)
    assert again.checkbox(key=f"{key}_regime_change").value is True
    assert again.number_input(key=f"{key}_confidence_below_pct").value == 55


def _notify(url: str, viewer: Viewer, n: int) -> list[str]:
    """`n` unread alerts for `viewer`, in place of the ones the demo seeded."""
    sql(url, "DELETE FROM notifications WHERE user_id = %s", viewer.user_id)
    ids = []
    for i in range(n):
        ids.append(str(uuid.uuid4()))
        payload = {"asset_id": "SPY", "version": "v1", "date": f"2026-11-{10 + i}",
                   "from": "bull", "to": "bear", "confidence": 0.7, "text": f"SPY alert {i}"}  # fmt: skip
        sql(url, "INSERT INTO notifications (tenant_id, id, user_id, type, payload, channel, "
                 "dedup_key) VALUES (%s, %s, %s, 'regime_change', %s, 'in_app', %s)",
            viewer.member_tenant_ids[0], ids[-1], viewer.user_id, json.dumps(payload), f"k{i}")  # fmt: skip
    return ids


def test_home_lists_unread_alerts_and_marks_them_read(app_env_copy: str) -> None:
    ana = _analyst(app_env_copy)
    ids = _notify(app_env_copy, ana, 3)
    at = _run(home_script, ana)
    assert "**3** unread alerts" in at.sidebar.markdown[0].value
    shown = at.dataframe[0].value
    assert len(shown) == 3 and list(shown["From → to"]) == ["bull → bear"] * 3
    assert set(shown["Asset"]) == {"SPY"}
    at.multiselect(key="_alerts_to_mark").select(ids[0]).run()
    at.button(key="_alerts_mark_selected").click().run()
    assert not at.exception
    assert len(at.dataframe[0].value) == 2 and "**2** unread alerts" in at.sidebar.markdown[0].value
    assert one(app_env_copy, "SELECT read_at IS NOT NULL FROM notifications WHERE id = %s", ids[0])
    at.button(key="_alerts_mark_all").click().run()
    assert not at.exception and not at.dataframe and not at.sidebar.markdown
    assert "No unread alerts" in at.caption[0].value


def test_a_data_mismatch_alert_is_said_in_words_not_hashes(app_env_copy: str) -> None:
    ana = _analyst(app_env_copy)
    sql(app_env_copy, "DELETE FROM notifications WHERE user_id = %s", ana.user_id)
    stored, recomputed = "9fde68d4fd2a", "3797244e3946"
    payload = {"asset_id": "SPY", "version": "v1", "date": "2026-11-30", "from": stored,
               "to": recomputed, "confidence": None,
               "text": f"SPY (X, release v1): inputs changed on 2026-11-30: {stored} → {recomputed}"}  # fmt: skip
    sql(app_env_copy, "INSERT INTO notifications (tenant_id, id, user_id, type, payload, channel, "
                      "dedup_key) VALUES (%s, %s, %s, 'data_mismatch', %s, 'in_app', 'm1')",
        ana.member_tenant_ids[0], str(uuid.uuid4()), ana.user_id, json.dumps(payload))  # fmt: skip
    at = _run(home_script, ana)
    assert not at.exception
    shown = at.dataframe[0].value
    assert list(shown["From → to"]) == ["Input data changed since release"]
    options = at.multiselect(key="_alerts_to_mark").options
    assert len(options) == 1 and "input data changed since release" in options[0]
    assert not any(h in options[0] or h in shown.to_string() for h in (stored, recomputed))


def test_other_users_alerts_and_roles_without_analyst_pages_show_nothing(
    app_env_copy: str,
) -> None:
    ana = _analyst(app_env_copy)
    other = Viewer(str(uuid.uuid4()), "nobody@x.test", "Nobody", frozenset({"analyst"}),
                   ana.member_tenant_ids)  # fmt: skip
    _notify(app_env_copy, ana, 2)
    at = _run(home_script, other)
    assert not at.dataframe and not at.sidebar.markdown
    lead = Viewer(None, "lead@x.test", "Lead", frozenset({"leadership"}))
    at = _run(home_script, lead)
    assert not at.dataframe and not at.subheader


def test_a_malformed_document_leaves_the_pages_working(app_env_copy: str) -> None:
    ana = _analyst(app_env_copy)
    sql(app_env_copy, "UPDATE user_asset_settings SET settings_json = '\"garbage\"' WHERE user_id = %s",
        ana.user_id)  # fmt: skip
    for page in ("regimes", "prices", "home"):
        at = AppTest.from_file(str(ROOT / "views" / f"{page}.py"), default_timeout=60)
        at.session_state["_viewer"] = ana
        at.run()
        assert not at.exception, (page, at.exception)


def view_script() -> None:
    import streamlit as st

    from regime_dashboard.services.user_settings import chart_defaults
    from regime_dashboard.session import current_viewer
    from regime_dashboard.ui.watchlist import save_default_view
    from regime_dashboard.user_settings import ChartDefaults

    viewer, tenant_id, asset_id = (current_viewer(), st.session_state["_tenant"],
                                   st.session_state["_asset"])  # fmt: skip
    st.write(f"opens on {chart_defaults(viewer, tenant_id, asset_id).range}")
    chart = ChartDefaults(range="3M", log_scale=True, adjusted=False, panels=("risk",))
    save_default_view(viewer, tenant_id, asset_id, chart)


def test_save_as_my_default_view_keeps_the_chart_settings(app_env_copy: str) -> None:
    ana = _analyst(app_env_copy)
    tenant_id, asset_id = _watched(app_env_copy, ana)
    at = _run(view_script, ana, tenant_id, asset_id)
    assert at.markdown[0].value == "opens on 1Y"
    at.button[0].click().run()
    assert not at.exception and at.markdown[0].value == "opens on 3M"
    stored = _doc(app_env_copy, ana, tenant_id, asset_id)
    assert stored["chart"] == {"range": "3M", "log_scale": True, "adjusted": False,
                               "panels": ["risk"]}  # fmt: skip
    assert stored["watchlist"] is True and stored["default_range_days"] == 365
