"""What decides when the cached query layer sees new rows: `CACHE_TTL_SECONDS` for rows
written by other services (no data-version bump), the data version pinned for a script run
(`cache.pinned_data_version`) and the run's own edits."""

from __future__ import annotations

from collections.abc import Iterator

import pandas as pd
import pytest
from sqlalchemy import Connection, create_engine, text

from regime_dashboard import cache, shared_cache
from regime_dashboard.config import get_settings
from regime_dashboard.scope import TenantScope
from regime_dashboard.viewer import Viewer
from tests.helpers import sql

pytestmark = pytest.mark.db
ADMIN = Viewer(None, "admin@x.test", "Admin", frozenset({"admin"}))


class Clock:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def tenant_names(conn: Connection, *, scope: TenantScope) -> pd.DataFrame:
    """Columns: name (str), every tenant's name in name order."""
    return pd.DataFrame(conn.execute(text("SELECT name FROM tenants ORDER BY name")).all())


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    fake = Clock()
    monkeypatch.setattr(shared_cache.time, "monotonic", fake)
    return fake


@pytest.fixture
def database(seeded_copy: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.setenv("DATABASE_URL", seeded_copy)
    monkeypatch.setenv("ROW_LEVEL_SECURITY", "false")
    cache.dispose()
    cache.clear()
    get_settings.cache_clear()
    yield seeded_copy
    cache.dispose()
    cache.clear()
    get_settings.cache_clear()


def _rename_all_outside_the_dashboard(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE tenants SET name = 'ext ' || name"))
    engine.dispose()


def _first_name() -> str:
    frame = cache.run_query(tenant_names, scope=TenantScope.everything())
    return str(frame["name"].iloc[0])


@pytest.mark.parametrize(
    ("ttl", "still_stale_at", "fresh_at"), [(5, 4.0, 6.0), (120, 100.0, 121.0)]
)
def test_an_external_write_shows_once_the_configured_ttl_has_passed(
    database: str,
    clock: Clock,
    monkeypatch: pytest.MonkeyPatch,
    ttl: int,
    still_stale_at: float,
    fresh_at: float,
) -> None:
    monkeypatch.setenv("CACHE_TTL_SECONDS", str(ttl))
    get_settings.cache_clear()
    before = _first_name()
    _rename_all_outside_the_dashboard(database)

    clock.now += still_stale_at
    assert _first_name() == before  # no data-version bump: the cached rows are still served
    clock.now += fresh_at - still_stale_at
    assert _first_name() == f"ext {before}"


def test_a_run_is_pinned_to_one_version_until_it_writes(database: str) -> None:
    before = cache.data_version()
    with cache.pinned_data_version() as pinned:
        assert pinned == before
        sql(
            database, "UPDATE data_versions SET version = version + 1 WHERE scope = 'dashboard'"
        )  # another process
        assert cache.data_version() == pinned  # the run keeps drawing from its version
        with cache.write_transaction(ADMIN) as conn:
            conn.execute(text("UPDATE plans SET name = 'Pro (edited)' WHERE id = 'pro'"))
        assert cache.data_version() == before + 2  # after its own write: what was written
    assert cache.data_version() == before + 2  # outside a run: always the current one
