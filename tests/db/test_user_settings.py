"""An analyst's own settings and alerts through the services (docs/user-settings.md): the
watchlist star, chart defaults and rules are written to their own document only, keys of
other services survive, a malformed document is reported and never overwritten by an edit,
rules outside the analyst's tenants are refused, and nobody reads or marks another user's
notifications."""

from __future__ import annotations

import json
import uuid

import pytest

from regime_dashboard import cache
from regime_dashboard.queries import regimes
from regime_dashboard.scope import TenantScope
from regime_dashboard.services import alerts, user_settings
from regime_dashboard.user_settings import AssetSettings, ChartDefaults, Unreadable
from regime_dashboard.viewer import PermissionDeniedError, Viewer
from tests.helpers import one, sql, viewer

pytestmark = pytest.mark.db
DOC = "SELECT settings_json FROM user_asset_settings WHERE tenant_id = %s AND user_id = %s AND asset_id = %s"


@pytest.fixture
def db(seeded_db: str) -> str:
    """The services' DATABASE_URL: a private writable copy of the seeded database."""
    return seeded_db


@pytest.fixture
def ana(db: str) -> Viewer:
    return viewer(db, "analyst@demo.local", "analyst")


@pytest.fixture
def watched(db: str, ana: Viewer) -> tuple[str, str]:
    """(tenant, asset) of a document on the analyst's watchlist."""
    row = sql(db, "SELECT tenant_id::text, asset_id FROM user_asset_settings WHERE user_id = %s "
                  "ORDER BY tenant_id, asset_id LIMIT 1", ana.user_id)[0]  # fmt: skip
    return row[0], row[1]


def _doc(url: str, viewer: Viewer, tenant_id: str, asset_id: str) -> object:
    rows = sql(url, DOC, tenant_id, viewer.user_id, asset_id)
    return rows[0][0] if rows else None


def test_the_star_toggles_the_watchlist_and_keeps_other_services_keys(
    db: str, ana: Viewer, watched: tuple[str, str]
) -> None:
    tenant_id, asset_id = watched
    sql(db, "UPDATE user_asset_settings SET settings_json = settings_json || "
            "'{\"crm\": {\"owner\": \"x\"}}' WHERE tenant_id = %s AND user_id = %s AND asset_id = %s",
        tenant_id, ana.user_id, asset_id)  # fmt: skip
    version = one(db, "SELECT version FROM data_versions")
    off = user_settings.toggle_watchlist(ana, tenant_id, asset_id)
    assert isinstance(off, AssetSettings) and off.watchlist is False
    stored = _doc(db, ana, tenant_id, asset_id)
    assert stored["watchlist"] is False
    assert stored["crm"] == {"owner": "x"} and stored["default_range_days"] == 365
    assert one(db, "SELECT version FROM data_versions") == version + 1
    assert asset_id not in set(user_settings_watchlist(ana, tenant_id))
    on = user_settings.toggle_watchlist(ana, tenant_id, asset_id)
    assert isinstance(on, AssetSettings) and on.watchlist is True
    assert asset_id in set(user_settings_watchlist(ana, tenant_id))


def user_settings_watchlist(viewer: Viewer, tenant_id: str) -> list[str]:
    found = cache.run_query(
        regimes.watchlist, scope=viewer.scope, tenant_id=tenant_id, user_id=viewer.user_id
    )
    return list(found["asset_id"])


