"""The audit log's change text and diff table as people read them (services/admin/diff.py):
labels instead of column names, money in the row's currency, limits with their units,
features by their labels. Every expected text below is worked out by hand."""

from __future__ import annotations

from regime_dashboard.services.admin.audit import row_label
from regime_dashboard.services.admin.diff import change_text, field_changes, readable_diff

PLAN = {
    "id": "pro",
    "name": "Pro",
    "price_monthly_cents": 4900,
    "currency": "USD",
    "limits_json": {"api_calls": 1000, "seats": 3},
    "features_json": {"paper_trading": False},
    "is_active": True,
}


def _text(before: dict | None, after: dict | None) -> str:
    return change_text(field_changes(before, after), before, after)


def test_a_price_of_4900_to_5000_cents_reads_in_dollars() -> None:
    after = {**PLAN, "price_monthly_cents": 5000}
    assert _text(PLAN, after) == "Monthly price: $49.00 → $50.00"
    subscription = {"price_cents": 4900, "currency": "USD"}
    assert _text(subscription, {**subscription, "price_cents": 5000}) == "Price: $49.00 → $50.00"


def test_money_is_in_the_rows_currency() -> None:
    before = {"price_cents": 123456, "currency": "EUR"}
    assert _text(before, {**before, "price_cents": 99}) == "Price: €1,234.56 → €0.99"


def test_limits_read_with_units_and_features_by_label() -> None:
    after = {
        **PLAN,
        "limits_json": {"api_calls": None, "seats": 12},
        "features_json": {"paper_trading": True},
        "is_active": False,
    }
    assert _text(PLAN, after) == (
        "API calls limit: 1,000 calls/month → unlimited; Seats limit: 3 seats → 12 seats; "
        "Paper trading feature: off → on; Offered: yes → no"
    )


def test_a_created_override_and_enum_values_read_in_words() -> None:
    override = {"metric": "api_calls", "limit_value": 20000, "reason": "deal"}
    assert _text(None, override) == (
        'Metric: — → API calls; Limit: — → 20,000 calls/month; Reason: — → "deal"'
    )
    sub = {"status": "active", "current_period_end": "2026-12-01T00:00:00+00:00"}
    moved = {"status": "past_due", "current_period_end": "2026-12-31T13:05:00+00:00"}
    assert _text(sub, moved) == (
        "Status: Active → Past due; Period ends: 2026-12-01 → 2026-12-31 13:05 UTC"
    )
    unlimited = {"metric": "tokens", "limit_value": None, "expires_at": None, "currency": "USD"}
    assert _text(None, unlimited) == "Metric: — → Tokens; Limit: — → unlimited; Currency: — → USD"
    assert change_text([]) == "no field changed"  # and "Expires: — → —" is no change


def test_the_diff_table_has_the_same_words() -> None:
    after = {**PLAN, "price_monthly_cents": 5000, "name": "Pro+"}
    assert readable_diff(PLAN, after).to_dict("records") == [
        {"field": "Name", "before": '"Pro"', "after": '"Pro+"'},
        {"field": "Monthly price", "before": "$49.00", "after": "$50.00"},
    ]


def test_rows_are_named_by_their_labels() -> None:
    override = {"metric": "api_calls", "tenant_id": "x"}
    assert row_label("tenant_quota_overrides", {}, override) == "API calls override"
    event = {"event_type": "price_changed", "plan_id": "pro"}
    assert row_label("subscription_events", {}, event) == "Price changed event (pro)"
