"""Row-level security for dashboard reads.

Dashboard read transactions run `SET LOCAL ROLE regime_viewer` and set
`app.tenant_ids` / `app.all_tenants`; a policy on every tenant-owned table then lets the
role see only the viewer's tenants, whatever the query says. Other roles (the platform's
services, the table owner) are unaffected. `regime_viewer` cannot read password hashes or
broker credentials at all (column grants). Where the migrating user may not create roles
(some managed servers), this revision does nothing and the dashboard relies on its own
WHERE clauses; `db/engine.py` detects which case it is in.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

from alembic import op
from sqlalchemy import text

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

ROLE = "regime_viewer"
SECRET_COLUMNS = {
    "users": ("password_hash",),
    "broker_accounts": ("api_key", "access_token", "refresh_token"),
}
VISIBLE = (
    "current_setting('app.all_tenants', true) = 'on' OR {column} = ANY "
    "(string_to_array(coalesce(current_setting('app.tenant_ids', true), ''), ',')::uuid[])"
)


def _schema() -> str:
    return str(op.get_bind().execute(text("SELECT current_schema()")).scalar())


def _tenant_tables() -> list[str]:
    rows = op.get_bind().execute(
        text(
            "SELECT c.table_name FROM information_schema.columns c "
            "JOIN information_schema.tables t USING (table_schema, table_name) "
            "WHERE c.table_schema = current_schema() AND c.column_name = 'tenant_id' "
            "AND t.table_type = 'BASE TABLE' AND c.table_name <> 'audit_log' ORDER BY 1"
        )
    )
    return [r[0] for r in rows]


def _can_create_role() -> bool:
    row = op.get_bind().execute(
        text("SELECT rolsuper OR rolcreaterole FROM pg_roles WHERE rolname = current_user")
    )
    return bool(row.scalar())


def _grant_reads() -> None:
    bind = op.get_bind()
    all_tables = [
        r[0]
        for r in bind.execute(
            text(
                "SELECT table_name FROM information_schema.tables "
                "WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'"
            )
        )
    ]
    for table in all_tables:
        if table in SECRET_COLUMNS:
            columns = [
                r[0]
                for r in bind.execute(
                    text(
                        "SELECT column_name FROM information_schema.columns "
                        "WHERE table_schema = current_schema() AND table_name = :t"
                    ),
                    {"t": table},
                )
                if r[0] not in SECRET_COLUMNS[table]
            ]
            op.execute(f"GRANT SELECT ({', '.join(columns)}) ON {table} TO {ROLE}")
        else:
            op.execute(f"GRANT SELECT ON {table} TO {ROLE}")


def upgrade() -> None:
    if not _can_create_role():
        return
    op.execute(
        f"DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{ROLE}') "
        f"THEN CREATE ROLE {ROLE} NOLOGIN; END IF; END $$"
    )
    op.execute(f'GRANT USAGE ON SCHEMA "{_schema()}" TO {ROLE}')
    op.execute(f"GRANT {ROLE} TO current_user")
    tables = _tenant_tables()
    _grant_reads()
    op.execute(f'ALTER DEFAULT PRIVILEGES IN SCHEMA "{_schema()}" GRANT SELECT ON TABLES TO {ROLE}')
    for table in [*tables, "tenants"]:
        visible = VISIBLE.format(column="id" if table == "tenants" else "tenant_id")
        op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        op.execute(
            f"CREATE POLICY dashboard_viewer_scope ON {table} FOR SELECT TO {ROLE} USING ({visible})"
        )
        op.execute(
            f"CREATE POLICY platform_roles ON {table} TO PUBLIC "
            f"USING (current_user <> '{ROLE}') WITH CHECK (current_user <> '{ROLE}')"
        )


def downgrade() -> None:
    exists = op.get_bind().execute(text(f"SELECT 1 FROM pg_roles WHERE rolname = '{ROLE}'")).first()
    if not exists:
        return
    for table in [*_tenant_tables(), "tenants"]:
        op.execute(f"DROP POLICY IF EXISTS dashboard_viewer_scope ON {table}")
        op.execute(f"DROP POLICY IF EXISTS platform_roles ON {table}")
        op.execute(f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY")
    op.execute(f'REVOKE ALL ON ALL TABLES IN SCHEMA "{_schema()}" FROM {ROLE}')
