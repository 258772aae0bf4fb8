"""Admin input rules (pydantic models), the readable diff and the impact rules: pure."""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from decimal import Decimal

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from regime_dashboard.metered import LIMITED_METRICS as METRICS
from regime_dashboard.queries.admin_reads import USAGE_COLUMNS
from regime_dashboard.services.admin.diff import (
    ABSENT,
    FieldChange,
    describe_changes,
    diff_frame,
    field_changes,
)
from regime_dashboard.services.admin.errors import InvalidInputError
from regime_dashboard.services.admin.impact import (
    cycle_price,
    over_quota_after,
    plan_change_event,
    quota_status,
)
from regime_dashboard.services.admin.models import (
    MemberAdd,
    PlanChange,
    PlanCreate,
    PlanUpdate,
    QuotaOverride,
    TenantRename,
    TenantSettings,
    errors_of,
    parse,
)
from regime_dashboard.services.admin.rules import MAX_CENTS, units_to_cents

LIMITS = {"api_calls": 1000, "backtests": None, "tokens": 0, "seats": 3}
GOOD = {
    "name": "Team",
    "price_monthly_cents": 4900,
    "price_annual_cents": 49000,
    "currency": "EUR",
    "features": {"api_access": True, "support": "email", "workspaces": 2},
    "limits": LIMITS,
}
FUTURE = dt.datetime.now(dt.UTC) + dt.timedelta(days=30)


def _errors(model: type, data: dict) -> dict[str, str]:
    with pytest.raises(InvalidInputError) as caught:
        parse(model, data)
    return caught.value.errors


# ------------------------------------------------------------------ plans


def test_a_good_plan_parses_with_json_text_and_canonical_limits() -> None:
    plan = parse(
        PlanCreate,
        {
            **GOOD,
            "id": "team-2026",
            "currency": " eur ",
            "features": json.dumps(GOOD["features"]),
            "limits": '{"seats": 3, "tokens": 0, "backtests": null, "api_calls": 1000}',
        },
    )
    assert plan.id == "team-2026"
    assert plan.currency == "EUR"
    assert plan.features == GOOD["features"]
    assert list(plan.limits) == list(METRICS)  # metric order, whatever the text's order
    assert plan.limits == LIMITS
    assert isinstance(plan.features["api_access"], bool)  # true stays a bool, not 1


@given(st.text(max_size=40).filter(lambda s: not re.fullmatch(r"[a-z][a-z0-9_-]{0,31}", s)))
def test_bad_plan_ids_are_refused_with_the_rule(bad: str) -> None:
    assert (
        "plan id must start with a lower-case letter"
        in _errors(PlanCreate, {**GOOD, "id": bad})["id"]
    )


@given(st.from_regex(r"[a-z][a-z0-9_-]{0,31}", fullmatch=True))
def test_every_id_of_the_documented_form_is_accepted(good: str) -> None:
    assert parse(PlanCreate, {**GOOD, "id": good}).id == good


@given(
    st.one_of(
        st.integers(max_value=-1),
        st.integers(min_value=MAX_CENTS + 1),
        st.floats(allow_nan=True),
        st.booleans(),
        st.none(),
    )
)
def test_bad_monthly_prices_are_refused(bad: object) -> None:
    errors = _errors(PlanUpdate, {**GOOD, "price_monthly_cents": bad})
    assert "whole number of cents" in errors["price_monthly_cents"]


