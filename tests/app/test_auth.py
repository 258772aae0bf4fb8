"""The sign-in gate and role-based navigation in AppTest, on the seeded database."""

from __future__ import annotations

import json
import time

import jwt
import psycopg
import pytest
from sqlalchemy.engine import make_url
from streamlit.testing.v1 import AppTest

from regime_dashboard.auth import gate
from regime_dashboard.auth.tokens import issue_token
from regime_dashboard.config import DEMO_COOKIE_KEY, get_settings
from regime_dashboard.db.engine import libpq_dsn
from regime_dashboard.ui.preload import PRELOAD_KEY
from tests.app.conftest import APP, signed_in

pytestmark = [pytest.mark.app, pytest.mark.db]


@pytest.fixture
def fresh(app_env_copy: str, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    """A signed-out session on a writable copy (sign-ins record their time and failures)."""
    monkeypatch.setenv("DEMO_MODE", "true")
    get_settings.cache_clear()
    return AppTest.from_file(APP, default_timeout=30)


def _sign_in(at: AppTest, email: str, password: str) -> AppTest:
    at.text_input(key="signin_email").input(email)
    at.text_input(key="signin_password").input(password)
    return at.button[0].click().run()


def test_nobody_signed_in_sees_only_the_form(fresh: AppTest) -> None:
    at = fresh.run()
    assert not at.exception
    assert [t.label for t in at.text_input] == ["Email", "Password"]
    assert not at.metric and not at.dataframe
    # the one chart is app.py's hidden Plotly preload (ui/preload.py): no data in it
    (chart,) = at.get("plotly_chart")
    assert PRELOAD_KEY in chart.proto.id and json.loads(chart.proto.spec)["data"] == []


def test_signing_in_with_the_form_opens_the_analyst_pages(fresh: AppTest) -> None:
    at = _sign_in(fresh.run(), "analyst@demo.local", "analyst-demo-pass")
    assert not at.exception
    assert at.title[0].value == "Welcome, Ana Analyst"
    assert not at.get("plotly_chart")  # Home draws no chart, and the preload is gone
    at.switch_page("views/regimes.py").run()
    assert at.title[0].value == "Regimes"
    assert "Ana Analyst" in at.sidebar.caption[0].value
    assert not [c for c in at.get("plotly_chart") if PRELOAD_KEY in c.proto.id]


def test_a_wrong_password_is_refused_with_a_message(fresh: AppTest) -> None:
    at = _sign_in(fresh.run(), "analyst@demo.local", "not-the-password")
    assert at.error[0].value == "Email or password is incorrect."
    assert not at.title


@pytest.mark.parametrize(
    "attack", ["' OR 1=1 --", "admin@demo.local'; DROP TABLE users; --", "%' OR email LIKE '%"]
)
def test_injection_strings_in_the_form_are_harmless(fresh: AppTest, attack: str) -> None:
    at = _sign_in(fresh.run(), attack, attack)
    assert not at.exception
    assert at.error[0].value == "Email or password is incorrect."
    at2 = _sign_in(at, "analyst@demo.local", "analyst-demo-pass")
    assert at2.title[0].value == "Welcome, Ana Analyst"


def test_leadership_cannot_open_an_analyst_page(fresh: AppTest) -> None:
    at = signed_in(fresh, "leadership").run()
    assert not at.exception
    with pytest.raises(ValueError):  # the page file is not even registered for the role
        at.switch_page("views/regimes.py")
    links = [link.proto.label for link in at.sidebar.get("page_link")]
    assert "Revenue" in links and "Regimes" not in links


def test_the_analyst_sees_only_their_tenants(fresh: AppTest, app_env_copy: str) -> None:
    import psycopg
    from sqlalchemy.engine import make_url

    from regime_dashboard.db.engine import libpq_dsn

    at = signed_in(fresh, "analyst").run()
    at.switch_page("views/regimes.py").run()
    with psycopg.connect(libpq_dsn(make_url(app_env_copy))) as conn:
        mine = {n for (n,) in conn.execute(
            "SELECT t.name FROM tenants t JOIN tenant_users m ON m.tenant_id = t.id "
            "JOIN users u ON u.id = m.user_id WHERE u.email = 'analyst@demo.local'")}  # fmt: skip
        others = {n for (n,) in conn.execute("SELECT name FROM tenants")} - mine
    assert set(at.selectbox[0].options) <= mine
    at.query_params["tenant"] = sorted(others)[0]
    at = at.switch_page("views/regimes.py").run()
    tenant = at.selectbox[0]
    assert tenant.options[tenant.index] in mine


def test_outside_demo_mode_a_missing_cookie_key_stops_the_app(
    app_env: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DEMO_MODE", "false")
    monkeypatch.delenv("COOKIE_KEY", raising=False)
    get_settings.cache_clear()
    at = AppTest.from_file(APP, default_timeout=30).run()
    assert "COOKIE_KEY is missing" in at.error[0].value
    assert not at.text_input
    get_settings.cache_clear()


# --- sessions: the cookie's token, its epoch, sign-out, malformed cookies -----------------

GOOD_KEY = "Zq4w-kV9_t2LmR8xYpB3nC7hJ1sD6fG0aE5uI-oW2rT9yQ"


def _with_cookie(monkeypatch: pytest.MonkeyPatch, token: str | None) -> AppTest:
    """A new browser session that sends `token` as its session cookie (AppTest cannot set
    cookies: the gate's one reader of the cookie is replaced)."""
    monkeypatch.setattr(gate, "browser_cookie", lambda: token)
    return AppTest.from_file(APP, default_timeout=30)


def _shows_the_form(at: AppTest) -> bool:
    return not at.exception and [t.label for t in at.text_input] == ["Email", "Password"]


def _sql(url: str, statement: str) -> None:
    with psycopg.connect(libpq_dsn(make_url(url))) as conn:
        conn.execute(statement)


def test_a_copied_cookie_signs_in_until_sign_out_and_never_after(
    fresh: AppTest, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = _sign_in(fresh.run(), "analyst@demo.local", "analyst-demo-pass")
    claims = at.session_state[gate.CLAIMS_KEY]
    assert (claims.email, claims.epoch) == ("analyst@demo.local", 0)
    copied = issue_token(claims, DEMO_COOKIE_KEY)
    other = _with_cookie(monkeypatch, copied).run()
    assert other.title[0].value == "Welcome, Ana Analyst"
    at = at.sidebar.button(key="sign_out").click().run()
    assert at.info[0].value == "You are signed out."
    again = _with_cookie(monkeypatch, copied).run()
    assert _shows_the_form(again) and not again.title
    assert _shows_the_form(other.run())  # the other open session ends at its next run


def test_a_session_ends_when_the_password_is_reset_elsewhere(
    fresh: AppTest, app_env_copy: str
) -> None:
    at = _sign_in(fresh.run(), "analyst@demo.local", "analyst-demo-pass")
    assert at.title[0].value == "Welcome, Ana Analyst"
    _sql(
        app_env_copy,
        "UPDATE users SET password_hash = 'replaced' WHERE email = 'analyst@demo.local'",
    )
    assert _shows_the_form(at.run())


FORGED = {
    "alg none": "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0."
    "eyJzdWIiOiJhZG1pbkBkZW1vLmxvY2FsIiwiZXBvY2giOjAsImlhdCI6MSwiZXhwIjo5OTk5OTk5OTk5fQ.",
    "HS512": jwt.encode(
        {
            "sub": "admin@demo.local",
            "epoch": 0,
            "iat": int(time.time()),
            "exp": int(time.time()) + 60,
        },
        DEMO_COOKIE_KEY * 2,
        algorithm="HS512",
    ),
    "missing expiry": jwt.encode(
        {"sub": "admin@demo.local", "epoch": 0, "iat": 1}, DEMO_COOKIE_KEY
    ),
    "non-numeric expiry": jwt.encode(
        {"sub": "admin@demo.local", "epoch": 0, "iat": 1, "exp": "soon"}, DEMO_COOKIE_KEY
    ),
    "the old cookie": jwt.encode(
        {"username": "admin@demo.local", "exp_date": time.time() + 60}, DEMO_COOKIE_KEY
    ),
    "garbage": "not.a.token",
}


@pytest.mark.parametrize("name", sorted(FORGED))
def test_a_malformed_cookie_shows_the_sign_in_form(
    fresh: AppTest, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    assert gate.read_token(FORGED[name], DEMO_COOKIE_KEY) is None
    at = _with_cookie(monkeypatch, FORGED[name]).run()
    assert _shows_the_form(at) and not at.title


def test_an_idle_session_expires_and_an_active_one_slides(fresh: AppTest) -> None:
    now = int(time.time())
    expired = gate.SessionClaims("analyst@demo.local", 0, now - 13 * 3600, now - 3600)
    fresh.session_state[gate.CLAIMS_KEY] = expired
    assert _shows_the_form(fresh.run())
    at = AppTest.from_file(APP, default_timeout=30)
    at.session_state[gate.CLAIMS_KEY] = gate.SessionClaims(
        "analyst@demo.local", 0, now - 2 * 3600, now + 10 * 3600
    )
    at.run()
    assert at.title[0].value == "Welcome, Ana Analyst"
    renewed = at.session_state[gate.CLAIMS_KEY]
    assert renewed.issued_at >= now and renewed.expires_at == renewed.issued_at + 12 * 3600


def test_demo_mode_answers_only_this_computer(
    fresh: AppTest, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(gate, "client_address", lambda: "203.0.113.7")
    at = fresh.run()
    assert "demo mode" in at.error[0].value and not at.text_input


def test_outside_demo_mode_demo_accounts_cannot_sign_in_and_failures_count_per_source(
    app_env_copy: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DEMO_MODE", "false")
    monkeypatch.setenv("COOKIE_KEY", GOOD_KEY)
    monkeypatch.setattr(gate, "client_address", lambda: "203.0.113.9")
    get_settings.cache_clear()
    at = _sign_in(AppTest.from_file(APP, default_timeout=30).run(),
                  "analyst@demo.local", "analyst-demo-pass")  # fmt: skip
    assert at.error[0].value == "Email or password is incorrect." and not at.title
    with psycopg.connect(libpq_dsn(make_url(app_env_copy))) as conn:
        rows = conn.execute("SELECT email, source, failures FROM sign_in_throttle").fetchall()
    assert rows == [("analyst@demo.local", "203.0.113.9", 1)]
    get_settings.cache_clear()


def test_in_demo_mode_the_sign_in_card_names_the_demo_accounts(fresh: AppTest) -> None:
    at = fresh.run()
    hint = " ".join(c.value for c in at.caption)
    for email, password in [
        ("analyst@demo.local", "analyst-demo-pass"),
        ("admin@demo.local", "admin-demo-pass"),
        ("leadership@demo.local", "leadership-demo-pass"),
    ]:
        assert f"`{email}` / `{password}`" in hint


def test_outside_demo_mode_the_sign_in_card_names_no_account(
    app_env: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DEMO_MODE", "false")
    monkeypatch.setenv("COOKIE_KEY", GOOD_KEY)
    get_settings.cache_clear()
    at = AppTest.from_file(APP, default_timeout=30).run()
    assert _shows_the_form(at)
    assert not [c for c in at.caption if "demo" in c.value.lower()]
    get_settings.cache_clear()
