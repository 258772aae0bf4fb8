"""The field rules of admin edits, as plain checks that raise ValueError with the message the
admin sees next to the field. `models.py` attaches them to pydantic fields."""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import available_timezones

__all__ = [
    "CURRENCIES",
    "MAX_CENTS",
    "MAX_LIMIT",
    "METRICS",
    "TENANT_ROLES",
    "check_cents",
    "check_currency",
    "check_email",
    "check_expiry",
    "check_features",
    "check_limit_value",
    "check_limits",
    "check_metric",
    "check_name",
    "check_optional_cents",
    "check_past_or_today",
    "check_plan_id",
    "check_reason",
    "check_role",
    "check_settings",
    "check_tenant_name",
    "parse_json_object",
    "units_to_cents",
]

PLAN_ID = re.compile(r"^[a-z][a-z0-9_-]{0,31}$")
KEY = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
CURRENCIES = ("AUD", "CAD", "CHF", "EUR", "GBP", "JPY", "USD")
METRICS = ("api_calls", "backtests", "tokens", "seats")
TENANT_ROLES = ("owner", "admin", "member")
MAX_CENTS = 1_000_000_000  # 10,000,000.00 in the plan's currency; the column is a 4-byte int
MAX_LIMIT = 10**15
MAX_TEXT = 200
MAX_SETTINGS_CHARS = 10_000


def _text(value: Any, what: str, longest: int) -> str:
    if not isinstance(value, str):
        raise ValueError(f"{what} must be text.")
    value = value.strip()
    if not value:
        raise ValueError(f"{what} must not be blank.")
    if len(value) > longest:
        raise ValueError(f"{what} must be at most {longest} characters (it has {len(value)}).")
    if any(ord(ch) < 32 for ch in value):
        raise ValueError(f"{what} must not contain line breaks or control characters.")
    return value


def check_name(value: Any) -> str:
    return _text(value, "The name", 80)


def check_tenant_name(value: Any) -> str:
    return _text(value, "The tenant name", 120)


def check_reason(value: Any) -> str:
    return _text(value, "The reason", 500)


def check_plan_id(value: Any) -> str:
    if not isinstance(value, str) or not PLAN_ID.fullmatch(value):
        raise ValueError(
            "The plan id must start with a lower-case letter and use only a-z, 0-9, _ or -, "
            "at most 32 characters (e.g. pro or team-2026)."
        )
    return value


def _whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def check_cents(value: Any) -> int:
    if not _whole(value) or not 0 <= value <= MAX_CENTS:
        raise ValueError(
            f"The price must be a whole number of cents from 0 to {MAX_CENTS:,} "
            f"(0.00 to {MAX_CENTS / 100:,.2f} in the plan's currency)."
        )
    return int(value)


def check_optional_cents(value: Any) -> int | None:
    return None if value is None else check_cents(value)


def units_to_cents(value: Decimal | float | int | str) -> int:
    """A price typed in currency units (at most 2 decimals) as integer cents."""
    try:
        amount = Decimal(str(value).strip())
    except InvalidOperation:
        raise ValueError(f"{value!r} is not a number; type e.g. 49 or 49.90.") from None
    if not amount.is_finite() or amount < 0:
        raise ValueError("The price must be a number of at least 0.")
    if amount > MAX_CENTS / 100:
        raise ValueError(f"The price must be at most {MAX_CENTS / 100:,.2f}.")
    if amount != amount.quantize(Decimal("0.01")):
        raise ValueError("The price can have at most 2 decimals (whole cents).")
    return check_cents(int(amount * 100))


def check_currency(value: Any) -> str:
    code = value.strip().upper() if isinstance(value, str) else value
    if code not in CURRENCIES:
        raise ValueError(f"The currency must be one of {', '.join(CURRENCIES)} (ISO 4217).")
    return code


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    keys = [k for k, _ in pairs]
    twice = sorted({k for k in keys if keys.count(k) > 1})
    if twice:
        raise ValueError(f"Duplicate key {twice[0]!r}.")
    return dict(pairs)


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number.")


def parse_json_object(value: Any, what: str) -> dict[str, Any]:
    """A JSON object from a text area (or an already parsed dict), else a clear ValueError."""
    if isinstance(value, str):
        if not value.strip():
            raise ValueError(f"{what}: enter a JSON object, e.g. {{}} for none.")
        try:
            value = json.loads(value, object_pairs_hook=_no_duplicates, parse_constant=_no_constant)
        except json.JSONDecodeError as exc:
            raise ValueError(
                f"{what} is not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})."
            ) from None
        except ValueError as exc:
            raise ValueError(f"{what} is not valid JSON: {exc}") from None
    if not isinstance(value, dict):
        raise ValueError(f"{what} must be a JSON object ({{...}}), not {type(value).__name__}.")
    return value