NOT_NEGATIVE = "The price cannot be negative: type 0 or more."


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("\u221250", NOT_NEGATIVE),  # U+2212 MINUS SIGN, as typed on a Mac or pasted
        ("-50", NOT_NEGATIVE),
        ("\u2013 50", NOT_NEGATIVE),  # an en dash
        ("199.999", "The price can have at most 2 decimals (199.999 has 3): type e.g. 49.99."),
        ("", "Type a price, e.g. 49 or 49.90."),
        ("   ", "Type a price, e.g. 49 or 49.90."),
        ("1,234.50", "Type the price without separators, e.g. 1234.50."),
        ("49,90", "Type the price without separators, e.g. 1234.50."),
        ("abc", "Type the price as a number such as 1234.50."),
        ("NaN", "Type the price as a number such as 1234.50."),
        ("Infinity", "Type the price as a number such as 1234.50."),
        ("1e3", "Type the price as a number such as 1234.50."),
        ("\uff11\uff12", "Type the price as a number such as 1234.50."),  # full-width 12
        ("\u0661\u0662", "Type the price as a number such as 1234.50."),  # Arabic-Indic 12
        ("10000000.01", "The price must be at most 10,000,000.00."),
        ("9" * 5000, "The price must be at most 10,000,000.00."),
    ],
)
def test_a_typed_price_breaking_a_rule_names_it_in_currency_units(typed: str, message: str) -> None:
    assert _errors(PlanUpdate, {**GOOD, "price_monthly_cents": typed}) == {
        "price_monthly_cents": message
    }
    annual = _errors(PlanUpdate, {**GOOD, "price_annual_cents": typed})
    assert annual == {"price_annual_cents": message}


@pytest.mark.parametrize(
    ("typed", "cents"),
    [("199.99", 19_999), (" 49.9 ", 4_990), ("0", 0), ("007", 700), (".5", 50), ("5.", 500),
     ("10000000", 1_000_000_000), ("10000000.00", 1_000_000_000)],
)  # fmt: skip
def test_a_typed_price_is_stored_as_exactly_its_cents(typed: str, cents: int) -> None:
    plan = parse(PlanUpdate, {**GOOD, "price_monthly_cents": typed, "price_annual_cents": typed})
    assert (plan.price_monthly_cents, plan.price_annual_cents) == (cents, cents)


TYPED_PRICE = re.compile(r"\s*([0-9]+)(?:\.([0-9]{0,2}))?\s*|\s*\.([0-9]{1,2})\s*")


@given(
    st.text(max_size=14) | st.from_regex(r"[ ]?[-\u2212]?[0-9]{0,9}(\.[0-9]{0,3})?", fullmatch=True)
)
def test_any_typed_price_is_refused_or_read_exactly(typed: str) -> None:
    # independent reading: digits, at most 2 decimals, at most 10,000,000.00
    found = TYPED_PRICE.fullmatch(typed)
    expected = None
    if found and typed.strip() not in ("", "."):
        whole, decimals = found.group(1) or "0", found.group(2) or found.group(3) or ""
        cents = int(whole) * 100 + int(decimals.ljust(2, "0"))
        expected = cents if cents <= MAX_CENTS else None
    errors = errors_of(PlanUpdate, {**GOOD, "price_monthly_cents": typed})
    if expected is None:
        assert list(errors) == ["price_monthly_cents"]
        assert "cents" not in errors["price_monthly_cents"]
    else:
        assert errors == {}
        assert parse(PlanUpdate, {**GOOD, "price_monthly_cents": typed}).price_monthly_cents == (
            expected
        )


def test_the_annual_price_may_be_absent() -> None:
    assert parse(PlanUpdate, {**GOOD, "price_annual_cents": None}).price_annual_cents is None


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("name", "   ", "must not be blank"),
        ("name", "x" * 81, "at most 80 characters"),
        ("name", "two\nlines", "line breaks"),
        ("currency", "XXX", "one of AUD, CAD"),
        ("features", "{bad json", "not valid JSON: Expecting property name"),
        ("features", '{"a": 1, "a": 2}', "Duplicate key 'a'"),
        ("features", "[1, 2]", "must be a JSON object"),
        ("features", '{"a": 1.5}', "true/false, a whole number or a text"),
        ("features", '{"a": null}', "true/false, a whole number or a text"),
        ("features", '{"a": {"b": 1}}', "true/false, a whole number or a text"),
        ("features", '{"Bad Key": true}', "Feature name 'Bad Key'"),
        ("limits", '{"api_calls": 1}', "missing: backtests, tokens, seats"),
        ("limits", '{"api_calls":1,"backtests":1,"tokens":1,"seats":1,"gpus":1}', "'gpus'"),
        ("limits", '{"api_calls":-1,"backtests":1,"tokens":1,"seats":1}', "whole number from 0"),
        ("limits", '{"api_calls":1.5,"backtests":1,"tokens":1,"seats":1}', "whole number from 0"),
        ("limits", '{"api_calls":true,"backtests":1,"tokens":1,"seats":1}', "whole number from 0"),
        ("limits", '{"api_calls":NaN,"backtests":1,"tokens":1,"seats":1}', "NaN is not"),
        ("limits", "", "enter a JSON object"),
    ],
)
def test_each_broken_plan_rule_names_its_field(field: str, value: object, message: str) -> None:
    errors = _errors(PlanUpdate, {**GOOD, field: value})
    assert list(errors) == [field]
    assert message in errors[field]


