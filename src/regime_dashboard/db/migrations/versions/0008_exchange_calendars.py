"""Asset calendars named after exchange-calendars: `XNYS` (New York Stock Exchange
sessions, unscheduled closures included), `24/7` (every day) and `24/5` (every weekday).

Existing rows move to the new names (`trading_252` -> `XNYS`, `calendar_365` -> `24/7`);
the earlier names stay accepted, and are read as those calendars, so that services still
writing them keep working.

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

CONSTRAINT = "ck_assets_calendar_known"
NEW = "calendar IN ('XNYS','24/7','24/5','trading_252','calendar_365')"
OLD = "calendar IN ('trading_252','calendar_365')"


def upgrade() -> None:
    op.drop_constraint(op.f(CONSTRAINT), "assets", type_="check")
    # FX trades around the clock on weekdays: such assets move to 24/5 (before 0008 they
    # had only the weekdays-less-US-holidays calendar), as a fresh seed or import puts them
    op.execute(
        "UPDATE assets SET calendar = CASE WHEN calendar = 'calendar_365' THEN '24/7' "
        "WHEN asset_class = 'fx' THEN '24/5' ELSE 'XNYS' END "
        "WHERE calendar IN ('trading_252', 'calendar_365')"
    )
    op.create_check_constraint(op.f(CONSTRAINT), "assets", NEW)


def downgrade() -> None:
    op.drop_constraint(op.f(CONSTRAINT), "assets", type_="check")
    # 24/5 had no earlier name: weekdays less US holidays was the closest
    op.execute(
        "UPDATE assets SET calendar = CASE calendar WHEN '24/7' THEN 'calendar_365' "
        "ELSE 'trading_252' END WHERE calendar IN ('XNYS', '24/7', '24/5')"
    )
    op.create_check_constraint(op.f(CONSTRAINT), "assets", OLD)
