"""The sign-in gate and role-based navigation in AppTest, on the seeded database."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from regime_dashboard.config import get_settings
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
    assert not at.get("plotly_chart") and not at.metric and not at.dataframe


def test_signing_in_with_the_form_opens_the_analyst_pages(fresh: AppTest) -> None:
    at = _sign_in(fresh.run(), "analyst@demo.local", "analyst-demo-pass")
    assert not at.exception
    assert at.title[0].value == "Welcome, Ana Analyst"
    at.switch_page("views/regimes.py").run()
    assert at.title[0].value == "Regimes"
    assert "Ana Analyst" in at.sidebar.caption[0].value


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
    assert at.selectbox[0].value in mine


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
