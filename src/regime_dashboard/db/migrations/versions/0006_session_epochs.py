"""Sign-in hardening: session epochs on users, failed sign-ins per email and source.

- `users.session_epoch`: carried in the session cookie and compared on every run. Sign-out
  bumps it in code; the trigger `users_session_epoch` bumps it whenever the password hash,
  the dashboard roles or the email change, the account is deactivated, or a lock is set
  (`locked_until` moved into the future), whoever makes the change.
- `sign_in_throttle`: failures and lock per (email, client address), with the number of
  locks in a row for the backoff. Not tenant data: no tenant_id, no row policy; the
  dashboard's viewer role gets no privilege on it.

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

VIEWER_ROLE = "regime_viewer"

BUMP_FUNCTION = """
CREATE OR REPLACE FUNCTION users_bump_session_epoch() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.session_epoch IS NOT DISTINCT FROM OLD.session_epoch AND (
        NEW.password_hash IS DISTINCT FROM OLD.password_hash
        OR NEW.dashboard_roles IS DISTINCT FROM OLD.dashboard_roles
        OR NEW.email IS DISTINCT FROM OLD.email
        OR (OLD.is_active AND NOT NEW.is_active)
        OR (NEW.locked_until IS NOT NULL AND NEW.locked_until > now()
            AND NEW.locked_until IS DISTINCT FROM OLD.locked_until)
    ) THEN
        NEW.session_epoch := OLD.session_epoch + 1;
    END IF;
    RETURN NEW;
END $$
"""


def upgrade() -> None:
    op.add_column(
        "users", sa.Column("session_epoch", sa.Integer(), server_default="0", nullable=False)
    )
    op.create_check_constraint(op.f("ck_users_session_epoch_nonneg"), "users", "session_epoch >= 0")
    op.execute(BUMP_FUNCTION)
    op.execute(
        "CREATE TRIGGER users_session_epoch BEFORE UPDATE ON users "
        "FOR EACH ROW EXECUTE FUNCTION users_bump_session_epoch()"
    )
    op.create_table(
        "sign_in_throttle",
        sa.Column("email", sa.Text(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("failures", sa.Integer(), server_default="0", nullable=False),
        sa.Column("locks", sa.Integer(), server_default="0", nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "last_failure_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "failures >= 0 AND locks >= 0", name=op.f("ck_sign_in_throttle_counts_nonneg")
        ),
        sa.PrimaryKeyConstraint("email", "source", name=op.f("pk_sign_in_throttle")),
    )
    op.create_index("ix_sign_in_throttle_last_failure_at", "sign_in_throttle", ["last_failure_at"])
    # default privileges (migration 0003) would let the viewer role read it: take that back
    op.execute(
        f"DO $$ BEGIN IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{VIEWER_ROLE}') "
        f"THEN REVOKE ALL ON sign_in_throttle FROM {VIEWER_ROLE}; END IF; END $$"
    )


def downgrade() -> None:
    op.drop_index("ix_sign_in_throttle_last_failure_at", table_name="sign_in_throttle")
    op.drop_table("sign_in_throttle")
    op.execute("DROP TRIGGER IF EXISTS users_session_epoch ON users")
    op.execute("DROP FUNCTION IF EXISTS users_bump_session_epoch()")
    op.drop_constraint(op.f("ck_users_session_epoch_nonneg"), "users", type_="check")
    op.drop_column("users", "session_epoch")
