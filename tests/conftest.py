"""Shared fixtures: a real Postgres for every database test.

The server is the one named by TEST_DATABASE_URL (any Postgres 14+; its database is used
only to create and drop this run's databases), else an embedded Postgres under .data/.
Each test run creates its own databases, prefixed with the run's pid, and drops them.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

os.environ.setdefault(
    "XDG_RUNTIME_DIR", str(Path(tempfile.gettempdir()) / f"runtime-{os.getuid()}")
)
Path(os.environ["XDG_RUNTIME_DIR"]).mkdir(mode=0o700, exist_ok=True)
Path(os.environ["XDG_RUNTIME_DIR"]).chmod(0o700)

import psycopg  # noqa: E402
import pytest  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from regime_dashboard.db.engine import libpq_dsn, normalise_url  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
AS_OF = dt.date(2026, 11, 20)  # the seeded test data's "today"
SEED = 7


class Server:
    """Creates and drops databases on the test server."""

    def __init__(self, admin_url: str) -> None:
        self.admin_url = normalise_url(admin_url)
        self.prefix = f"rdt{os.getpid()}_"
        self.created: list[str] = []

    def _admin(self) -> psycopg.Connection:
        return psycopg.connect(libpq_dsn(make_url(self.admin_url)), autocommit=True)

    def url(self, name: str) -> str:
        return make_url(self.admin_url).set(database=name).render_as_string(hide_password=False)

    def create(self, suffix: str, template: str | None = None) -> str:
        name = self.prefix + suffix
        with self._admin() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(
                f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else "")
            )
        self.created.append(name)
        return self.url(name)

    def drop(self, url: str) -> None:
        name = make_url(url).database
        with self._admin() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def drop_all(self) -> None:
        for name in self.created:
            with self._admin() as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def pg_server() -> Iterator[Server]:
    given = os.environ.get("TEST_DATABASE_URL")
    if given:
        server = Server(given)
        yield server
        server.drop_all()
        return
    from regime_dashboard.db.embedded import start_embedded

    handle = start_embedded(ROOT / ".data" / "test-pg", database="postgres")
    server = Server(handle.url("postgres"))
    yield server
    server.drop_all()
    handle.stop()


@pytest.fixture(scope="session")
def migrated_template(pg_server: Server) -> str:
    """An empty database at head; tests copy it rather than write to it."""
    from regime_dashboard.db.migrate import upgrade_to_head

    url = pg_server.create("migrated")
    upgrade_to_head(url)
    return url


@pytest.fixture(scope="session")
def seeded_url(migrated_template: str, pg_server: Server) -> str:
    """A database seeded at scale small (seed 7, as of AS_OF). Read-only for tests:
    a test that writes takes `seeded_copy` instead."""
    from regime_dashboard.demo.seed import seed_database

    url = pg_server.create("seeded", template=make_url(migrated_template).database)
    seed_database(url, scale="small", seed=SEED, as_of=AS_OF)
    return url


@pytest.fixture
def empty_db(pg_server: Server, migrated_template: str) -> Iterator[str]:
    """A fresh migrated, empty database of this test's own."""
    url = pg_server.create("empty", template=make_url(migrated_template).database)
    yield url
    pg_server.drop(url)


@pytest.fixture
def seeded_copy(pg_server: Server, seeded_url: str) -> Iterator[str]:
    """A private copy of the seeded database, for tests that write."""
    url = pg_server.create("seeded_copy", template=make_url(seeded_url).database)
    yield url
    pg_server.drop(url)
