"""Usage rollup trigger, data-version row, and the optional extensions.

- `usage_daily` is kept in step with `usage_events` by an AFTER INSERT trigger: a statement
  trigger with a transition table (one upsert per statement, so COPY of millions of rows
  costs one aggregate), or a row trigger where TimescaleDB makes `usage_events` a hypertable
  (hypertables do not support transition tables).
- TimescaleDB, when the server offers it: `price_bars` and `usage_events` become hypertables.
- pgvector, when offered: seed 004's `summary_embedding vector(384)` on `tenant_summaries`.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

from alembic import op
from sqlalchemy import text

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

ROLLUP_UPSERT = """
INSERT INTO usage_daily (tenant_id, metric, day, quantity, events, updated_at)
SELECT tenant_id, metric, (occurred_at AT TIME ZONE 'UTC')::date, sum(quantity), count(*), now()
FROM {source}
GROUP BY 1, 2, 3
ON CONFLICT (tenant_id, metric, day) DO UPDATE
SET quantity = usage_daily.quantity + EXCLUDED.quantity,
    events = usage_daily.events + EXCLUDED.events,
    updated_at = now();
"""

STATEMENT_TRIGGER = f"""
CREATE FUNCTION usage_daily_rollup_statement() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
{ROLLUP_UPSERT.format(source="new_usage")}
RETURN NULL;
END $$;
CREATE TRIGGER usage_events_rollup AFTER INSERT ON usage_events
REFERENCING NEW TABLE AS new_usage FOR EACH STATEMENT
EXECUTE FUNCTION usage_daily_rollup_statement();
"""

ROW_TRIGGER = f"""
CREATE FUNCTION usage_daily_rollup_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
{ROLLUP_UPSERT.format(source="(SELECT NEW.*) AS new_usage")}
RETURN NULL;
END $$;
CREATE TRIGGER usage_events_rollup AFTER INSERT ON usage_events
FOR EACH ROW EXECUTE FUNCTION usage_daily_rollup_row();
"""

TENANT_SUMMARIES = """
CREATE TABLE tenant_summaries (
    tenant_id uuid PRIMARY KEY REFERENCES tenants(id) ON DELETE CASCADE,
    summary text,
    summary_embedding vector(384),
    updated_at timestamptz NOT NULL DEFAULT now()
)
"""


def _available(extension: str) -> bool:
    row = op.get_bind().execute(
        text("SELECT 1 FROM pg_available_extensions WHERE name = :name"), {"name": extension}
    )
    return row.first() is not None


def _try_extension(extension: str) -> bool:
    """CREATE EXTENSION inside a savepoint: a server that lists it but cannot load it
    (timescaledb without shared_preload_libraries) just goes without."""
    if not _available(extension):
        return False
    bind = op.get_bind()
    savepoint = bind.begin_nested()
    try:
        bind.execute(text(f"CREATE EXTENSION IF NOT EXISTS {extension}"))
    except Exception:
        savepoint.rollback()
        return False
    savepoint.commit()
    return True


def upgrade() -> None:
    timescale = _try_extension("timescaledb")
    if timescale:
        for table, column in (("price_bars", "date"), ("usage_events", "occurred_at")):
            op.execute(f"SELECT create_hypertable('{table}', '{column}', migrate_data => true)")
    op.execute(ROW_TRIGGER if timescale else STATEMENT_TRIGGER)
    if _try_extension("vector"):
        op.execute(TENANT_SUMMARIES)
    op.execute("INSERT INTO data_versions (scope, version) VALUES ('dashboard', 0)")


def downgrade() -> None:
    op.execute("DROP TABLE IF EXISTS tenant_summaries")
    op.execute("DROP TRIGGER IF EXISTS usage_events_rollup ON usage_events")
    op.execute("DROP FUNCTION IF EXISTS usage_daily_rollup_statement()")
    op.execute("DROP FUNCTION IF EXISTS usage_daily_rollup_row()")
    op.execute("DELETE FROM data_versions WHERE scope = 'dashboard'")