def test_missing_and_unknown_fields_get_plain_messages() -> None:
    data = {k: v for k, v in GOOD.items() if k != "name"} | {"colour": "red"}
    assert errors_of(PlanUpdate, data) == {
        "name": "This field is required.",
        "colour": "Unknown field.",
    }
    assert errors_of(PlanUpdate, GOOD) == {}


@pytest.mark.parametrize(
    ("typed", "cents"),
    [("49", 4900), ("49.9", 4990), ("49.90", 4990), (0.1, 10), (199.0, 19900), ("0", 0)],
)
def test_prices_typed_in_units_become_cents(typed: object, cents: int) -> None:
    assert units_to_cents(typed) == cents  # type: ignore[arg-type]


@pytest.mark.parametrize("typed", ["49.999", "-1", "abc", "NaN", "Infinity", "1e30"])
def test_bad_unit_prices_are_refused(typed: str) -> None:
    with pytest.raises(ValueError):
        units_to_cents(typed)


@given(st.decimals(min_value=0, max_value=MAX_CENTS // 100, places=2))
def test_units_to_cents_is_exact_for_two_decimals(amount: Decimal) -> None:
    # independent: scale by 100 in exact decimal arithmetic
    assert units_to_cents(str(amount)) == int(amount.scaleb(2))


# ------------------------------------------------------------------ tenants, quotas, members


def test_quota_override_rules() -> None:
    ok = {"metric": "tokens", "limit_value": 10, "reason": " deal ", "expires_at": FUTURE}
    assert parse(QuotaOverride, ok).reason == "deal"
    assert parse(QuotaOverride, {**ok, "limit_value": None}).limit_value is None  # unlimited
    assert parse(QuotaOverride, {**ok, "expires_at": None}).expires_at is None
    past = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)
    assert "in the future" in _errors(QuotaOverride, {**ok, "expires_at": past})["expires_at"]
    naive = dt.datetime(2030, 1, 1)
    assert "time zone" in _errors(QuotaOverride, {**ok, "expires_at": naive})["expires_at"]
    assert "blank" in _errors(QuotaOverride, {**ok, "reason": "  "})["reason"]
    assert "metric must be one of" in _errors(QuotaOverride, {**ok, "metric": "gpus"})["metric"]
    assert "whole number from 0" in _errors(QuotaOverride, {**ok, "limit_value": -1})["limit_value"]


LIMIT_RULES = {
    "negative": "The limit cannot be negative: type 0 or more.",
    "blank": "Type a limit per month (a whole number, 0 allows no use), or tick Unlimited.",
    "whole": "The limit must be a whole number, e.g. 100000.",
    "huge": "The limit must be at most 1,000,000,000,000,000 (or tick Unlimited).",
    "separators": "Type the limit without separators, e.g. 100000.",
    "number": "Type the limit as a number such as 100000.",
}


@pytest.mark.parametrize(
    ("typed", "rule"),
    [("-100", "negative"), ("\u2212100", "negative"), ("", "blank"), ("  ", "blank"),
     ("1.5", "whole"), ("100.", "whole"), ("99999999999999999999", "huge"),
     ("1000000000000001", "huge"), ("1,000", "separators"), ("100 000", "separators"),
     ("NaN", "number"), ("inf", "number"), ("1e3", "number"), ("ten", "number"),
     ("\uff11\uff10", "number"), ("+5", "number")],
)  # fmt: skip
def test_a_typed_quota_limit_breaking_a_rule_says_which(typed: str, rule: str) -> None:
    override = {"metric": "tokens", "limit_value": typed, "reason": "deal"}
    assert _errors(QuotaOverride, override) == {"limit_value": LIMIT_RULES[rule]}


@pytest.mark.parametrize(
    ("typed", "limit"),
    [("0", 0), ("100", 100), (" 007 ", 7), ("1000000000000000", 10**15), (None, None)],
)
def test_a_typed_quota_limit_is_read_exactly(typed: str | None, limit: int | None) -> None:
    override = {"metric": "tokens", "limit_value": typed, "reason": "deal"}
    assert parse(QuotaOverride, override).limit_value == limit


def test_tenant_rules() -> None:
    assert parse(TenantRename, {"name": "  Acme  "}).name == "Acme"
    assert "at most 120" in _errors(TenantRename, {"name": "a" * 121})["name"]
    settings = {"region": "eu", "timezone": "Europe/Berlin", "report_currency": "EUR", "x": [1]}
    assert parse(TenantSettings, {"settings": json.dumps(settings)}).settings == settings
    for bad, message in [
        ('{"timezone": "Mars/Base"}', "IANA time zone"),
        ('{"timezone": ["UTC"]}', "IANA time zone"),
        ('{"report_currency": "XXX"}', "report_currency"),
        ('{"region": ""}', "region"),
        ("[]", "JSON object"),
    ]:
        assert message in _errors(TenantSettings, {"settings": bad})["settings"]


def test_member_and_plan_change_rules() -> None:
    assert parse(MemberAdd, {"email": " Ann@Example.COM "}).email == "ann@example.com"
    assert "email address" in _errors(MemberAdd, {"email": "ann"})["email"]
    assert "email address" in _errors(MemberAdd, {"email": "a\x00n@example.com"})["email"]
    assert "tenant role" in _errors(MemberAdd, {"email": "a@b.co", "role": "boss"})["role"]
    today = dt.datetime.now(dt.UTC).date()
    assert parse(PlanChange, {"plan_id": "pro", "effective_date": today}).effective_date == today
    tomorrow = today + dt.timedelta(days=1)
    errors = _errors(PlanChange, {"plan_id": "pro", "effective_date": tomorrow})
    assert "cannot be in the future" in errors["effective_date"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"note": "a\\u0000b"}', "Settings must not contain the character U+0000."),
        ('{"x": {"a\\u0000": 1}}', "Settings must not contain the character U+0000."),
        ('{"note": 1e999}', "Settings is not valid JSON: 1e999 is too large for a number."),
        ('{"note": "\\ud800"}', "Settings must hold only JSON values: text, finite numbers, "
         "true/false, null, lists and objects."),
        ("[" * 3000 + "]" * 3000, "Settings is nested too deeply."),
        ("{" + " " * 100_000 + "}", "Settings must be at most 100,000 characters of JSON."),
    ],
)  # fmt: skip
def test_json_that_postgres_cannot_store_is_refused(text: str, message: str) -> None:
    assert _errors(TenantSettings, {"settings": text}) == {"settings": message}
    assert list(_errors(PlanUpdate, {**GOOD, "features": text})) == ["features"]