def test_a_new_asset_gets_a_document_and_chart_defaults_keep_unknown_keys(
    db: str, ana: Viewer
) -> None:
    tenant_id = ana.member_tenant_ids[0]
    sql(db, "DELETE FROM user_asset_settings WHERE tenant_id = %s AND user_id = %s AND asset_id = 'QQQ'",
        tenant_id, ana.user_id)  # fmt: skip
    assert user_settings.asset_settings(ana, tenant_id, "QQQ") == AssetSettings()
    chart = ChartDefaults(range="3M", log_scale=True, adjusted=False, panels=("risk",))
    user_settings.save_chart_defaults(ana, tenant_id, "QQQ", chart)
    sql(db, "UPDATE user_asset_settings SET settings_json = jsonb_set(settings_json, "
            "'{chart,theme}', '\"dark\"') WHERE tenant_id = %s AND user_id = %s AND asset_id = 'QQQ'",
        tenant_id, ana.user_id)  # fmt: skip
    again = ChartDefaults(range="YTD", log_scale=False, adjusted=True, panels=())
    saved = user_settings.save_chart_defaults(ana, tenant_id, "QQQ", again)
    stored = _doc(db, ana, tenant_id, "QQQ")
    assert stored["chart"] == {"range": "YTD", "log_scale": False, "adjusted": True,
                               "panels": [], "theme": "dark"}  # fmt: skip
    assert isinstance(saved, AssetSettings) and saved.chart.range == "YTD"
    assert user_settings.asset_settings(ana, tenant_id, "QQQ") == saved


@pytest.mark.parametrize("document", ['[1, 2]', '"text"', '{"watchlist": "maybe"}',
                                      '{"alerts": [{"kind": "confidence_below"}]}',
                                      '{"webhook_url": "file:///etc/passwd"}'])  # fmt: skip
def test_a_malformed_document_is_reported_and_never_overwritten_by_an_edit(
    db: str, ana: Viewer, watched: tuple[str, str], document: str
) -> None:
    tenant_id, asset_id = watched
    sql(db, "UPDATE user_asset_settings SET settings_json = %s::jsonb WHERE tenant_id = %s "
            "AND user_id = %s AND asset_id = %s", document, tenant_id, ana.user_id, asset_id)  # fmt: skip
    before = _doc(db, ana, tenant_id, asset_id)
    assert isinstance(user_settings.asset_settings(ana, tenant_id, asset_id), Unreadable)
    assert isinstance(alerts.alert_rules(ana, tenant_id, asset_id), Unreadable)
    assert isinstance(user_settings.toggle_watchlist(ana, tenant_id, asset_id), Unreadable)
    assert isinstance(
        alerts.set_alert_rules(ana, tenant_id, asset_id, [{"kind": "regime_change"}]), Unreadable
    )
    assert _doc(db, ana, tenant_id, asset_id) == before
    user_settings_watchlist(ana, tenant_id)  # the watchlist query still answers
    assert user_settings.reset_settings(ana, tenant_id, asset_id) == AssetSettings()
    assert _doc(db, ana, tenant_id, asset_id) == json.loads(AssetSettings().model_dump_json())


def test_rules_are_validated_deduplicated_and_kept(
    db: str, ana: Viewer, watched: tuple[str, str]
) -> None:
    tenant_id, asset_id = watched
    rules = [{"kind": "regime_change"}, {"kind": "confidence_below", "threshold": 0.6},
             {"kind": "regime_change"}, {"kind": "data_mismatch"}]  # fmt: skip
    alerts.set_alert_rules(ana, tenant_id, asset_id, rules)
    kinds = [r.kind for r in alerts.alert_rules(ana, tenant_id, asset_id)]  # type: ignore[union-attr]
    assert kinds == ["regime_change", "confidence_below", "data_mismatch"]
    before = _doc(db, ana, tenant_id, asset_id)
    for bad in ([{"kind": "confidence_above"}], [{"kind": "confidence_below", "threshold": 1.5}],
                [{"kind": "sometimes"}]):  # fmt: skip
        with pytest.raises(alerts.InvalidRuleError):
            alerts.set_alert_rules(ana, tenant_id, asset_id, bad)
    with pytest.raises(alerts.InvalidRuleError):
        alerts.set_webhook(ana, tenant_id, asset_id, "javascript:alert(1)")
    assert _doc(db, ana, tenant_id, asset_id) == before
    alerts.set_webhook(ana, tenant_id, asset_id, "https://hooks.example.com/T1/B2")
    assert _doc(db, ana, tenant_id, asset_id)["webhook_url"] == "https://hooks.example.com/T1/B2"


