"""Every admin form driven through its service with generated input, on a private copy of
the seeded database: negative, huge, NaN, text, blank and unicode values, mixed with valid
ones. Whatever is typed, the service either raises InvalidInputError naming the broken
field(s) and writes nothing, or writes exactly what was typed (read independently here);
no other exception ever escapes. Each form runs at least 1,000 examples."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

import psycopg
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as hs
from sqlalchemy.engine import make_url

from regime_dashboard.db.engine import libpq_dsn
from regime_dashboard.services import admin
from regime_dashboard.viewer import Viewer
from tests.db import test_admin_services
from tests.helpers import viewer

pytestmark = pytest.mark.db

EXAMPLES = settings(
    max_examples=1000,
    deadline=None,
    database=None,
    derandomize=True,  # the same 1,000 inputs on every run: the path counts below are fixed
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
BAD: Any = object()  # the oracle's answer for input that breaks a rule
METRICS = ("api_calls", "backtests", "tokens", "seats")
CURRENCIES = ("AUD", "CAD", "CHF", "EUR", "GBP", "JPY", "USD")
MAX_LIMIT, MAX_CENTS = 10**15, 1_000_000_000
db = test_admin_services.db  # the fixture: a private writable copy of the seeded database


@pytest.fixture
def conn(db: str) -> Iterator[psycopg.Connection]:
    """One autocommit connection for the checks (reads only)."""
    with psycopg.connect(libpq_dsn(make_url(db)), autocommit=True) as c:
        yield c


@pytest.fixture
def adam(db: str) -> Viewer:
    return viewer(db, "admin@demo.local", "admin")


def fingerprint(conn: psycopg.Connection, *tables: str) -> tuple[Any, ...]:
    """The data version, the last audit id and an md5 of each table's rows."""
    digests = [
        conn.execute(
            f"SELECT md5(coalesce(string_agg(x::text, '|' ORDER BY x::text), '')) FROM {t} x"
        ).fetchone()[0]
        for t in tables
    ]
    head = conn.execute(
        "SELECT (SELECT version FROM data_versions WHERE scope = 'dashboard'), "
        "(SELECT coalesce(max(id), 0) FROM audit_log)"
    ).fetchone()
    return (*head, *digests)


OTHER_TABLES = ("plans", "tenants", "subscriptions", "subscription_events",
                "tenant_quota_overrides", "tenant_users", "users")  # fmt: skip


def drive(
    call: Callable[[], Any], expected: dict[str, Any], check_saved: Callable[[], None]
) -> bool:
    """Call a service with one generated form. `expected` maps each field to its value as
    stored, or BAD. Returns whether it saved. Any exception but InvalidInputError fails."""
    bad = {f for f, v in expected.items() if v is BAD}
    try:
        call()
    except admin.InvalidInputError as exc:
        if bad:
            assert bad <= set(exc.errors), (bad, exc.errors)
            assert set(exc.errors) <= set(expected), exc.errors
            assert all(isinstance(m, str) and m for m in exc.errors.values())
        else:  # valid fields, refused as a whole: only "nothing to save" or a taken name
            assert set(exc.errors) <= {"form", "name"}, exc.errors
        return False
    assert not bad, f"saved although {sorted(bad)} broke a rule"
    check_saved()
    return True


def forms(fields: dict[str, tuple[hs.SearchStrategy[Any], hs.SearchStrategy[Any]]]) -> Any:
    """Forms whose fields are all drawn from their valid strategy half of the time, else
    from everything an admin might type (the oracle decides which fields are valid)."""
    return hs.booleans().flatmap(
        lambda good: hs.fixed_dictionaries({k: g if good else m for k, (g, m) in fields.items()})
    )


# ------------------------------------------------------------------ typed numbers

INTS = hs.integers(min_value=-(10**22), max_value=10**22)
WEIRD = hs.sampled_from([
    "", " ", "\t", "NaN", "nan", "inf", "-inf", "Infinity", "1e3", "1E-2", "0x10", "+5",
    "1,000", "1 000", "1_000", "１２", "٣٤", "²", "½", "−", "-", ".", "..", "5..0", "null",
    "None", "true", "\u2212100", "\u2013 7", "\ufe6350", "\uff0d3", "12abc", "€5", "5€",
])  # fmt: skip


