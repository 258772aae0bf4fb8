"""The field rules of admin edits, as plain checks that raise ValueError with the message the
admin sees next to the field. `models.py` attaches them to pydantic fields."""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from collections.abc import Iterator
from decimal import Decimal
from typing import Any
from zoneinfo import available_timezones

from ...metered import LIMITED_METRICS, METERED_METRICS, metric_label

__all__ = [
    "CURRENCIES",
    "MAX_CENTS",
    "MAX_LIMIT",
    "MINUS_SIGNS",
    "TENANT_ROLES",
    "check_cents",
    "check_count",
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
    "check_quota_limit",
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
TENANT_ROLES = ("owner", "admin", "member")
MAX_CENTS = 1_000_000_000  # 10,000,000.00 in the plan's currency; the column is a 4-byte int
MAX_LIMIT = 10**15
MAX_TEXT = 200
MAX_SETTINGS_CHARS = 10_000
MAX_JSON_CHARS = 100_000  # what a JSON text area may hold before it is parsed


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
    if not _encodable(value):
        raise ValueError(f"{what} must be text (it holds an unpaired surrogate).")
    return value


def _encodable(value: str) -> bool:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


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


# What an admin may type for a number: ASCII digits with at most one decimal point. The
# minus signs are recognised only to say that a number may not be negative.
MINUS_SIGNS = "-\u2212\u2012\u2013\u2014\ufe63\uff0d"
_DECIMAL_TEXT = re.compile(r"[0-9]+(?:\.[0-9]*)?|\.[0-9]+")
_WHOLE_TEXT = re.compile(r"[0-9]+")


def _typed(value: str, blank: str, what: str, example: str) -> str:
    """The stripped text of a typed number, or ValueError for blank, negative, separated or
    non-numeric text (only ASCII digits and one decimal point are numbers)."""
    text = value.strip()
    if not text:
        raise ValueError(blank)
    if text[0] in MINUS_SIGNS and _DECIMAL_TEXT.fullmatch(text[1:].strip()):
        raise ValueError(f"{what} cannot be negative: type 0 or more.")
    if "," in text or "_" in text or " " in text:
        raise ValueError(f"Type {what.lower()} without separators, e.g. {example}.")
    if not _DECIMAL_TEXT.fullmatch(text):
        raise ValueError(f"Type {what.lower()} as a number such as {example}.")
    return text


def _units(value: str) -> int:
    """A price typed in currency units ("49", "49.9", "49.90") as integer cents."""
    text = _typed(value, "Type a price, e.g. 49 or 49.90.", "The price", "1234.50")
    whole, _, decimals = text.partition(".")
    if len(decimals) > 2:
        shown = text if len(text) <= 24 else text[:20] + "…"
        raise ValueError(
            f"The price can have at most 2 decimals ({shown} has {len(decimals)}): type e.g. 49.99."
        )
    if len(whole.lstrip("0")) > len(str(MAX_CENTS // 100)) or Decimal(text) > MAX_CENTS // 100:
        raise ValueError(f"The price must be at most {MAX_CENTS / 100:,.2f}.")
    return int(Decimal(text).scaleb(2))


def check_cents(value: Any) -> int:
    """A price: integer cents, or the text an admin typed in currency units ("49.90")."""
    if isinstance(value, str):
        return _units(value)
    if not _whole(value) or not 0 <= value <= MAX_CENTS:
        raise ValueError(
            f"The price must be a whole number of cents from 0 to {MAX_CENTS:,} "
            f"(0.00 to {MAX_CENTS / 100:,.2f} in the plan's currency)."
        )
    return int(value)


def check_optional_cents(value: Any) -> int | None:
    return None if value is None else check_cents(value)


def units_to_cents(value: Decimal | float | int | str) -> int:
    """A price in currency units (at most 2 decimals; text as typed, or a number) as integer
    cents; ValueError with the rule otherwise."""
    return _units(value if isinstance(value, str) else str(value))


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


def _finite(text: str) -> float:
    number = float(text)
    if not math.isfinite(number):
        raise ValueError(f"{text[:20]} is too large for a number.")
    return number


def _storable(value: dict[str, Any], what: str) -> dict[str, Any]:
    """`value` if Postgres can store it as jsonb: JSON values only, finite numbers, no
    U+0000 and no unpaired surrogate in any text."""
    try:
        text = json.dumps(value, allow_nan=False, ensure_ascii=False)
        text.encode("utf-8")
        nul = any("\x00" in t for t in _texts(value))
    except (TypeError, ValueError, RecursionError):  # UnicodeEncodeError is a ValueError
        raise ValueError(
            f"{what} must hold only JSON values: text, finite numbers, true/false, null, "
            "lists and objects."
        ) from None
    if nul:
        raise ValueError(f"{what} must not contain the character U+0000.")
    return value


def _texts(value: Any) -> Iterator[str]:
    """Every key and text inside a JSON value."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from _texts(item)
    elif isinstance(value, list):
        for item in value:
            yield from _texts(item)


def _load_json(text: str, what: str) -> Any:
    if len(text) > MAX_JSON_CHARS:
        raise ValueError(f"{what} must be at most {MAX_JSON_CHARS:,} characters of JSON.")
    try:
        return json.loads(
            text,
            object_pairs_hook=_no_duplicates,
            parse_constant=_no_constant,
            parse_float=_finite,
        )
    except json.JSONDecodeError as exc:
        raise ValueError(
            f"{what} is not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})."
        ) from None
    except ValueError as exc:
        raise ValueError(f"{what} is not valid JSON: {exc}") from None
    except RecursionError:
        raise ValueError(f"{what} is nested too deeply.") from None


def parse_json_object(value: Any, what: str) -> dict[str, Any]:
    """A JSON object from a text area (or an already parsed dict) that Postgres can store,
    else a clear ValueError."""
    if isinstance(value, str):
        if not value.strip():
            raise ValueError(f"{what}: enter a JSON object, e.g. {{}} for none.")
        value = _load_json(value, what)
    if not isinstance(value, dict):
        raise ValueError(f"{what} must be a JSON object ({{...}}), not {type(value).__name__}.")
    return _storable(value, what)


def _check_key(key: str, what: str) -> None:
    if not isinstance(key, str) or not KEY.fullmatch(key):
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
    """A limit from JSON: a whole number from 0 to MAX_LIMIT, or None for unlimited."""
    if value is not None and (not _whole(value) or not 0 <= value <= MAX_LIMIT):
        raise ValueError(
            f"{what} must be a whole number from 0 to {MAX_LIMIT:,}, or null for unlimited "
            f"(got {json.dumps(value)[:40]})."
        )
    return value


def check_quota_limit(value: Any) -> int | None:
    """A quota override's monthly limit: the text an admin typed (digits only), a whole
    number, or None for unlimited."""
    if not isinstance(value, str):
        return check_limit_value(value)
    text = _typed(
        value,
        "Type a limit per month (a whole number, 0 allows no use), or tick Unlimited.",
        "The limit",
        "100000",
    )
    if not _WHOLE_TEXT.fullmatch(text):
        raise ValueError("The limit must be a whole number, e.g. 100000.")
    if len(text.lstrip("0")) > len(str(MAX_LIMIT)) or int(text) > MAX_LIMIT:
        raise ValueError(f"The limit must be at most {MAX_LIMIT:,} (or tick Unlimited).")
    return int(text)


def check_count(value: Any) -> int:
    """A count typed to confirm (e.g. of live subscriptions): digits, or a whole number."""
    if isinstance(value, str):
        text = _typed(value, "Type the number to confirm, e.g. 3.", "The number", "3")
        if not _WHOLE_TEXT.fullmatch(text) or len(text.lstrip("0")) > 9:
            raise ValueError("Type the number as a whole number, e.g. 3.")
        return int(text)
    if not _whole(value) or not 0 <= value < 10**9:
        raise ValueError("The number must be a whole number of at least 0.")
    return int(value)


def check_limits(value: Any) -> dict[str, int | None]:
    data = parse_json_object(value, "Limits")
    unknown = sorted(set(data) - set(LIMITED_METRICS))
    if unknown:
        raise ValueError(
            f"Unknown metric {unknown[0]!r}: the metrics are {', '.join(LIMITED_METRICS)}."
        )
    missing = [m for m in LIMITED_METRICS if m not in data]
    if missing:
        raise ValueError(
            f"Give every metric a monthly limit (a whole number ≥ 0, or null for unlimited); "
            f"missing: {', '.join(missing)}."
        )
    return {m: _metric_limit(data[m], m) for m in LIMITED_METRICS}


def _metric_limit(value: Any, metric: str) -> int | None:
    """One metric's limit: a number from JSON, or the digits typed in its own field."""
    if not isinstance(value, str):
        return check_limit_value(value, f"Limit {metric!r}")
    try:
        return check_quota_limit(value)
    except ValueError as exc:
        raise ValueError(f"{LIMIT_NAMES[metric]}: {exc}") from None


# The typed plan form: each metric's field name, and the features it shows as typed fields
# (True/False: a toggle; a tuple: one of these texts). Other keys stay as JSON.
LIMIT_NAMES = {  # "API calls per month": the metric's label (metered.py), per month if metered
    m: f"{metric_label(m)} per month" if m in METERED_METRICS else metric_label(m)
    for m in LIMITED_METRICS
}
KNOWN_FEATURES: dict[str, Any] = {
    "regime_engine": bool,
    "backtests": bool,
    "paper_trading": bool,
    "api_access": bool,
    "support": ("community", "email", "priority"),
}


def check_metric(value: Any) -> str:
    if value not in LIMITED_METRICS:
        raise ValueError(f"The metric must be one of {', '.join(LIMITED_METRICS)}.")
    return str(value)


def check_role(value: Any) -> str:
    if value not in TENANT_ROLES:
        raise ValueError(f"The tenant role must be one of {', '.join(TENANT_ROLES)}.")
    return str(value)


def check_email(value: Any) -> str:
    email = value.strip().lower() if isinstance(value, str) else ""
    if not EMAIL.fullmatch(email) or len(email) > 254 or not email.isprintable():
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
