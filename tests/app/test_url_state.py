"""Every URL-kept control of every page, changed three times in a row: each value shows,
lands in the URL the way the browser writes it, and a link with that URL reopens the same
view. Also: unknown tenants, assets and releases in a link are said so, reversed dates are
ordered, and a tab of a shared link opens on that tab."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from regime_dashboard.services import admin
from regime_dashboard.ui.params import LINK_ICON
from regime_dashboard.viewer import Viewer
from tests.app.browser_url import bound_key, change, url_value
from tests.conftest import ROOT
from tests.helpers import sql

pytestmark = [pytest.mark.app, pytest.mark.db]

ADMIN = Viewer("00000000-0000-0000-0000-000000000001", "ops@x.test", "Ops", frozenset({"admin"}))
LEADER = Viewer("u-lead", "leadership@demo.local", "Lea", roles=frozenset({"leadership"}))
KINDS = ("selectbox", "multiselect", "date_input", "toggle", "button_group")


def _open(page: str, viewer: Viewer, params: dict[str, Any] | None = None) -> AppTest:
    at = AppTest.from_file(str(ROOT / f"views/{page}.py"), default_timeout=60)
    at.session_state["_viewer"] = viewer
    at.query_params.update(params or {})
    return at.run()


def _bound(at: AppTest) -> dict[str, Any]:
    """The page's widgets kept in the URL, by URL parameter."""
    found = {bound_key(w): w for kind in KINDS for w in getattr(at, kind) if bound_key(w)}
    return found


def _widget(at: AppTest, key: str) -> Any:
    bound = _bound(at)
    assert key in bound, f"no widget kept in the URL as {key!r} (only {sorted(bound)})"
    return bound[key]


def _as_list(value: object) -> list[str]:
    if value is None:
        return []
    return list(value) if isinstance(value, list | tuple) else [str(value)]


def _shown(widget: Any) -> object:
    """What the widget shows: a choice's label, a list's labels, dates, on/off."""
    kind = type(widget).__name__
    if kind == "Selectbox":
        return widget.options[widget.index]
    if kind == "Multiselect":
        return [widget.format_func(v) for v in widget.value]
    return widget.value


def _changes(widget: Any) -> list[tuple[object, dict[str, Any]]]:
    """Three changes in a row (each differs from the one before): (what should show, how)."""
    kind = type(widget).__name__
    if kind == "Selectbox":
        n = len(widget.options)
        order = [1, 2, 0] if n > 2 else [1, 0, 1]
        return [(widget.options[i], {"index": i}) for i in order]
    if kind == "Multiselect":
        o = widget.options
        picks = [[o[0]], [o[1], o[-1]], [o[-1]]]
        return [(p, {"value": p}) for p in picks]
    if kind == "ButtonGroup":
        o = [opt.content for opt in widget.proto.options]
        if widget.proto.click_mode == widget.proto.MULTI_SELECT:
            picks = [[o[0]], [o[-1]], o]
            return [(p, {"value": p}) for p in picks]
        return [(o[i], {"value": o[i]}) for i in (1, 2, 0)]
    if kind == "Toggle":
        return [(v, {"value": v}) for v in (True, False, True)]
    low = dt.date.fromisoformat(widget.proto.min.replace("/", "-"))
    high = dt.date.fromisoformat(widget.proto.max.replace("/", "-"))
    ranges = [
        (low + dt.timedelta(days=3), low + dt.timedelta(days=40)),
        (high - dt.timedelta(days=90), high),
        (low, high - dt.timedelta(days=5)),
    ]
    if not widget.proto.is_range:
        return [(b, {"value": b}) for _, b in ranges]
    return [(r, {"value": r}) for r in ranges]


def _cycle(at: AppTest, key: str) -> None:
    """Change the control `key` three times: after each run it shows the new value, and the
    URL holds what the browser wrote (the page neither dropped nor rewrote it)."""
    for expected, how in _changes(_widget(at, key)):
        change(at, _widget(at, key), **how)
        assert not at.exception, (key, expected, at.exception)
        widget = _widget(at, key)
        assert _shown(widget) == expected, (key, expected)
        assert _as_list(at.query_params.get(key)) == _as_list(url_value(widget)), key
        assert at.query_params.get(key) is not None or url_value(widget) is None, key


