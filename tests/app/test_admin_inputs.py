"""Admin inputs in AppTest as the admin: numbers typed into text fields keep what was typed,
a broken rule shows beside its field, Save stays disabled until the form is valid and
nothing is written; removing a member needs a confirmation; the Audit page's revert notes."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from regime_dashboard.services import admin
from regime_dashboard.viewer import Viewer
from tests.app.test_admin_pages import page
from tests.helpers import one, sql, viewer

pytestmark = [pytest.mark.app, pytest.mark.db]


def admin_viewer(url: str) -> Viewer:
    return viewer(url, "admin@demo.local", "admin")


def _walk(node: Any) -> Iterator[Any]:
    """Every element under `node`, in page order."""
    children = getattr(node, "children", None)
    if children is None:
        yield node
        return
    for child in children.values():
        yield from _walk(child)


def beside(at: AppTest, label: str) -> str | None:
    """The error shown in the slot right below the widget labelled `label` (None: none)."""
    nodes = list(_walk(at.main))
    index = next(i for i, n in enumerate(nodes) if getattr(n, "label", None) == label)
    slot = nodes[index + 1]
    return slot.value if getattr(slot, "type", None) == "alert" or slot in at.error else None


def field(at: AppTest, label: str) -> Any:
    return next(w for w in at.text_input if w.label == label)


def button(at: AppTest, label: str) -> Any:
    return next(b for b in at.button if b.label == label)


def captions(at: AppTest) -> list[str]:
    return [c.value for c in at.caption]


def quota_form(url: str) -> AppTest:
    at = page("admin_tenants", admin_viewer(url), tenant="Umber Macro", section="Quota overrides")
    assert not at.exception
    return at


# ------------------------------------------------------------------ quota overrides


def test_a_negative_or_huge_quota_shows_its_rule_and_saves_nothing(app_env_copy: str) -> None:
    at = quota_form(app_env_copy)
    limit = field(at, "Limit per month")
    assert limit.value == ""  # no override value is chosen until the admin types one
    assert button(at, "Save override").disabled
    assert "To save, type a limit per month and a reason." in captions(at)
    assert not at.error  # blank fields are named, not shown as broken

    field(
        at,
        "Reason",
    ).set_value("agreed in the renewal")
    cases = {
        "\u2212100": "The limit cannot be negative: type 0 or more.",  # U+2212 minus sign
        "-100": "The limit cannot be negative: type 0 or more.",
        "99999999999999999999": "The limit must be at most 1,000,000,000,000,000 "
        "(or tick Unlimited).",
        "1.5": "The limit must be a whole number, e.g. 100000.",
        "NaN": "Type the limit as a number such as 100000.",
    }
    for typed, message in cases.items():
        field(at, "Limit per month").set_value(typed).run()
        assert field(at, "Limit per month").value == typed  # kept as typed
        assert beside(at, "Limit per month") == message
        assert [e.value for e in at.error] == [message]
        assert button(at, "Save override").disabled
    assert one(app_env_copy, "SELECT count(*) FROM tenant_quota_overrides") == 0
    assert one(app_env_copy, "SELECT count(*) FROM audit_log") == 0

    field(at, "Limit per month").set_value("2500").run()
    assert not at.error and not button(at, "Save override").disabled
    button(at, "Save override").click().run()
    assert not at.exception
    assert sql(app_env_copy, "SELECT metric, limit_value, reason FROM tenant_quota_overrides") == [
        ("api_calls", 2500, "agreed in the renewal")
    ]


# ------------------------------------------------------------------ plans


def plan_form(url: str) -> AppTest:
    at = page("admin_plans", admin_viewer(url), plan="pro")
    assert not at.exception
    return at


def test_a_typed_price_stays_as_typed_with_its_error_beside_it(app_env_copy: str) -> None:
    at = plan_form(app_env_copy)
    monthly = field(at, "Monthly price (USD)")
    assert monthly.value == "199.00"
    cases = {
        "199.999": "The price can have at most 2 decimals (199.999 has 3): type e.g. 49.99.",
        "\u221250": "The price cannot be negative: type 0 or more.",
        "-50": "The price cannot be negative: type 0 or more.",
        "": "Type a price, e.g. 49 or 49.90.",
    }
    for typed, message in cases.items():
        field(at, "Monthly price (USD)").set_value(typed).run()
        assert field(at, "Monthly price (USD)").value == typed  # never rounded or dropped
        assert beside(at, "Monthly price (USD)") == message
        assert button(at, "Save changes").disabled
    assert "Fix the fields marked above to save." in captions(at)
    assert sql(app_env_copy, "SELECT price_monthly_cents, version FROM plans WHERE id = 'pro'") == [
        (19_900, 1)
    ]

    field(at, "Monthly price (USD)").set_value("249.5").run()
    assert beside(at, "Monthly price (USD)") is None
    at.radio[0].set_value("grandfather").run()
    button(at, "Save changes").click().run()
    assert at.success[0].value == "Saved plan pro (version 2)."
    assert one(app_env_copy, "SELECT price_monthly_cents FROM plans WHERE id = 'pro'") == 24_950


def test_save_changes_is_disabled_until_a_field_differs(app_env_copy: str) -> None:
    at = plan_form(app_env_copy)
    assert button(at, "Save changes").disabled
    assert "Nothing to save yet: no field differs from the saved plan." in captions(at)
    field(at, "Monthly price (USD)").set_value("199").run()  # the same price, typed otherwise
    assert button(at, "Save changes").disabled
    field(at, "Name").set_value("Pro 2027").run()
    assert not button(at, "Save changes").disabled


# ------------------------------------------------------------------ members


def test_removing_a_member_needs_the_confirmation_box(app_env_copy: str) -> None:
    who = one(
        app_env_copy,
        "SELECT u.email FROM tenant_users m JOIN users u ON u.id = m.user_id JOIN tenants t "
        "ON t.id = m.tenant_id WHERE t.name = 'Umber Macro' AND m.role = 'member' "
        "ORDER BY u.email LIMIT 1",
    )
    at = page("admin_tenants", admin_viewer(app_env_copy), tenant="Umber Macro",
              section="Members")  # fmt: skip
    next(s for s in at.selectbox if s.label == "Member").set_value(who).run()
    assert button(at, "Remove member").disabled
    count = (
        "SELECT count(*) FROM tenant_users m JOIN users u ON u.id = m.user_id WHERE u.email = %s"
    )
    before = one(app_env_copy, count, who)
    assert before >= 1 and one(app_env_copy, "SELECT count(*) FROM audit_log") == 0

    next(c for c in at.checkbox if c.label == f"Yes, remove {who}").check().run()
    assert not button(at, "Remove member").disabled
    button(at, "Remove member").click().run()
    assert not at.exception
    assert one(app_env_copy, count, who) == before - 1
    assert one(app_env_copy, "SELECT action FROM audit_log") == "delete"


# ------------------------------------------------------------------ audit


def test_revert_notes_are_integers_and_only_where_they_apply(app_env_copy: str) -> None:
    adam = admin_viewer(app_env_copy)
    tid, version = sql(app_env_copy,
                       "SELECT id::text, version FROM tenants WHERE name = 'Onyx Capital'")[0]  # fmt: skip
    first = admin.rename_tenant(adam, tenant_id=tid, expected_version=version,
                                name="Onyx Co").audit_ids[0]  # fmt: skip
    second = admin.update_tenant_settings(adam, tenant_id=tid,
                                          expected_version=version + 1, settings="{}").audit_ids[0]  # fmt: skip
    revert = admin.revert_change(adam, audit_id=second).audit_ids[0]
    at = page("audit", adam)
    assert not at.exception
    inspect = at.selectbox(key="inspect")
    notes = {}
    for change in (first, second, revert):
        inspect.set_value(change).run()
        notes[change] = [c for c in captions(at) if "evert" in c]
    assert notes == {
        first: [],
        second: [f"Reverted by change {revert}."],
        revert: [f"Reverts change {second}."],
    }
    inspect.set_value(second).run()
    next(c for c in at.checkbox if c.label == f"Yes, revert change {second}").check().run()
    button(at, "Revert this change").click().run()
    assert [e.value for e in at.error] == [
        f"Change {second} was already reverted by change {revert}: nothing to do "
        f"(revert change {revert} to apply it again)."
    ]
    assert one(app_env_copy, "SELECT count(*) FROM audit_log") == 3
