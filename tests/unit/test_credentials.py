"""Connection strings in logs, messages and on Home: every credential hidden, and the
database's source named truthfully."""

from __future__ import annotations

from pathlib import Path

import pytest

from regime_dashboard.config import Settings
from regime_dashboard.db.engine import mask_credentials, safe_url
from regime_dashboard.db.resolve import ResolvedDatabase, database_source

SECRET = "Hunter2secret"


@pytest.mark.parametrize(
    ("given", "shown"),
    [
        (f"postgresql://bob:{SECRET}@db.example:5432/x",
         "postgresql+psycopg://bob:***@db.example:5432/x"),
        (f"postgres://bob@db/x?sslmode=require&password={SECRET}",
         "postgresql+psycopg://bob@db/x?sslmode=require&password=***"),
        (f"postgresql://db/x?sslpassword={SECRET}&passfile=/home/b/.pgpass&user=bob",
         "postgresql+psycopg://db/x?sslpassword=***&passfile=***&user=bob"),
        (f"postgresql://u:p@ss{SECRET}@h/d", "postgresql+psycopg://u:***@h/d"),
        (f"host=db user=bob password={SECRET} dbname=x", "host=db user=bob password=*** dbname=x"),
        (f"host=db password = '{SECRET} \\' x' sslpassword={SECRET} passfile=/p port=5",
         "host=db password = *** sslpassword=*** passfile=*** port=5"),
        ("postgresql+psycopg://postgres@/regime_dashboard?host=/run/pg&port=5432",
         "postgresql+psycopg://postgres@/regime_dashboard?host=/run/pg&port=5432"),
    ],
    ids=["userinfo", "query_password", "sslpassword_passfile", "at_in_password", "libpq",
         "libpq_quoted", "nothing_to_hide"],
)  # fmt: skip
def test_safe_url_hides_every_credential(given: str, shown: str) -> None:
    assert safe_url(given) == shown


def test_an_error_message_quoting_a_connection_string_is_masked() -> None:
    message = f"Could not parse SQLAlchemy URL from string 'host=x password={SECRET}'"
    assert (
        mask_credentials(message)
        == "Could not parse SQLAlchemy URL from string 'host=x password=***'"
    )


@pytest.fixture
def no_database_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)  # no .streamlit/secrets.toml here
    for name in ("DATABASE_URL", "database_url", "REGIME_DASHBOARD_EMBEDDED_SOURCE"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path


def test_the_source_is_the_environment(
    no_database_url: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABASE_URL", f"postgresql://u:{SECRET}@h/d")
    settings = Settings()
    resolved = ResolvedDatabase(url=settings.database_url or "", embedded=None,
                                source=database_source(settings))  # fmt: skip
    assert resolved.describe() == (
        "Database: postgresql+psycopg://u:***@h/d (from the DATABASE_URL environment variable)"
    )


def test_the_source_is_the_secrets_file(no_database_url: Path) -> None:
    (no_database_url / ".streamlit").mkdir()
    (no_database_url / ".streamlit" / "secrets.toml").write_text(
        'DATABASE_URL = "postgresql://h/d"\n'
    )
    assert database_source(Settings()) == "DATABASE_URL in .streamlit/secrets.toml"


def test_the_source_is_the_embedded_default(no_database_url: Path) -> None:
    settings = Settings(data_dir=no_database_url / "data")
    assert database_source(settings) == (
        f"the embedded Postgres in {no_database_url / 'data' / 'pgdata-18'}, "
        "since no DATABASE_URL is set"
    )
    assert database_source(settings, paths=False) == (
        "the embedded Postgres, since no DATABASE_URL is set"
    )


def test_a_url_handed_down_by_the_demo_is_the_embedded_one(
    no_database_url: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`regime-dashboard demo` gives its app the embedded server's URL as DATABASE_URL: the
    app once said "(from DATABASE_URL)" although nobody had set one."""
    from regime_dashboard.db import resolve

    url = "postgresql+psycopg://postgres@/regime_dashboard?host=/run/x&port=5"
    monkeypatch.setenv(resolve.SOURCE_ENV, f"{resolve._digest(url)} /data/pgdata-18")
    monkeypatch.setenv("DATABASE_URL", url)
    assert database_source(Settings()) == "the embedded Postgres in /data/pgdata-18"
    monkeypatch.setenv("DATABASE_URL", "postgresql://elsewhere/d")  # set by hand: not embedded
    assert database_source(Settings()) == "the DATABASE_URL environment variable"


def test_a_command_error_quoting_a_connection_string_is_masked() -> None:
    from regime_dashboard.cli import _one_line

    error = ValueError(f"cannot use postgresql://bob:{SECRET}@h/d?sslpassword={SECRET}")
    assert _one_line(error) == "ValueError: cannot use postgresql://bob:***@h/d?sslpassword=***"