def _reopens(at: AppTest, page: str, viewer: Viewer) -> None:
    """A link with `at`'s URL opens on the same values of every URL-kept control."""
    shown = {k: _shown(w) for k, w in _bound(at).items()}
    again = _open(page, viewer, dict(at.query_params))
    assert not again.exception
    assert {k: _shown(w) for k, w in _bound(again).items()} == shown
    assert not _link_notes(again)


def _link_notes(at: AppTest) -> list[str]:
    """The messages about the link itself (unknown values, corrected dates)."""
    return [w.value for w in at.warning if w.icon == LINK_ICON]


# ------------------------------------------------------------------ leadership


def test_revenue_period_6m_3m_24m_12m_each_shows_and_lands_in_the_url(app_env: str) -> None:
    at = _open("revenue", LEADER)
    shown, urls = [], []
    for choice in ("6m", "3m", "24m", "12m"):
        change(at, at.selectbox[0], choice)
        assert not at.exception
        shown.append((at.selectbox[0].value, len(at.dataframe[0].value)))
        urls.append(at.query_params.get("period"))
    # none lost: N whole months, then November to date (issue 15)
    assert shown == [("6m", 7), ("3m", 4), ("24m", 25), ("12m", 13)]
    # the browser writes the label; the default (12 months) is left out of the URL
    assert urls == ["Last 6 months", "Last 3 months", "Last 24 months", None]
    for as_of, last_month in (
        (dt.date(2026, 6, 30), "2026-06-01"),
        (dt.date(2026, 3, 15), "2026-03-01"),
        (dt.date(2026, 10, 31), "2026-10-01"),
    ):
        change(at, at.date_input[0], as_of)
        assert at.date_input[0].value == as_of
        assert at.dataframe[0].value["month"].iloc[-1] == np.datetime64(last_month)
        assert at.query_params["as_of"] == as_of.isoformat()
    _reopens(at, "revenue", LEADER)


@pytest.mark.parametrize("page", ["subscriptions", "costs", "operations"])
def test_period_and_as_of_keep_every_change(app_env: str, page: str) -> None:
    at = _open(page, LEADER)
    for key in ("period", "as_of"):
        _cycle(at, key)
    _reopens(at, page, LEADER)


def test_usage_month_and_tenant_keep_every_change(app_env: str) -> None:
    at = _open("usage", LEADER)
    for key in ("month", "tenant"):
        _cycle(at, key)
    _reopens(at, "usage", LEADER)


# ------------------------------------------------------------------ analysts


@pytest.mark.parametrize(
    ("page", "keys"),
    [
        ("regimes", ("tenant", "asset", "release", "dates", "range", "panels")),
        ("releases", ("tenant", "asset", "a", "b", "dates")),
        (
            "prices",
            ("asset", "tenant", "range", "dates", "adjusted", "log", "stale", "gap", "gap_kind"),
        ),
        ("portfolio", ("tenant", "portfolio", "dates", "status")),
        ("backtests", ("tenant", "strategy", "status", "tab")),
    ],
)
def test_analyst_filters_keep_every_change(app_env: str, page: str, keys: tuple) -> None:
    at = _open(page, ADMIN)
    for key in keys:
        if key in ("release", "a", "b", "portfolio") and len(_widget(at, key).options) < 2:
            change(at, _widget(at, "tenant"), index=0)  # a tenant with several to choose
        _cycle(at, key)
    _reopens(at, page, ADMIN)


def test_backtests_run_and_compare_keep_every_change(app_env: str) -> None:
    at = _open("backtests", ADMIN, {"tab": "Tearsheet"})
    _cycle(at, "run")
    _reopens(at, "backtests", ADMIN)
    change(at, _widget(at, "tab"), "Compare")
    _cycle(at, "compare")
    _reopens(at, "backtests", ADMIN)
    _cycle(at, "tab")  # the section itself, three times
    _reopens(at, "backtests", ADMIN)


def test_a_shared_tearsheet_link_opens_on_the_tearsheet(app_env: str) -> None:
    at = _open("backtests", ADMIN)
    change(at, _widget(at, "tab"), "Tearsheet")
    change(at, _widget(at, "run"), index=2)
    link = dict(at.query_params)
    assert link["tab"] == "Tearsheet" and link["run"] == _widget(at, "run").options[2]
    opened = _open("backtests", ADMIN, link)
    assert _widget(opened, "tab").value == "Tearsheet"
    assert _shown(_widget(opened, "run")) == link["run"]
    assert "Runs to compare (up to four)" not in [m.label for m in opened.multiselect]
    assert [d.value.columns[0] for d in opened.dataframe][:1] == ["metric"]  # the tearsheet


