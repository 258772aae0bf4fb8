"""Indexes for the Audit page's actor filter and its "reverted by" lookup.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_audit_log_actor_time", "audit_log", ["actor_email", "occurred_at"])
    op.create_index("ix_audit_log_reverts", "audit_log", ["reverts_audit_id"])


def downgrade() -> None:
    op.drop_index("ix_audit_log_reverts", table_name="audit_log")
    op.drop_index("ix_audit_log_actor_time", table_name="audit_log")