def test_parsed_json_with_nan_or_odd_keys_is_refused() -> None:
    only_json = (
        "Settings must hold only JSON values: text, finite numbers, true/false, null, lists "
        "and objects."
    )
    assert _errors(TenantSettings, {"settings": {"a": math.nan}}) == {"settings": only_json}
    features = _errors(PlanUpdate, {**GOOD, "features": {1: True}})["features"]
    assert features == only_json.replace("Settings", "Features")  # JSON keys are text


# ------------------------------------------------------------------ diff


def test_field_changes_compare_json_values_and_nested_keys() -> None:
    before = {"name": "Pro", "limits_json": {"api_calls": 1000, "seats": 3}, "flag": 1}
    after = {"name": "Pro+", "limits_json": {"api_calls": 500, "seats": 3}, "flag": True}
    after |= {"version": 9, "updated_at": "later"}  # bookkeeping is not a change
    assert field_changes(before, after) == [
        FieldChange("name", "Pro", "Pro+"),
        FieldChange("limits_json.api_calls", 1000, 500),
        FieldChange("flag", 1, True),  # 1 and true are different JSON values
    ]
    line = describe_changes(field_changes(before, after))
    assert line == 'name: "Pro" → "Pro+"; limits_json.api_calls: 1000 → 500; flag: 1 → true'