def typed_number(decimals: bool) -> hs.SearchStrategy[Any]:
    """What an admin might type into a number field (and a few non-text values)."""
    digits = r"[ ]?[0-9]{1,17}" + (r"(\.[0-9]{0,3})?" if decimals else "") + "[ ]?"
    return hs.one_of(
        hs.from_regex(digits, fullmatch=True),
        INTS.map(str),
        INTS.map(lambda n: f"\u2212{abs(n)}"),
        hs.floats().map(str),
        hs.decimals(allow_nan=True).map(str),
        WEIRD,
        hs.text(max_size=10),
        hs.integers(),
        hs.floats(),
        hs.booleans(),
    )


def typed_whole(value: Any) -> Any:
    """The oracle of a typed quota limit: ASCII digits only, 0 to 10**15."""
    if value is None or (isinstance(value, int) and not isinstance(value, bool)):
        return value if value is None or 0 <= value <= MAX_LIMIT else BAD
    if not isinstance(value, str) or not re.fullmatch(r"[0-9]+", value.strip(), re.ASCII):
        return BAD
    return int(value.strip()) if int(value.strip()) <= MAX_LIMIT else BAD


def typed_cents(value: Any) -> Any:
    """The oracle of a typed price: ASCII digits, at most 2 decimals, 0 to 10,000,000.00."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value if 0 <= value <= MAX_CENTS else BAD
    if not isinstance(value, str):
        return BAD
    text = value.strip()
    if not re.fullmatch(r"[0-9]*\.?[0-9]*", text, re.ASCII) or not re.search("[0-9]", text):
        return BAD
    whole, _, part = text.partition(".")
    if len(part) > 2:
        return BAD
    cents = Decimal(whole or "0") * 100 + Decimal(part.ljust(2, "0"))
    return int(cents) if cents <= MAX_CENTS else BAD


def plain_text(value: Any, longest: int) -> Any:
    """The oracle of a required one-line text field: stripped, 1..longest characters."""
    if not isinstance(value, str):
        return BAD
    text = value.strip()
    if not text or len(text) > longest or any(ord(c) < 32 for c in text):
        return BAD
    return text


TEXTS = hs.one_of(
    hs.text(max_size=30),
    hs.sampled_from(["", "   ", "a\nb", "tab\there", "x" * 501, "Ünïcødé ✓", "日本語", "🙂"]),
    hs.text(min_size=110, max_size=130),
    hs.none(),
    hs.integers(),
)
GOOD_TEXT = hs.text(hs.characters(min_codepoint=32, exclude_categories=["Cs", "Cc"]),
                    min_size=1, max_size=40).filter(lambda t: plain_text(t, 80) is not BAD)  # fmt: skip
GOOD_LIMIT = hs.one_of(hs.none(), hs.from_regex(r" ?[0-9]{1,15} ?", fullmatch=True),
                       hs.integers(0, MAX_LIMIT))  # fmt: skip
GOOD_PRICE = hs.one_of(hs.from_regex(r" ?[0-9]{1,7}(\.[0-9]{0,2})? ?", fullmatch=True),
                       hs.integers(0, MAX_CENTS))  # fmt: skip


# ------------------------------------------------------------------ quota override form


def test_the_quota_override_form_writes_exactly_what_is_typed_or_nothing(
    db: str, conn: psycopg.Connection, adam: Viewer
) -> None:
    tid = conn.execute("SELECT id::text FROM tenants WHERE name = 'Cobalt Quant'").fetchone()[0]
    untouched = fingerprint(conn, *(t for t in OTHER_TABLES if t != "tenant_quota_overrides"))
    now = dt.datetime.now(dt.UTC)
    saves: list[Any] = []
    tried: list[Any] = []

    future = hs.datetimes(
        dt.datetime(2031, 1, 1), dt.datetime(2040, 1, 1), timezones=hs.just(dt.UTC)
    )
    past = hs.datetimes(dt.datetime(2000, 1, 1), dt.datetime(2025, 1, 1), timezones=hs.just(dt.UTC))
    naive = hs.datetimes(dt.datetime(2031, 1, 1), dt.datetime(2040, 1, 1))

    @EXAMPLES
    @given(form=forms({
        "metric": (hs.sampled_from(METRICS), hs.one_of(hs.sampled_from(METRICS), hs.text(max_size=8), hs.none())),
        "limit_value": (GOOD_LIMIT, hs.one_of(hs.none(), typed_number(decimals=True))),
        "reason": (GOOD_TEXT, TEXTS),
        "expires_at": (hs.none() | future, hs.one_of(hs.none(), past, future, naive)),
    }))  # fmt: skip
    def one_form(form: dict[str, Any]) -> None:
        tried.append(1)
        metric, expires = form["metric"], form["expires_at"]
        expected = {
            "metric": metric if metric in METRICS else BAD,
            "limit_value": typed_whole(form["limit_value"]),
            "reason": plain_text(form["reason"], 500),
            "expires_at": expires if expires is None or (expires.tzinfo and expires > now) else BAD,
        }
        version = None
        if expected["metric"] is not BAD:
            found = conn.execute(
                "SELECT version FROM tenant_quota_overrides WHERE tenant_id = %s AND metric = %s",
                (tid, metric),
            ).fetchone()
            version = found[0] if found else None
        before = fingerprint(conn, "tenant_quota_overrides")

        def saved() -> None:
            row = conn.execute(
                "SELECT limit_value, reason, expires_at FROM tenant_quota_overrides "
                "WHERE tenant_id = %s AND metric = %s",
                (tid, metric),
            ).fetchone()
            want = (expected["limit_value"], expected["reason"], expected["expires_at"])
            assert row == want

        call = lambda: admin.set_quota_override(  # noqa: E731
            viewer=adam, tenant_id=tid, override=form, expected_version=version
        )
        if drive(call, expected, saved):
            saves.append(form)
        else:
            assert fingerprint(conn, "tenant_quota_overrides") == before

    one_form()
    assert len(tried) >= 1000
    assert fingerprint(conn, *(t for t in OTHER_TABLES if t != "tenant_quota_overrides")) == (
        untouched[0] + len(saves),
        untouched[1] + len(saves),
        *untouched[2:],
    )
    assert 100 <= len(saves) <= 900  # both paths ran often
    negative = conn.execute(
        "SELECT count(*) FROM tenant_quota_overrides WHERE limit_value < 0 OR "
        "limit_value > %s OR btrim(reason) = ''",
        (MAX_LIMIT,),
    ).fetchone()[0]
    assert negative == 0


# ------------------------------------------------------------------ plan form

KEYS = hs.from_regex(r"[a-z][a-z0-9_]{0,10}", fullmatch=True)
BAD_KEYS = hs.text(max_size=8).filter(lambda k: not re.fullmatch(r"[a-z][a-z0-9_]{0,63}", k))
FEATURE_VALUES = hs.one_of(hs.booleans(), hs.integers(-(10**6), 10**6),
                           hs.text(max_size=20).filter(lambda t: "\x00" not in t))  # fmt: skip


def _pair(strategy: hs.SearchStrategy[Any], good: bool) -> hs.SearchStrategy[tuple[str, Any]]:
    return strategy.map(lambda v: (json.dumps(v), v if good else BAD))


FEATURES = hs.one_of(
    _pair(hs.dictionaries(KEYS, FEATURE_VALUES, max_size=4), True),
    _pair(hs.dictionaries(BAD_KEYS, hs.booleans(), min_size=1, max_size=2), False),
    _pair(hs.dictionaries(KEYS, hs.floats(allow_nan=False, allow_infinity=False)
                          .filter(lambda f: not f.is_integer()), min_size=1, max_size=2), False),
    _pair(hs.dictionaries(KEYS, hs.none() | hs.lists(hs.integers(), max_size=2), min_size=1,
                          max_size=2), False),
    _pair(hs.dictionaries(KEYS, hs.text(min_size=201, max_size=210), min_size=1, max_size=1), False),
    _pair(hs.dictionaries(KEYS, hs.just("a\x00b"), min_size=1, max_size=1), False),
    hs.sampled_from(["", "{", "[]", '{"a": NaN}', '{"a": 1e400}', '{"a": 1, "a": 2}', "null",
                     '"text"', "{'a': 1}"]).map(lambda t: (t, BAD)),
    hs.text(max_size=12).filter(lambda t: not t.strip().startswith("{")).map(lambda t: (t, BAD)),
)  # fmt: skip
LIMIT_VALUES = hs.one_of(hs.none(), hs.integers(0, MAX_LIMIT))
LIMITS = hs.one_of(
    _pair(hs.fixed_dictionaries({m: LIMIT_VALUES for m in METRICS}), True),
    _pair(hs.fixed_dictionaries({m: LIMIT_VALUES | hs.integers(max_value=-1) for m in METRICS})
          .filter(lambda d: any(v is not None and v < 0 for v in d.values())), False),
    _pair(hs.fixed_dictionaries({m: hs.integers(MAX_LIMIT + 1, 10**30) for m in METRICS}), False),
    _pair(hs.fixed_dictionaries({m: hs.floats(0.1, 9.9) | hs.text(max_size=3) | hs.booleans()
                                 for m in METRICS}), False),
    _pair(hs.dictionaries(hs.sampled_from(METRICS), hs.integers(0, 9), max_size=3), False),
    _pair(hs.fixed_dictionaries({m: hs.integers(0, 9) for m in (*METRICS, "gpus")}), False),
    hs.sampled_from(["", "{}", '{"api_calls": NaN, "backtests": 1, "tokens": 1, "seats": 1}',
                     '{"api_calls": -1e3, "backtests": 1, "tokens": 1, "seats": 1}', "[1]"])
    .map(lambda t: (t, BAD)),
)  # fmt: skip


def test_the_plan_form_writes_exactly_what_is_typed_or_nothing(
    db: str, conn: psycopg.Connection, adam: Viewer
) -> None:
    untouched = fingerprint(conn, *(t for t in OTHER_TABLES if t != "plans"))
    saves: list[Any] = []
    tried: list[Any] = []

    currencies = hs.sampled_from([*CURRENCIES, " eur ", "usd"])

    @EXAMPLES
    @given(drawn=forms({
        "name": (GOOD_TEXT, TEXTS),
        "currency": (currencies, hs.one_of(currencies, hs.sampled_from(["XXX", "", "€"]), hs.text(max_size=4))),
        "price_monthly_cents": (GOOD_PRICE, typed_number(decimals=True)),
        "price_annual_cents": (hs.none() | GOOD_PRICE, hs.none() | typed_number(decimals=True)),
        "features": (FEATURES.filter(lambda p: p[1] is not BAD), FEATURES),
        "limits": (LIMITS.filter(lambda p: p[1] is not BAD), LIMITS),
    }))  # fmt: skip
    def one_form(drawn: dict[str, Any]) -> None:
        tried.append(1)
        form = {**drawn, "features": drawn["features"][0], "limits": drawn["limits"][0]}
        currency, annual = drawn["currency"], drawn["price_annual_cents"]
        code = currency.strip().upper() if isinstance(currency, str) else None
        expected = {
            "name": plain_text(drawn["name"], 80),
            "currency": code if code in CURRENCIES else BAD,
            "price_monthly_cents": typed_cents(drawn["price_monthly_cents"]),
            "price_annual_cents": None if annual is None else typed_cents(annual),
            "features": drawn["features"][1],
            "limits": drawn["limits"][1],
        }
        version = conn.execute("SELECT version FROM plans WHERE id = 'pro'").fetchone()[0]
        before = fingerprint(conn, "plans")

        def saved() -> None:
            row = conn.execute(
                "SELECT name, currency, price_monthly_cents, price_annual_cents, "
                "features_json, limits_json, version FROM plans WHERE id = 'pro'"
            ).fetchone()
            want = [expected[f] for f in ("name", "currency", "price_monthly_cents",
                                          "price_annual_cents", "features", "limits")]  # fmt: skip
            assert json.dumps(list(row[:6]), sort_keys=True) == json.dumps(want, sort_keys=True)
            assert row[6] == version + 1

        call = lambda: admin.update_plan(  # noqa: E731
            viewer=adam, plan_id="pro", expected_version=version, changes=form,
            price_policy="grandfather",
        )  # fmt: skip
        if drive(call, expected, saved):
            saves.append(form)
        else:
            assert fingerprint(conn, "plans") == before

    one_form()
    assert len(tried) >= 1000
    assert fingerprint(conn, *(t for t in OTHER_TABLES if t != "plans")) == (
        untouched[0] + len(saves),
        untouched[1] + len(saves),
        *untouched[2:],
    )
    assert 100 <= len(saves) <= 900  # both paths ran often


# ------------------------------------------------------------------ tenant name & settings

ZONES = ("Europe/Berlin", "UTC", "America/New_York", "Asia/Tokyo")
SETTING_VALUES = hs.one_of(hs.booleans(), hs.integers(), hs.none(),
                           hs.text(max_size=12).filter(lambda t: "\x00" not in t),
                           hs.lists(hs.integers(), max_size=3))  # fmt: skip
SETTINGS_FORMS = hs.one_of(
    _pair(hs.fixed_dictionaries({}, optional={
        "timezone": hs.sampled_from(ZONES), "report_currency": hs.sampled_from(CURRENCIES),
        "region": hs.sampled_from(["eu", "us", "apac"]), "note": SETTING_VALUES,
        "flags": hs.dictionaries(KEYS, SETTING_VALUES, max_size=2)}), True),
    _pair(hs.fixed_dictionaries({"timezone": hs.text(max_size=12).filter(lambda z: z not in ZONES
                                                                          and "/" not in z)}), False),
    _pair(hs.fixed_dictionaries({"report_currency": hs.text(max_size=4)
                                 .filter(lambda c: c not in CURRENCIES) | hs.integers()}), False),
    _pair(hs.fixed_dictionaries({"region": hs.sampled_from(["", "  ", 5, None])}), False),
    _pair(hs.dictionaries(BAD_KEYS, hs.integers(), min_size=1, max_size=2), False),
    _pair(hs.fixed_dictionaries({"note": hs.just("nul \x00 inside")}), False),
    hs.sampled_from(["", "[]", "{", '{"a": 1e999}', '{"a": NaN}', '{"a": "\\ud800"}',
                     '{"a": 1, "a": 1}', "[" * 3000 + "]" * 3000, '"x"'])
    .map(lambda t: (t, BAD)),
)  # fmt: skip


def test_the_tenant_name_and_settings_forms_write_exactly_what_is_typed_or_nothing(
    db: str, conn: psycopg.Connection, adam: Viewer
) -> None:
    tid = conn.execute("SELECT id::text FROM tenants WHERE name = 'Cobalt Quant'").fetchone()[0]
    names = [r[0] for r in conn.execute("SELECT name FROM tenants WHERE id <> %s", (tid,))]
    untouched = fingerprint(conn, *(t for t in OTHER_TABLES if t != "tenants"))
    others = "SELECT id, name, settings_json, version FROM tenants WHERE id <> %s ORDER BY id"
    other_rows = conn.execute(others, (tid,)).fetchall()
    saves: list[Any] = []
    tried: list[Any] = []

    taken_names = hs.sampled_from(names) | hs.sampled_from(names).map(str.upper)

    @EXAMPLES
    @given(
        which=hs.sampled_from(["name", "settings"]),
        drawn=forms({
            "name": (GOOD_TEXT, hs.one_of(TEXTS, taken_names)),
            "settings": (SETTINGS_FORMS.filter(lambda p: p[1] is not BAD), SETTINGS_FORMS),
        }),
    )  # fmt: skip
    def one_form(which: str, drawn: dict[str, Any]) -> None:
        tried.append(1)
        version, *current = conn.execute(
            "SELECT version, name, settings_json FROM tenants WHERE id = %s", (tid,)
        ).fetchone()
        before = fingerprint(conn, "tenants")
        common = {"viewer": adam, "tenant_id": tid, "expected_version": version}
        if which == "name":
            value = plain_text(drawn["name"], 120)
            taken = value is not BAD and value.lower() in {n.lower() for n in names}
            expected, column, was = {"name": value}, "name", current[0]
            call = lambda: admin.rename_tenant(**common, name=drawn["name"])  # noqa: E731
        else:
            value, taken, was = drawn["settings"][1], False, current[1]
            expected, column = {"settings": value}, "settings_json"
            call = lambda: admin.update_tenant_settings(**common, settings=drawn["settings"][0])  # noqa: E731

        def saved() -> None:
            assert not taken and value != was
            row = conn.execute(f"SELECT {column}, version FROM tenants WHERE id = %s", (tid,))
            assert row.fetchone() == (value, version + 1)

        if drive(call, expected, saved):
            saves.append(which)
        else:
            assert fingerprint(conn, "tenants") == before

    one_form()
    assert len(tried) >= 1000
    assert conn.execute(others, (tid,)).fetchall() == other_rows  # no other tenant written
    assert fingerprint(conn, *(t for t in OTHER_TABLES if t != "tenants")) == (
        untouched[0] + len(saves),
        untouched[1] + len(saves),
        *untouched[2:],
    )
    assert 100 <= len(saves) <= 900  # both paths ran often
