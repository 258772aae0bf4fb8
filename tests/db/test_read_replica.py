"""DATABASE_READ_URL: dashboard reads go to the replica, edits to the primary."""

from __future__ import annotations

from collections.abc import Iterator

import psycopg
import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from regime_dashboard import cache
from regime_dashboard.config import get_settings
from regime_dashboard.db.engine import libpq_dsn
from regime_dashboard.queries import regimes
from regime_dashboard.scope import TenantScope
from regime_dashboard.viewer import Viewer

pytestmark = pytest.mark.db
ADMIN = Viewer(None, "admin@demo.local", "Adam Admin", frozenset({"admin"}))


def _sql(url: str, query: str) -> list[tuple]:
    with psycopg.connect(libpq_dsn(make_url(url))) as conn:
        rows = conn.execute(query)
        return rows.fetchall() if rows.description else []


@pytest.fixture
def primary_and_replica(
    pg_server, seeded_url: str, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[str, str]]:  # type: ignore[no-untyped-def]
    template = make_url(seeded_url).database
    primary, replica = (
        pg_server.create("primary", template=template),
        pg_server.create("replica", template=template),
    )
    _sql(replica, "UPDATE tenants SET name = name || ' (replica)'")
    monkeypatch.setenv("DATABASE_URL", primary)
    monkeypatch.setenv("DATABASE_READ_URL", replica)
    get_settings.cache_clear()
    cache.dispose()
    cache.clear()
    yield primary, replica
    cache.dispose()
    cache.clear()
    get_settings.cache_clear()
    pg_server.drop(primary)
    pg_server.drop(replica)


def test_reads_use_the_replica_and_edits_the_primary(primary_and_replica: tuple[str, str]) -> None:
    primary, replica = primary_and_replica
    names = set(
        cache.run_query(regimes.list_releases, scope=TenantScope.everything())["tenant_name"]
    )
    assert names and all(n.endswith(" (replica)") for n in names)
    with cache.write_transaction(ADMIN) as conn:
        conn.execute(text("UPDATE plans SET name = 'Pro (edited)' WHERE id = 'pro'"))
    assert _sql(primary, "SELECT name FROM plans WHERE id = 'pro'") == [("Pro (edited)",)]
    assert _sql(replica, "SELECT name FROM plans WHERE id = 'pro'") == [("Pro",)]
