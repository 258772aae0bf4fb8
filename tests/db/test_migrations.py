"""`regime-dashboard migrate` on an empty database, again at head, and models == migrations."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect, pool, text

from regime_dashboard.cli import main
from regime_dashboard.db.migrate import current_revision, head_revision, upgrade_to_head
from regime_dashboard.db.models import Base

pytestmark = pytest.mark.db


@pytest.fixture
def blank_db(pg_server) -> Iterator[str]:  # type: ignore[no-untyped-def]
    url = pg_server.create("blank")
    yield url
    pg_server.drop(url)


def _tables(url: str) -> set[str]:
    engine = create_engine(url, poolclass=pool.NullPool)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_migrate_brings_an_empty_database_to_head_and_then_does_nothing(
    blank_db: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", blank_db)
    from regime_dashboard.config import get_settings

    get_settings.cache_clear()
    assert current_revision(blank_db) is None
    assert main(["migrate"]) == 0
    assert f"migrated empty -> {head_revision()}" in capsys.readouterr().out
    tables = _tables(blank_db)
    assert set(Base.metadata.tables) <= tables
    assert main(["migrate"]) == 0
    assert f"already at head {head_revision()}" in capsys.readouterr().out
    assert _tables(blank_db) == tables
    get_settings.cache_clear()


def _not_optional(name: str | None, type_: str, parent: object) -> bool:
    """`tenant_summaries` exists only where pgvector does; it has no ORM model."""
    return not (type_ == "table" and name == "tenant_summaries")


def test_models_and_migrations_describe_the_same_schema(migrated_template: str) -> None:
    engine = create_engine(migrated_template, poolclass=pool.NullPool)
    with engine.connect() as conn:
        opts = {"compare_type": True, "include_name": _not_optional}
        diffs = compare_metadata(MigrationContext.configure(conn, opts=opts), Base.metadata)
    engine.dispose()
    assert diffs == []


def test_downgrade_to_base_and_up_again(blank_db: str) -> None:
    from alembic import command

    from regime_dashboard.db.migrate import alembic_config

    upgrade_to_head(blank_db)
    command.downgrade(alembic_config(blank_db), "base")
    assert _tables(blank_db) == {"alembic_version"}
    assert upgrade_to_head(blank_db) == (None, head_revision())


def test_usage_rollup_trigger_keeps_daily_totals(empty_db: str) -> None:
    engine = create_engine(empty_db, poolclass=pool.NullPool)
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO tenants (id, name) VALUES ('00000000-0000-4000-8000-000000000001', 'T')"
            )
        )
        for quantity, at in (
            (3, "2026-01-01 10:00+00"),
            (4, "2026-01-01 23:00+00"),
            (5, "2026-01-02 01:00+00"),
        ):
            conn.execute(
                text(
                    "INSERT INTO usage_events (tenant_id, occurred_at, metric, quantity) VALUES "
                    "('00000000-0000-4000-8000-000000000001', :at, 'api_calls', :q)"
                ),
                {"at": at, "q": quantity},
            )
        rows = conn.execute(
            text("SELECT day::text, quantity, events FROM usage_daily ORDER BY day")
        ).all()
    engine.dispose()
    assert [(d, float(q), e) for d, q, e in rows] == [
        ("2026-01-01", 7.0, 2),
        ("2026-01-02", 5.0, 1),
    ]


@pytest.mark.parametrize(
    "statement",
    [
        "INSERT INTO assets VALUES ('X', 'x', 'equity', 'trading_252', true); "
        "INSERT INTO price_bars (asset_id, date, open, high, low, close) VALUES ('X', '2026-01-02', 10, 9, 11, 10)",
        "INSERT INTO assets VALUES ('X', 'x', 'equity', 'trading_252', true); "
        "INSERT INTO price_bars (asset_id, date, open, high, low, close) VALUES ('X', '2026-01-02', 10, 11, 9, 0)",
        "INSERT INTO plans (id, name, price_monthly_cents) VALUES ('p', 'P', -1)",
        "INSERT INTO assets VALUES ('X', 'x', 'equity', 'weekly', true)",
        "INSERT INTO tenants (id, name) VALUES ('00000000-0000-4000-8000-000000000001', 'T'); "
        "INSERT INTO tenant_quota_overrides (tenant_id, metric, limit_value, reason) "
        "VALUES ('00000000-0000-4000-8000-000000000001', 'api_calls', -5, 'why')",
    ],
    ids=["high_below_low", "zero_close", "negative_price", "unknown_calendar", "negative_limit"],
)
def test_check_constraints_refuse_bad_rows(empty_db: str, statement: str) -> None:
    import sqlalchemy.exc

    engine = create_engine(empty_db, poolclass=pool.NullPool)
    with pytest.raises(sqlalchemy.exc.IntegrityError), engine.begin() as conn:
        for part in statement.split("; "):
            conn.execute(text(part))
    engine.dispose()


def test_confidence_outside_unit_interval_is_refused(empty_db: str) -> None:
    import sqlalchemy.exc

    engine = create_engine(empty_db, poolclass=pool.NullPool)
    tenant = "00000000-0000-4000-8000-000000000001"
    release = "00000000-0000-4000-8000-000000000002"
    with pytest.raises(sqlalchemy.exc.IntegrityError), engine.begin() as conn:
        conn.execute(text(f"INSERT INTO tenants (id, name) VALUES ('{tenant}', 'T')"))
        conn.execute(text("INSERT INTO assets VALUES ('X', 'x', 'equity', 'trading_252', true)"))
        conn.execute(
            text(
                f"INSERT INTO engine_releases (tenant_id, id, asset_id, release_date, version) "
                f"VALUES ('{tenant}', '{release}', 'X', '2026-01-02', 'v1')"
            )
        )
        conn.execute(
            text(
                f"INSERT INTO engine_outputs_daily (tenant_id, release_id, date, regime, confidence) "
                f"VALUES ('{tenant}', '{release}', '2026-01-02', 'bull', 1.2)"
            )
        )
    engine.dispose()
