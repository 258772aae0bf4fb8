"""Migration 0008: asset calendars move to the exchange-calendars names and back."""

from __future__ import annotations

from collections.abc import Iterator

import psycopg
import pytest

from tests.helpers import sql as _sql

pytestmark = pytest.mark.db


@pytest.fixture
def at_0007(pg_server) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """A fresh database migrated to 0007 with three assets on the earlier names."""
    from alembic import command

    from regime_dashboard.db.migrate import alembic_config

    url = pg_server.create("calendars")
    command.upgrade(alembic_config(url), "0007")
    _sql(
        url,
        "INSERT INTO assets (id, name, asset_class, calendar) VALUES "
        "('SPY', 'SPY', 'equity', 'trading_252'), ('BTC', 'BTC', 'crypto', 'calendar_365'), "
        "('EUR', 'EUR', 'fx', 'trading_252')",
    )
    yield url
    pg_server.drop(url)


def _calendars(url: str) -> dict[str, str]:
    return dict(_sql(url, "SELECT id, calendar FROM assets"))


def test_upgrade_renames_existing_rows_and_accepts_the_new_names(at_0007: str) -> None:
    from alembic import command

    from regime_dashboard.db.migrate import alembic_config

    command.upgrade(alembic_config(at_0007), "0008")
    assert _calendars(at_0007) == {"SPY": "XNYS", "BTC": "24/7", "EUR": "24/5"}
    _sql(
        at_0007,
        "INSERT INTO assets (id, name, asset_class, calendar) VALUES ('GBP', 'GBP', 'fx', '24/5'), "
        "('OLD', 'OLD', 'equity', 'trading_252')",  # still written by older services
    )
    with pytest.raises(psycopg.errors.CheckViolation):
        _sql(
            at_0007,
            "INSERT INTO assets (id, name, asset_class, calendar) VALUES ('X', 'X', 'fx', 'weekly')",
        )
    command.downgrade(alembic_config(at_0007), "0007")
    assert _calendars(at_0007) == {
        "SPY": "trading_252",
        "BTC": "calendar_365",
        "EUR": "trading_252",
        "GBP": "trading_252",
        "OLD": "trading_252",
    }
