"""Alerts on engine outputs (docs/user-settings.md): a dedup key and the webhook delivery
record on `notifications`, and `alert_evaluations`, how far each rule has read each release.

- `notifications.dedup_key`: unique per tenant (NULLs allowed, for notifications other
  services write), so a firing (user, asset, rule, release, date) is written once however
  often and from however many hosts `regime-dashboard alerts run` runs.
- `notifications.delivery_status` ('pending', 'delivered', 'failed'; NULL when the user has
  no webhook), `delivery_attempts`, `delivery_error`: the webhook POST of the firing.
- `alert_evaluations (tenant_id, user_id, asset_id, rule_key, release_id, evaluated_until)`:
  the last output date of the release that the rule has evaluated. A tenant table: row-level
  security as every tenant table (migration 0007's NEW_SCOPE), where the viewer role exists.

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy import text
from sqlalchemy.dialects import postgresql

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

ROLE = "regime_viewer"
NEW_SCOPE = (
    "(SELECT dashboard_scope_is_all()) OR "
    "{column} = ANY ((SELECT dashboard_scope_tenant_ids())::uuid[])"
)
PLATFORM = f"(SELECT current_user) <> '{ROLE}'"
STATUSES = "delivery_status IS NULL OR delivery_status IN ('pending','delivered','failed')"


def _scope_signed() -> bool:
    """Whether 0003 created the viewer role and 0007 the signed scope."""
    found = op.get_bind().execute(
        text(
            "SELECT 1 FROM pg_roles WHERE rolname = :r AND "
            "to_regprocedure('dashboard_scope_is_all()') IS NOT NULL"
        ),
        {"r": ROLE},
    )
    return found.first() is not None


def _notification_columns() -> None:
    op.add_column("notifications", sa.Column("dedup_key", sa.Text(), nullable=True))
    op.add_column("notifications", sa.Column("delivery_status", sa.Text(), nullable=True))
    op.add_column(
        "notifications",
        sa.Column("delivery_attempts", sa.Integer(), server_default="0", nullable=False),
    )
    op.add_column("notifications", sa.Column("delivery_error", sa.Text(), nullable=True))
    op.create_unique_constraint(
        op.f("uq_notifications_tenant_id_dedup_key"), "notifications", ["tenant_id", "dedup_key"]
    )
    op.create_check_constraint(op.f("ck_notifications_delivery_known"), "notifications", STATUSES)
    op.create_check_constraint(
        op.f("ck_notifications_attempts_nonneg"), "notifications", "delivery_attempts >= 0"
    )
    op.create_index(
        "ix_notifications_user_unread", "notifications", ["user_id", "read_at", "created_at"]
    )


def _evaluations_table() -> None:
    op.create_table(
        "alert_evaluations",
        sa.Column("tenant_id", postgresql.UUID(), nullable=False),
        sa.Column("user_id", postgresql.UUID(), nullable=False),
        sa.Column("asset_id", sa.Text(), nullable=False),
        sa.Column("rule_key", sa.Text(), nullable=False),
        sa.Column("release_id", postgresql.UUID(), nullable=False),
        sa.Column("evaluated_until", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_alert_evaluations_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_alert_evaluations_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "release_id"],
            ["engine_releases.tenant_id", "engine_releases.id"],
            name=op.f("fk_alert_evaluations_tenant_id_engine_releases"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "tenant_id",
            "user_id",
            "asset_id",
            "rule_key",
            "release_id",
            name=op.f("pk_alert_evaluations"),
        ),
    )


def upgrade() -> None:
    _notification_columns()
    _evaluations_table()
    if not _scope_signed():
        return  # no viewer role: the WHERE clauses remain the enforcement (0003)
    scope = NEW_SCOPE.format(column="tenant_id")
    op.execute(f"GRANT SELECT ON alert_evaluations TO {ROLE}")
    op.execute("ALTER TABLE alert_evaluations ENABLE ROW LEVEL SECURITY")
    op.execute(
        f"CREATE POLICY dashboard_viewer_scope ON alert_evaluations FOR SELECT TO {ROLE} "
        f"USING ({scope})"
    )
    op.execute(
        f"CREATE POLICY platform_roles ON alert_evaluations TO PUBLIC USING ({PLATFORM}) "
        f"WITH CHECK ({PLATFORM})"
    )


def downgrade() -> None:
    op.drop_table("alert_evaluations")
    op.drop_index("ix_notifications_user_unread", table_name="notifications")
    op.drop_constraint(op.f("ck_notifications_attempts_nonneg"), "notifications", type_="check")
    op.drop_constraint(op.f("ck_notifications_delivery_known"), "notifications", type_="check")
    op.drop_constraint(
        op.f("uq_notifications_tenant_id_dedup_key"), "notifications", type_="unique"
    )
    for column in ("delivery_error", "delivery_attempts", "delivery_status", "dedup_key"):
        op.drop_column("notifications", column)