def test_created_and_deleted_rows_diff_against_absent() -> None:
    row = {"metric": "tokens", "limit_value": None}
    assert field_changes(None, row) == [
        FieldChange("metric", ABSENT, "tokens"),
        FieldChange("limit_value", ABSENT, None),
    ]
    frame = diff_frame(row, None)
    assert frame.to_dict("records") == [
        {"field": "metric", "before": '"tokens"', "after": "—"},
        {"field": "limit_value", "before": "null", "after": "—"},
    ]
    assert describe_changes([]) == "no field changed"


# ------------------------------------------------------------------ impact rules


def test_cycle_price_and_event_type() -> None:
    assert cycle_price(4900, 49000, "monthly") == 4900
    assert cycle_price(4900, 49000, "annual") == 49000
    assert cycle_price(4900, None, "annual") == 58800  # 12 x 4900
    assert plan_change_event(4900, 19900) == "upgraded"
    assert plan_change_event(19900, 4900) == "downgraded"
    assert plan_change_event(4900, 4900) == "price_changed"


def _usage(rows: list[tuple]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=list(USAGE_COLUMNS))


def test_over_quota_after_respects_overrides_and_marks_the_already_over() -> None:
    nan = math.nan
    usage = _usage(
        [
            # tenant, name, plan, metric, used, plan limit, override?, override limit
            ("a", "Acme", "pro", "api_calls", 700.0, 1000.0, False, nan),  # 700 > 600: newly over
            ("a", "Acme", "pro", "seats", 4.0, 3.0, False, nan),  # 4 > 3 now and after
            ("b", "Beta", "pro", "api_calls", 900.0, 1000.0, True, 5000.0),  # override 5000 wins
            ("c", "Core", "pro", "api_calls", 600.0, 1000.0, False, nan),  # 600 = 600: not over
            ("d", "Dune", "pro", "api_calls", 10.0, 1000.0, True, nan),  # unlimited override
        ]
    )
    over = over_quota_after(usage, {"api_calls": 600, "seats": 3, "tokens": None})
    assert over[["tenant_name", "metric", "limit_now", "limit_after", "already_over"]].to_dict(
        "records"
    ) == [
        {"tenant_name": "Acme", "metric": "api_calls", "limit_now": 1000.0,
         "limit_after": 600.0, "already_over": False},
        {"tenant_name": "Acme", "metric": "seats", "limit_now": 3.0,
         "limit_after": 3.0, "already_over": True},
    ]  # fmt: skip
    assert over_quota_after(usage.iloc[:0], {"api_calls": 0}).empty


def test_quota_status_uses_the_override_first() -> None:
    nan = math.nan
    usage = _usage(
        [
            ("a", "Acme", "pro", "api_calls", 250.0, 1000.0, False, nan),  # 250 / 1000 = 25 %
            ("a", "Acme", "pro", "tokens", 50.0, 10.0, True, 40.0),  # 50 / 40 = 125 %, over
            ("a", "Acme", "pro", "backtests", 3.0, nan, False, nan),  # unlimited plan limit
        ]
    )
    status = quota_status(usage)
    assert status["limit"].tolist()[:2] == [1000.0, 40.0]
    assert math.isnan(status["limit"].iloc[2])  # unlimited
    assert status["used_share"].tolist()[:2] == [0.25, 1.25]
    assert math.isnan(status["used_share"].iloc[2])
    assert status["over"].tolist() == [False, True, False]
