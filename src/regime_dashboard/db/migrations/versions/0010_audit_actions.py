"""Audit actions: `audit_log.action_id` groups the rows one admin action wrote.

Every audited edit runs in one transaction (`cache.write_transaction`), so the rows of one
action are the rows of one transaction: `action_id` is that transaction's 64-bit id
(`pg_current_xact_id()`, never reused in a cluster), written by `queries/audited_writes.py`
and, for any other writer, by the column default. Rows written before this migration get
the negated id of the first row written by the same actor at the same `occurred_at` (the
transaction's start time), so they group as they were written and never collide with a
transaction id. Row-level security on audit_log stays as migration 0007 set it.

Revision ID: 0010
Revises: 0009
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy import text

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

TRANSACTION_ID = "(pg_current_xact_id())::text::bigint"
BACKFILL = """
UPDATE audit_log AS a SET action_id = -first.id
FROM (
    SELECT id, min(id) OVER (PARTITION BY actor_email, occurred_at) AS first_id
    FROM audit_log
) AS grouped
JOIN audit_log AS first ON first.id = grouped.first_id
WHERE a.id = grouped.id
"""


def upgrade() -> None:
    op.add_column("audit_log", sa.Column("action_id", sa.BigInteger(), nullable=True))
    op.get_bind().execute(text(BACKFILL))
    op.alter_column(
        "audit_log", "action_id", nullable=False, server_default=sa.text(TRANSACTION_ID)
    )
    op.create_index("ix_audit_log_action", "audit_log", ["action_id"])


def downgrade() -> None:
    op.drop_index("ix_audit_log_action", table_name="audit_log")
    op.drop_column("audit_log", "action_id")