def test_an_analyst_cannot_keep_settings_or_rules_outside_their_tenants(
    db: str, ana: Viewer
) -> None:
    foreign = one(db, "SELECT id::text FROM tenants WHERE NOT (id::text = ANY(%s)) ORDER BY id LIMIT 1",
                  list(ana.member_tenant_ids))  # fmt: skip
    count = one(db, "SELECT count(*) FROM user_asset_settings")
    for attempt in (
        lambda: alerts.set_alert_rules(ana, foreign, "SPY", [{"kind": "regime_change"}]),
        lambda: user_settings.toggle_watchlist(ana, foreign, "SPY"),
        lambda: user_settings.save_chart_defaults(ana, foreign, "SPY", ChartDefaults()),
        lambda: user_settings.asset_settings(ana, foreign, "SPY"),
    ):
        with pytest.raises(PermissionDeniedError):
            attempt()
    assert one(db, "SELECT count(*) FROM user_asset_settings") == count
    with pytest.raises(user_settings.UnknownAssetError):
        user_settings.toggle_watchlist(ana, ana.member_tenant_ids[0], "NOSUCH")
    lea = viewer(db, "leadership@demo.local", "leadership")
    with pytest.raises(PermissionDeniedError):
        user_settings.toggle_watchlist(lea, ana.member_tenant_ids[0], "SPY")
    with pytest.raises(PermissionDeniedError):
        alerts.unread_alerts(lea)


def _notify(url: str, tenant_id: str, user_id: str, key: str) -> str:
    notification_id = str(uuid.uuid4())
    payload = {"asset_id": "SPY", "version": "v1", "date": "2026-11-19", "from": "bull",
               "to": "bear", "confidence": 0.7, "text": f"SPY {key}"}  # fmt: skip
    sql(url, "INSERT INTO notifications (tenant_id, id, user_id, type, payload, channel, dedup_key) "
             "VALUES (%s, %s, %s, 'regime_change', %s, 'in_app', %s)",
        tenant_id, notification_id, user_id, json.dumps(payload), key)  # fmt: skip
    return notification_id


def test_nobody_reads_or_marks_another_users_alerts(db: str, ana: Viewer) -> None:
    adam = viewer(db, "admin@demo.local", "admin")
    tenant_id = ana.member_tenant_ids[0]
    sql(db, "DELETE FROM notifications WHERE user_id IN (%s, %s)", ana.user_id, adam.user_id)
    mine = _notify(db, tenant_id, ana.user_id, "mine")
    theirs = _notify(db, tenant_id, adam.user_id, "theirs")  # same tenant, another user
    assert list(alerts.unread_alerts(ana)["notification_id"]) == [mine]
    assert alerts.unread_alerts(ana).iloc[0]["text"] == "SPY mine"
    assert (alerts.unread_count(ana), alerts.unread_count(adam)) == (1, 1)
    assert alerts.mark_read(ana, [theirs, "not-an-id"]) == 0
    assert one(db, "SELECT read_at FROM notifications WHERE id = %s", theirs) is None
    assert alerts.mark_read(ana, [mine]) == 1
    assert (alerts.unread_count(ana), alerts.unread_count(adam)) == (0, 1)
    assert alerts.unread_alerts(ana).empty
    assert list(alerts.unread_alerts(adam)["notification_id"]) == [theirs]


def test_alerts_of_a_tenant_the_analyst_left_are_not_shown(db: str, ana: Viewer) -> None:
    foreign = one(db, "SELECT id::text FROM tenants WHERE NOT (id::text = ANY(%s)) ORDER BY id LIMIT 1",
                  list(ana.member_tenant_ids))  # fmt: skip
    sql(db, "DELETE FROM notifications WHERE user_id = %s", ana.user_id)
    _notify(db, foreign, ana.user_id, "elsewhere")
    assert alerts.unread_count(ana) == 0
    assert TenantScope.only(ana.member_tenant_ids).allows(foreign) is False