# ------------------------------------------------------------------ admins


def test_plans_and_tenants_pickers_keep_every_change(app_env: str) -> None:
    at = _open("admin_plans", ADMIN)
    _cycle(at, "plan")
    _reopens(at, "admin_plans", ADMIN)
    at = _open("admin_tenants", ADMIN)
    _cycle(at, "tenant")
    _cycle(at, "section")
    _reopens(at, "admin_tenants", ADMIN)


def test_the_tenants_page_stays_on_its_section_after_a_save(app_env_copy: str) -> None:
    ((user_id,),) = sql(app_env_copy, "SELECT id::text FROM users WHERE email = 'admin@demo.local'")
    adam = Viewer(user_id, "admin@demo.local", "Adam", frozenset({"admin"}))
    at = _open("admin_tenants", adam, {"tenant": "Aster Capital"})
    change(at, _widget(at, "section"), "Quota overrides")
    fields = {w.label: w for w in at.text_input}
    fields["Limit per month"].set_value("5000")
    fields["Reason"].set_value("agreed in the renewal")
    at.run()
    next(b for b in at.button if b.label == "Save override").click().run()
    assert (
        not at.exception and at.success[0].value == "Saved tenant quota overrides of Aster Capital."
    )
    assert _widget(at, "section").value == "Quota overrides"
    assert [w.label for w in at.text_input if w.label == "Reason"] == ["Reason"]


def test_audit_filters_keep_every_change(app_env_copy: str) -> None:
    rows = sql(app_env_copy, "SELECT id::text, version, name FROM tenants ORDER BY name LIMIT 2")
    for (tid, version, name), email in zip(rows, ("a@x.test", "b@x.test"), strict=True):
        who = Viewer(ADMIN.user_id, email, "Admin", frozenset({"admin"}))
        admin.rename_tenant(viewer=who, tenant_id=tid, expected_version=version, name=name + "!")
    pro = admin.list_plans(viewer=ADMIN).set_index("id").loc["pro"]
    admin.update_plan(
        viewer=ADMIN,
        plan_id="pro",
        expected_version=int(pro["version"]),
        changes={
            "name": "Pro 2",
            "price_monthly_cents": int(pro["price_monthly_cents"]),
            "price_annual_cents": int(pro["price_annual_cents"]),
            "currency": "USD",
            "features": pro["features_json"],
            "limits": pro["limits_json"],
        },
    )
    at = _open("audit", ADMIN)
    for key in ("table", "tenant", "actor"):
        _cycle(at, key)
    _reopens(at, "audit", ADMIN)


# ------------------------------------------------------------------ links


def test_an_unknown_tenant_in_a_link_is_said_and_the_first_is_shown(app_env: str) -> None:
    at = _open("regimes", ADMIN, {"tenant": "No Such Capital"})
    first = _widget(at, "tenant").options[0]
    assert _link_notes(at) == [f"Tenant “No Such Capital” is not visible to you; showing {first}."]
    assert _shown(_widget(at, "tenant")) == first
    assert "tenant" not in at.query_params


def test_an_unknown_asset_and_release_in_a_link_are_said(app_env: str) -> None:
    at = _open("regimes", ADMIN, {"asset": "NOPE", "release": "v99"})
    assets, releases = _widget(at, "asset").options, _widget(at, "release").options
    assert _link_notes(at) == [
        f"Asset “NOPE” is not visible to you; showing {assets[0]}.",
        f"Release “v99” is not visible to you; showing {releases[-1]}.",
    ]


def test_a_link_with_start_after_end_is_ordered_and_said(app_env: str) -> None:
    at = _open("prices", ADMIN, {"asset": "SPY"})
    low = dt.date.fromisoformat(_widget(at, "dates").proto.min.replace("/", "-"))
    a, b = low + dt.timedelta(days=200), low + dt.timedelta(days=20)
    at = _open("prices", ADMIN, {"asset": "SPY", "dates": [a.isoformat(), b.isoformat()]})
    assert not at.exception
    assert _widget(at, "dates").value == (b, a)
    assert at.query_params["dates"] == [b.isoformat(), a.isoformat()]
    assert _link_notes(at) == [
        f"The link's dates {a} – {b} were in reverse order; showing {b} – {a}."
    ]
    quality = [m.value for m in [*at.success, *at.warning]]
    assert any(f"from {b} to {a}" in text for text in quality), quality