def _check_key(key: str, what: str) -> None:
    if not KEY.fullmatch(key):
        raise ValueError(
            f"{what} name {key!r} must start with a lower-case letter and use only a-z, 0-9 "
            "and _ (at most 64 characters)."
        )


def check_features(value: Any) -> dict[str, bool | int | str]:
    data = parse_json_object(value, "Features")
    for key, item in data.items():
        _check_key(key, "Feature")
        good = isinstance(item, bool) or _whole(item) or isinstance(item, str)
        if not good or (isinstance(item, str) and len(item) > MAX_TEXT):
            raise ValueError(
                f"Feature {key!r}: a value is true/false, a whole number or a text of at most "
                f"{MAX_TEXT} characters (got {json.dumps(item)[:40]})."
            )
    return data


def check_limit_value(value: Any, what: str = "The limit") -> int | None:
    if value is not None and (not _whole(value) or not 0 <= value <= MAX_LIMIT):
        raise ValueError(
            f"{what} must be a whole number from 0 to {MAX_LIMIT:,}, or null for unlimited "
            f"(got {json.dumps(value)[:40]})."
        )
    return value


def check_limits(value: Any) -> dict[str, int | None]:
    data = parse_json_object(value, "Limits")
    unknown = sorted(set(data) - set(METRICS))
    if unknown:
        raise ValueError(f"Unknown metric {unknown[0]!r}: the metrics are {', '.join(METRICS)}.")
    missing = [m for m in METRICS if m not in data]
    if missing:
        raise ValueError(
            f"Give every metric a monthly limit (a whole number ≥ 0, or null for unlimited); "
            f"missing: {', '.join(missing)}."
        )
    return {m: check_limit_value(data[m], f"Limit {m!r}") for m in METRICS}


def check_metric(value: Any) -> str:
    if value not in METRICS:
        raise ValueError(f"The metric must be one of {', '.join(METRICS)}.")
    return str(value)


def check_role(value: Any) -> str:
    if value not in TENANT_ROLES:
        raise ValueError(f"The tenant role must be one of {', '.join(TENANT_ROLES)}.")
    return str(value)


def check_email(value: Any) -> str:
    email = value.strip().lower() if isinstance(value, str) else ""
    if not EMAIL.fullmatch(email) or len(email) > 254:
        raise ValueError("Enter an email address such as name@example.com.")
    return email


def check_expiry(value: Any) -> dt.datetime | None:
    """An optional expiry: a timezone-aware moment in the future."""
    if value is None:
        return None
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value)
        except ValueError:
            raise ValueError("The expiry must be a date and time like 2027-01-31T00:00Z.") from None
    if not isinstance(value, dt.datetime) or value.tzinfo is None:
        raise ValueError("The expiry must be a date and time with a time zone.")
    if value <= dt.datetime.now(dt.UTC):
        raise ValueError("The expiry must be in the future (leave it empty for no expiry).")
    return value


def check_past_or_today(value: Any) -> dt.date:
    """An effective date: a calendar date, not after today (UTC)."""
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value)
        except ValueError:
            raise ValueError("The effective date must be a date like 2026-11-01.") from None
    if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
        raise ValueError("The effective date must be a calendar date.")
    if value > dt.datetime.now(dt.UTC).date():
        raise ValueError(
            "The effective date cannot be in the future: changes apply now or back-dated."
        )
    return value


def check_settings(value: Any) -> dict[str, Any]:
    data = parse_json_object(value, "Settings")
    for key in data:
        _check_key(key, "Setting")
    zone = data.get("timezone")
    if "timezone" in data and not (isinstance(zone, str) and zone in available_timezones()):
        raise ValueError("Setting 'timezone' must be an IANA time zone such as Europe/Berlin.")
    if "report_currency" in data and not (
        isinstance(data["report_currency"], str) and data["report_currency"] in CURRENCIES
    ):
        raise ValueError(f"Setting 'report_currency' must be one of {', '.join(CURRENCIES)}.")
    if "region" in data and not (isinstance(data["region"], str) and data["region"].strip()):
        raise ValueError("Setting 'region' must be a non-blank text such as eu or us.")
    if len(json.dumps(data)) > MAX_SETTINGS_CHARS:
        raise ValueError(f"Settings must be at most {MAX_SETTINGS_CHARS:,} characters of JSON.")
    return data
