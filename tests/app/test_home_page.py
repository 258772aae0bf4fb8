"""Home names the database: its address (credentials hidden) to admins only, and where it
was named, truthfully, to everyone."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from tests.app.conftest import APP, signed_in

pytestmark = [pytest.mark.app, pytest.mark.db]
SECRET = "home-page-s3cret"


@pytest.fixture
def url_with_password(app_env: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """The test server trusts local connections: the password is sent and ignored."""
    url = f"{app_env}{'&' if '?' in app_env else '?'}password={SECRET}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("DEMO_MODE", "true")
    return app_env


def _home(role: str) -> AppTest:
    at = signed_in(AppTest.from_file(APP, default_timeout=30), role).run()
    assert not at.exception
    return at


def _shown(at: AppTest) -> str:
    return "\n".join(str(e.value) for kind in ("caption", "markdown", "error", "info")
                     for e in getattr(at, kind))  # fmt: skip


def test_admins_see_the_address_without_its_password(url_with_password: str) -> None:
    at = _home("admin")
    line = next(c.value for c in at.caption if c.value.startswith("Database: "))
    base = url_with_password.replace("postgresql+psycopg://", "")
    assert line.startswith(f"Database: postgresql+psycopg://{base.split('?')[0]}")
    assert "password=***" in line
    assert line.endswith("(from the DATABASE_URL environment variable)")
    assert SECRET not in _shown(at)


@pytest.mark.parametrize("role", ["analyst", "leadership"])
def test_other_roles_see_only_where_the_database_was_named(
    url_with_password: str, role: str
) -> None:
    at = _home(role)
    lines = [c.value for c in at.caption if c.value.startswith("Database")]
    assert lines == ["Database source: the DATABASE_URL environment variable."]
    host = url_with_password.split("@")[-1].split("/")[0]
    assert SECRET not in _shown(at) and (not host or host not in _shown(at))
