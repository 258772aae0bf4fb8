"""The unified schema of docs/architecture.md: five seeds, seed 000 names.

Revision ID: 0001
Revises: (none)
Create Date: 2026-11-22 03:36:15.216312
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "assets",
        sa.Column("id", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("asset_class", sa.Text(), nullable=False),
        sa.Column("calendar", sa.Text(), nullable=False),
        sa.Column("is_active", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.CheckConstraint(
            "asset_class IN ('equity','crypto','fx','commodity')",
            name=op.f("ck_assets_class_known"),
        ),
        sa.CheckConstraint(
            "calendar IN ('trading_252','calendar_365')", name=op.f("ck_assets_calendar_known")
        ),
        sa.CheckConstraint(
            "id ~ '^[A-Z0-9][A-Z0-9._^=-]{0,31}$'", name=op.f("ck_assets_symbol_form")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assets")),
    )
    op.create_table(
        "audit_log",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column(
            "occurred_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("actor_user_id", sa.UUID(), nullable=True),
        sa.Column("actor_email", sa.Text(), nullable=False),
        sa.Column("table_name", sa.Text(), nullable=False),
        sa.Column("row_key", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("tenant_id", sa.UUID(), nullable=True),
        sa.Column("action", sa.Text(), nullable=False),
        sa.Column("before", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("after", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("reverts_audit_id", sa.BigInteger(), nullable=True),
        sa.CheckConstraint(
            "action IN ('insert','update','delete','revert')",
            name=op.f("ck_audit_log_action_known"),
        ),
        sa.ForeignKeyConstraint(
            ["reverts_audit_id"],
            ["audit_log.id"],
            name=op.f("fk_audit_log_reverts_audit_id_audit_log"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    op.create_index(
        "ix_audit_log_table_time", "audit_log", ["table_name", "occurred_at"], unique=False
    )
    op.create_index(
        "ix_audit_log_tenant_time", "audit_log", ["tenant_id", "occurred_at"], unique=False
    )
    op.create_table(
        "data_versions",
        sa.Column("scope", sa.Text(), nullable=False),
        sa.Column("version", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("scope", name=op.f("pk_data_versions")),
    )
    op.create_table(
        "plans",
        sa.Column("id", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("price_monthly_cents", sa.Integer(), nullable=False),
        sa.Column("price_annual_cents", sa.Integer(), nullable=True),
        sa.Column("currency", sa.Text(), server_default="USD", nullable=False),
        sa.Column(
            "features_json",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'{}'"),
            nullable=False,
        ),
        sa.Column(
            "limits_json",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'{}'"),
            nullable=False,
        ),
        sa.Column("is_active", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint("currency ~ '^[A-Z]{3}$'", name=op.f("ck_plans_currency_iso")),
        sa.CheckConstraint("id ~ '^[a-z][a-z0-9_-]{0,31}$'", name=op.f("ck_plans_id_form")),
        sa.CheckConstraint(
            "jsonb_typeof(features_json) = 'object'", name=op.f("ck_plans_features_object")
        ),
        sa.CheckConstraint(
            "jsonb_typeof(limits_json) = 'object'", name=op.f("ck_plans_limits_object")
        ),
        sa.CheckConstraint(
            "price_annual_cents IS NULL OR price_annual_cents >= 0",
            name=op.f("ck_plans_annual_nonneg"),
        ),
        sa.CheckConstraint("price_monthly_cents >= 0", name=op.f("ck_plans_monthly_nonneg")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plans")),
    )
    op.create_table(
        "tenants",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column(
            "settings_json",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'{}'"),
            nullable=False,
        ),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint("length(btrim(name)) > 0", name=op.f("ck_tenants_name_not_blank")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tenants")),
        sa.UniqueConstraint("name", name=op.f("uq_tenants_name")),
    )
    op.create_table(
        "users",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("email", sa.Text(), nullable=False),
        sa.Column("display_name", sa.Text(), nullable=True),
        sa.Column("password_hash", sa.Text(), nullable=True),
        sa.Column(
            "dashboard_roles",
            postgresql.ARRAY(sa.Text()),
            server_default=sa.text("'{}'::text[]"),
            nullable=False,
        ),
        sa.Column("is_active", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column("last_login_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("failed_logins", sa.Integer(), server_default="0", nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "dashboard_roles <@ ARRAY['analyst','admin','leadership']::text[]",
            name=op.f("ck_users_roles_known"),
        ),
        sa.CheckConstraint(
            "email = lower(email) AND position('@' in email) > 1", name=op.f("ck_users_email_form")
        ),
        sa.CheckConstraint("failed_logins >= 0", name=op.f("ck_users_failed_logins_nonneg")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("email", name=op.f("uq_users_email")),
    )
    op.create_table(
        "broker_accounts",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("user_id", sa.UUID(), nullable=False),
        sa.Column("broker", sa.Text(), nullable=False),
        sa.Column("broker_user_id", sa.Text(), nullable=True),
        sa.Column("api_key", sa.Text(), nullable=True),
        sa.Column("access_token", sa.Text(), nullable=True),
        sa.Column("refresh_token", sa.Text(), nullable=True),
        sa.Column("is_active", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_broker_accounts_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_broker_accounts_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", "tenant_id", name=op.f("pk_broker_accounts")),
    )
    op.create_table(
        "compliance_events",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("entity_type", sa.Text(), nullable=False),
        sa.Column("entity_id", sa.UUID(), nullable=False),
        sa.Column("event_type", sa.Text(), nullable=False),
        sa.Column("payload", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("created_by", sa.UUID(), nullable=True),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "status IN ('open','resolved','dismissed')",
            name=op.f("ck_compliance_events_status_known"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by"], ["users.id"], name=op.f("fk_compliance_events_created_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_compliance_events_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", "tenant_id", name=op.f("pk_compliance_events")),
    )
    op.create_index(
        "ix_compliance_events_entity",
        "compliance_events",
        ["tenant_id", "entity_type", "entity_id"],
        unique=False,
    )
    op.create_table(
        "engine_releases",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("asset_id", sa.Text(), nullable=False),
        sa.Column("release_date", sa.Date(), nullable=False),
        sa.Column("version", sa.Text(), nullable=False),
        sa.Column("git_commit", sa.Text(), nullable=True),
        sa.Column("data_sha256", sa.Text(), nullable=True),
        sa.Column(
            "env_json",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'{}'"),
            nullable=False,
        ),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "data_sha256 IS NULL OR data_sha256 ~ '^[0-9a-f]{64}$'",
            name=op.f("ck_engine_releases_sha_form"),
        ),
        sa.CheckConstraint(
            "length(btrim(version)) > 0", name=op.f("ck_engine_releases_version_not_blank")
        ),
        sa.ForeignKeyConstraint(
            ["asset_id"],
            ["assets.id"],
            name=op.f("fk_engine_releases_asset_id_assets"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_engine_releases_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", "tenant_id", name=op.f("pk_engine_releases")),
        sa.UniqueConstraint(
            "tenant_id",
            "asset_id",
            "version",
            name=op.f("uq_engine_releases_tenant_id_asset_id_version"),
        ),
    )
    op.create_index(
        "ix_engine_releases_asset", "engine_releases", ["asset_id", "tenant_id"], unique=False
    )
    op.create_table(
        "notifications",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("user_id", sa.UUID(), nullable=False),
        sa.Column("type", sa.Text(), nullable=False),
        sa.Column("payload", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("channel", sa.Text(), nullable=False),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_notifications_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_notifications_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", "tenant_id", name=op.f("pk_notifications")),
    )
    op.create_table(
        "price_bars",
        sa.Column("asset_id", sa.Text(), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("open", sa.Double(), nullable=False),
        sa.Column("high", sa.Double(), nullable=False),
        sa.Column("low", sa.Double(), nullable=False),
        sa.Column("close", sa.Double(), nullable=False),
        sa.Column("adj_close", sa.Double(), nullable=True),
        sa.Column("volume", sa.Double(), nullable=True),
        sa.Column("source", sa.Text(), server_default="manual", nullable=False),
        sa.Column(
            "ingested_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "adj_close IS NULL OR adj_close > 0", name=op.f("ck_price_bars_adj_close_positive")
        ),
        sa.CheckConstraint("high >= low", name=op.f("ck_price_bars_high_ge_low")),
        sa.CheckConstraint(
            "open > 0 AND high > 0 AND low > 0 AND close > 0",
            name=op.f("ck_price_bars_prices_positive"),
        ),
        sa.CheckConstraint(
            "volume IS NULL OR volume >= 0", name=op.f("ck_price_bars_volume_nonneg")
        ),
        sa.ForeignKeyConstraint(
            ["asset_id"],
            ["assets.id"],
            name=op.f("fk_price_bars_asset_id_assets"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("asset_id", "date", name=op.f("pk_price_bars")),
    )
    op.create_table(
        "runs",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("user_id", sa.UUID(), nullable=True),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("queued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("tokens_input", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("tokens_output", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column(
            "compute_seconds", sa.Numeric(precision=14, scale=3), server_default="0", nullable=False
        ),
        sa.Column(
            "cost_usd", sa.Numeric(precision=14, scale=6), server_default="0", nullable=False
        ),
        sa.Column("request_id", sa.Text(), nullable=True),
        sa.Column("idempotency_key", sa.Text(), nullable=True),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.CheckConstraint(
            "kind IN ('backtest','paper_trade','engine_release','agent','training','import')",
            name=op.f("ck_runs_kind_known"),
        ),
        sa.CheckConstraint(
            "status IN ('queued','processing','succeeded','failed','canceled')",
            name=op.f("ck_runs_status_known"),
        ),
        sa.CheckConstraint(
            "finished_at IS NULL OR started_at IS NULL OR finished_at >= started_at",
            name=op.f("ck_runs_finishes_after_start"),
        ),
        sa.CheckConstraint(
            "started_at IS NULL OR started_at >= queued_at", name=op.f("ck_runs_starts_after_queue")
        ),
        sa.CheckConstraint(
            "tokens_input >= 0 AND tokens_output >= 0 AND compute_seconds >= 0 AND cost_usd >= 0",
            name=op.f("ck_runs_costs_nonneg"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_runs_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_runs_user_id_users")),
        sa.PrimaryKeyConstraint("id", "tenant_id", name=op.f("pk_runs")),
        sa.UniqueConstraint(
            "tenant_id", "idempotency_key", name=op.f("uq_runs_tenant_id_idempotency_key")
        ),
    )
    op.create_index("ix_runs_queued", "runs", ["queued_at", "kind", "status"], unique=False)
    op.create_index(
        "ix_runs_tenant_status", "runs", ["tenant_id", "status", "queued_at"], unique=False
    )
    op.create_table(
        "strategies",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("owner_id", sa.UUID(), nullable=True),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("slug", sa.Text(), nullable=False),
        sa.Column("status", sa.Text(), server_default="draft", nullable=False),
        sa.Column("visibility", sa.Text(), server_default="private", nullable=False),
        sa.Column(
            "tags",
            postgresql.ARRAY(sa.Text()),
            server_default=sa.text("'{}'::text[]"),
            nullable=False,
        ),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "status IN ('draft','active','archived')", name=op.f("ck_strategies_status_known")
        ),
        sa.CheckConstraint(
            "visibility IN ('private','tenant','public')",
            name=op.f("ck_strategies_visibility_known"),
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["users.id"], name=op.f("fk_strategies_owner_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_strategies_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", "tenant_id", name=op.f("pk_strategies")),
        sa.UniqueConstraint("tenant_id", "slug", name=op.f("uq_strategies_tenant_id_slug")),
    )
    op.create_table(
        "subscriptions",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("plan_id", sa.Text(), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("billing_cycle", sa.Text(), server_default="monthly", nullable=False),
        sa.Column("price_cents", sa.Integer(), nullable=False),
        sa.Column("currency", sa.Text(), server_default="USD", nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("trial_ends_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("current_period_start", sa.DateTime(timezone=True), nullable=True),
        sa.Column("current_period_end", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "cancel_at_period_end", sa.Boolean(), server_default=sa.text("false"), nullable=False
        ),
        sa.Column("stripe_customer_id", sa.Text(), nullable=True),
        sa.Column("stripe_subscription_id", sa.Text(), nullable=True),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "billing_cycle IN ('monthly','annual')", name=op.f("ck_subscriptions_cycle_known")
        ),
        sa.CheckConstraint("currency ~ '^[A-Z]{3}$'", name=op.f("ck_subscriptions_currency_iso")),
        sa.CheckConstraint(
            "status IN ('trialing','active','past_due','canceled')",
            name=op.f("ck_subscriptions_status_known"),
        ),
        sa.CheckConstraint(
            "ends_at IS NULL OR ends_at >= started_at",
            name=op.f("ck_subscriptions_ends_after_start"),
        ),
        sa.CheckConstraint("price_cents >= 0", name=op.f("ck_subscriptions_price_nonneg")),
        sa.ForeignKeyConstraint(
            ["plan_id"], ["plans.id"], name=op.f("fk_subscriptions_plan_id_plans")
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_subscriptions_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", "tenant_id", name=op.f("pk_subscriptions")),
    )
    op.create_index(
        "ix_subscriptions_period_end", "subscriptions", ["current_period_end"], unique=False
    )
    op.create_index(
        "ix_subscriptions_status_plan", "subscriptions", ["status", "plan_id"], unique=False
    )
    op.create_table(
        "tenant_quota_overrides",
        sa.Column("metric", sa.Text(), nullable=False),
        sa.Column("limit_value", sa.BigInteger(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_by", sa.UUID(), nullable=True),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "length(btrim(reason)) > 0", name=op.f("ck_tenant_quota_overrides_reason_given")
        ),
        sa.CheckConstraint(
            "limit_value IS NULL OR limit_value >= 0",
            name=op.f("ck_tenant_quota_overrides_limit_nonneg"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by"], ["users.id"], name=op.f("fk_tenant_quota_overrides_created_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_tenant_quota_overrides_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("metric", "tenant_id", name=op.f("pk_tenant_quota_overrides")),
    )
    op.create_table(
        "tenant_users",
        sa.Column("user_id", sa.UUID(), nullable=False),
        sa.Column("role", sa.Text(), server_default="member", nullable=False),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "role IN ('owner','admin','member')", name=op.f("ck_tenant_users_role_known")
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_tenant_users_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_tenant_users_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", "tenant_id", name=op.f("pk_tenant_users")),
    )
    op.create_index(op.f("ix_tenant_users_user_id"), "tenant_users", ["user_id"], unique=False)
    op.create_table(
        "usage_daily",
        sa.Column("metric", sa.Text(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("quantity", sa.Numeric(precision=20, scale=4), nullable=False),
        sa.Column("events", sa.BigInteger(), nullable=False),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_usage_daily_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("metric", "day", "tenant_id", name=op.f("pk_usage_daily")),
    )
    op.create_index("ix_usage_daily_day", "usage_daily", ["day", "metric"], unique=False)
    op.create_table(
        "usage_events",
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("user_id", sa.UUID(), nullable=True),
        sa.Column("run_id", sa.UUID(), nullable=True),
        sa.Column("metric", sa.Text(), nullable=False),
        sa.Column("quantity", sa.Numeric(precision=18, scale=4), nullable=False),
        sa.CheckConstraint("quantity >= 0", name=op.f("ck_usage_events_quantity_nonneg")),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_usage_events_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "occurred_at", "id", name=op.f("pk_usage_events")),
    )
    op.create_table(
        "user_asset_settings",
        sa.Column("user_id", sa.UUID(), nullable=False),
        sa.Column("asset_id", sa.Text(), nullable=False),
        sa.Column(
            "settings_json",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'{}'"),
            nullable=False,
        ),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["asset_id"],
            ["assets.id"],
            name=op.f("fk_user_asset_settings_asset_id_assets"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_user_asset_settings_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_user_asset_settings_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "user_id", "asset_id", "tenant_id", name=op.f("pk_user_asset_settings")
        ),
    )
    op.create_table(
        "engine_outputs_daily",
        sa.Column("release_id", sa.UUID(), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("regime", sa.Text(), nullable=False),
        sa.Column("confidence", sa.Double(), nullable=False),
        sa.Column("conviction", sa.Text(), nullable=True),
        sa.Column("escalation_v2", sa.Double(), nullable=True),
        sa.Column("risk_level", sa.Double(), nullable=True),
        sa.Column("realized_vol", sa.Double(), nullable=True),
        sa.Column("vrs", sa.Double(), nullable=True),
        sa.Column("iix", sa.Double(), nullable=True),
        sa.Column("dsr", sa.Double(), nullable=True),
        sa.Column("ss", sa.Double(), nullable=True),
        sa.Column("mb", sa.Double(), nullable=True),
        sa.Column("lq", sa.Double(), nullable=True),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.CheckConstraint(
            "confidence >= 0 AND confidence <= 1",
            name=op.f("ck_engine_outputs_daily_confidence_unit"),
        ),
        sa.CheckConstraint(
            "length(btrim(regime)) > 0", name=op.f("ck_engine_outputs_daily_regime_not_blank")
        ),
        sa.CheckConstraint(
            "realized_vol IS NULL OR realized_vol >= 0",
            name=op.f("ck_engine_outputs_daily_vol_nonneg"),
        ),
        sa.CheckConstraint(
            "risk_level IS NULL OR risk_level BETWEEN 0 AND 1",
            name=op.f("ck_engine_outputs_daily_risk_unit"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "release_id"],
            ["engine_releases.tenant_id", "engine_releases.id"],
            name=op.f("fk_engine_outputs_daily_tenant_id_release_id_engine_releases"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_engine_outputs_daily_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "release_id", "date", "tenant_id", name=op.f("pk_engine_outputs_daily")
        ),
    )
    op.create_table(
        "payments",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("subscription_id", sa.UUID(), nullable=True),
        sa.Column("amount_cents", sa.Integer(), nullable=False),
        sa.Column("tax_cents", sa.Integer(), server_default="0", nullable=False),
        sa.Column("total_cents", sa.Integer(), nullable=False),
        sa.Column("currency", sa.Text(), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("billed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("paid_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("provider", sa.Text(), server_default="stripe", nullable=False),
        sa.Column("provider_payment_id", sa.Text(), nullable=False),
        sa.Column("payment_method", sa.Text(), nullable=True),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint("currency ~ '^[A-Z]{3}$'", name=op.f("ck_payments_currency_iso")),
        sa.CheckConstraint(
            "status <> 'succeeded' OR paid_at IS NOT NULL", name=op.f("ck_payments_paid_has_time")
        ),
        sa.CheckConstraint(
            "status IN ('pending','succeeded','failed','refunded')",
            name=op.f("ck_payments_status_known"),
        ),
        sa.CheckConstraint(
            "amount_cents >= 0 AND tax_cents >= 0", name=op.f("ck_payments_amounts_nonneg")
        ),
        sa.CheckConstraint(
            "total_cents = amount_cents + tax_cents", name=op.f("ck_payments_total_sums")
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "subscription_id"],
            ["subscriptions.tenant_id", "subscriptions.id"],
            name=op.f("fk_payments_tenant_id_subscription_id_subscriptions"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_payments_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", "tenant_id", name=op.f("pk_payments")),
        sa.UniqueConstraint(
            "tenant_id",
            "provider",
            "provider_payment_id",
            name=op.f("uq_payments_tenant_id_provider_provider_payment_id"),
        ),
    )
    op.create_index("ix_payments_billed", "payments", ["billed_at"], unique=False)
    op.create_table(
        "portfolios",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("user_id", sa.UUID(), nullable=True),
        sa.Column("broker_account_id", sa.UUID(), nullable=True),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("currency", sa.Text(), server_default="USD", nullable=False),
        sa.Column("starting_cash", sa.Double(), nullable=False),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint("starting_cash >= 0", name=op.f("ck_portfolios_cash_nonneg")),
        sa.ForeignKeyConstraint(
            ["tenant_id", "broker_account_id"],
            ["broker_accounts.tenant_id", "broker_accounts.id"],
            name=op.f("fk_portfolios_tenant_id_broker_account_id_broker_accounts"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_portfolios_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_portfolios_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", "tenant_id", name=op.f("pk_portfolios")),
    )
    op.create_table(
        "strategy_versions",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("strategy_id", sa.UUID(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("graph_json", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("created_by", sa.UUID(), nullable=True),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint("version >= 1", name=op.f("ck_strategy_versions_version_positive")),
        sa.ForeignKeyConstraint(
            ["created_by"], ["users.id"], name=op.f("fk_strategy_versions_created_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "strategy_id"],
            ["strategies.tenant_id", "strategies.id"],
            name=op.f("fk_strategy_versions_tenant_id_strategy_id_strategies"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_strategy_versions_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", "tenant_id", name=op.f("pk_strategy_versions")),
        sa.UniqueConstraint(
            "tenant_id",
            "strategy_id",
            "version",
            name=op.f("uq_strategy_versions_tenant_id_strategy_id_version"),
        ),
    )
    op.create_table(
        "subscription_events",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("subscription_id", sa.UUID(), nullable=False),
        sa.Column("event_type", sa.Text(), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("plan_id", sa.Text(), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("billing_cycle", sa.Text(), nullable=False),
        sa.Column("price_cents", sa.Integer(), nullable=False),
        sa.Column("currency", sa.Text(), nullable=False),
        sa.Column("actor", sa.Text(), nullable=True),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.CheckConstraint(
            "billing_cycle IN ('monthly','annual')", name=op.f("ck_subscription_events_cycle_known")
        ),
        sa.CheckConstraint(
            "event_type IN ('trial_started','activated','upgraded','downgraded','price_changed','past_due','recovered','canceled','reactivated')",
            name=op.f("ck_subscription_events_type_known"),
        ),
        sa.CheckConstraint(
            "status IN ('trialing','active','past_due','canceled')",
            name=op.f("ck_subscription_events_status_known"),
        ),
        sa.CheckConstraint("price_cents >= 0", name=op.f("ck_subscription_events_price_nonneg")),
        sa.ForeignKeyConstraint(
            ["plan_id"], ["plans.id"], name=op.f("fk_subscription_events_plan_id_plans")
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "subscription_id"],
            ["subscriptions.tenant_id", "subscriptions.id"],
            name=op.f("fk_subscription_events_tenant_id_subscription_id_subscriptions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_subscription_events_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", "tenant_id", name=op.f("pk_subscription_events")),
    )
    op.create_index(
        "ix_subscription_events_occurred", "subscription_events", ["occurred_at"], unique=False
    )
    op.create_index(
        "ix_subscription_events_sub",
        "subscription_events",
        ["tenant_id", "subscription_id", "occurred_at"],
        unique=False,
    )
    op.create_table(
        "backtest_runs",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("strategy_version_id", sa.UUID(), nullable=False),
        sa.Column("requested_by", sa.UUID(), nullable=True),
        sa.Column(
            "parameters",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'{}'"),
            nullable=False,
        ),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("metrics", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "status IN ('queued','running','succeeded','failed','canceled')",
            name=op.f("ck_backtest_runs_status_known"),
        ),
        sa.CheckConstraint(
            "completed_at IS NULL OR started_at IS NULL OR completed_at >= started_at",
            name=op.f("ck_backtest_runs_completes_after_start"),
        ),
        sa.ForeignKeyConstraint(
            ["requested_by"], ["users.id"], name=op.f("fk_backtest_runs_requested_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "strategy_version_id"],
            ["strategy_versions.tenant_id", "strategy_versions.id"],
            name=op.f("fk_backtest_runs_tenant_id_strategy_version_id_strategy_versions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_backtest_runs_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", "tenant_id", name=op.f("pk_backtest_runs")),
    )
    op.create_index(
        "ix_backtest_runs_version",
        "backtest_runs",
        ["tenant_id", "strategy_version_id", "created_at"],
        unique=False,
    )
    op.create_table(
        "holdings",
        sa.Column("portfolio_id", sa.UUID(), nullable=False),
        sa.Column("asset_id", sa.Text(), nullable=False),
        sa.Column("quantity", sa.Double(), nullable=False),
        sa.Column("average_price", sa.Double(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.CheckConstraint(
            "quantity >= 0 AND average_price >= 0", name=op.f("ck_holdings_amounts_nonneg")
        ),
        sa.ForeignKeyConstraint(
            ["asset_id"], ["assets.id"], name=op.f("fk_holdings_asset_id_assets")
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "portfolio_id"],
            ["portfolios.tenant_id", "portfolios.id"],
            name=op.f("fk_holdings_tenant_id_portfolio_id_portfolios"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_holdings_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("portfolio_id", "asset_id", "tenant_id", name=op.f("pk_holdings")),
    )
    op.create_table(
        "paper_trade_runs",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("strategy_version_id", sa.UUID(), nullable=False),
        sa.Column("schedule", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("last_execution_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("performance_snapshot", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("alert_config", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "status IN ('active','paused','stopped','failed')",
            name=op.f("ck_paper_trade_runs_status_known"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "strategy_version_id"],
            ["strategy_versions.tenant_id", "strategy_versions.id"],
            name=op.f("fk_paper_trade_runs_tenant_id_strategy_version_id_strategy_versions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_paper_trade_runs_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", "tenant_id", name=op.f("pk_paper_trade_runs")),
    )
    op.create_table(
        "signals",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("portfolio_id", sa.UUID(), nullable=False),
        sa.Column("asset_id", sa.Text(), nullable=False),
        sa.Column("strategy_version_id", sa.UUID(), nullable=True),
        sa.Column("signal_type", sa.Text(), nullable=False),
        sa.Column("confidence_score", sa.Double(), nullable=False),
        sa.Column("entry_price", sa.Double(), nullable=False),
        sa.Column("target_price", sa.Double(), nullable=True),
        sa.Column("stop_loss", sa.Double(), nullable=True),
        sa.Column("generated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "signal_type IN ('BUY','SELL','SHORT','COVER')", name=op.f("ck_signals_type_known")
        ),
        sa.CheckConstraint(
            "confidence_score BETWEEN 0 AND 1", name=op.f("ck_signals_confidence_unit")
        ),
        sa.CheckConstraint("entry_price > 0", name=op.f("ck_signals_entry_positive")),
        sa.ForeignKeyConstraint(
            ["asset_id"], ["assets.id"], name=op.f("fk_signals_asset_id_assets")
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "portfolio_id"],
            ["portfolios.tenant_id", "portfolios.id"],
            name=op.f("fk_signals_tenant_id_portfolio_id_portfolios"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_signals_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", "tenant_id", name=op.f("pk_signals")),
    )
    op.create_index(
        "ix_signals_portfolio_time",
        "signals",
        ["tenant_id", "portfolio_id", "generated_at"],
        unique=False,
    )
    op.create_table(
        "backtest_equity_daily",
        sa.Column("backtest_run_id", sa.UUID(), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("equity", sa.Double(), nullable=False),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.CheckConstraint("equity > 0", name=op.f("ck_backtest_equity_daily_equity_positive")),
        sa.ForeignKeyConstraint(
            ["tenant_id", "backtest_run_id"],
            ["backtest_runs.tenant_id", "backtest_runs.id"],
            name=op.f("fk_backtest_equity_daily_tenant_id_backtest_run_id_backtest_runs"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_backtest_equity_daily_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "backtest_run_id", "date", "tenant_id", name=op.f("pk_backtest_equity_daily")
        ),
    )
    op.create_table(
        "orders",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("portfolio_id", sa.UUID(), nullable=False),
        sa.Column("signal_id", sa.UUID(), nullable=True),
        sa.Column("asset_id", sa.Text(), nullable=False),
        sa.Column("broker_order_id", sa.Text(), nullable=True),
        sa.Column("order_type", sa.Text(), nullable=False),
        sa.Column("transaction_type", sa.Text(), nullable=False),
        sa.Column("quantity", sa.Double(), nullable=False),
        sa.Column("price", sa.Double(), nullable=True),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("filled_quantity", sa.Double(), server_default="0", nullable=False),
        sa.Column("average_price", sa.Double(), nullable=True),
        sa.Column("fees", sa.Double(), server_default="0", nullable=False),
        sa.Column("taxes", sa.Double(), server_default="0", nullable=False),
        sa.Column("order_timestamp", sa.DateTime(timezone=True), nullable=False),
        sa.Column("rejection_reason", sa.Text(), nullable=True),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "order_type IN ('MARKET','LIMIT','SL','SL-M')", name=op.f("ck_orders_type_known")
        ),
        sa.CheckConstraint(
            "status IN ('PENDING','OPEN','COMPLETE','CANCELLED','REJECTED')",
            name=op.f("ck_orders_status_known"),
        ),
        sa.CheckConstraint("transaction_type IN ('BUY','SELL')", name=op.f("ck_orders_side_known")),
        sa.CheckConstraint("fees >= 0 AND taxes >= 0", name=op.f("ck_orders_costs_nonneg")),
        sa.CheckConstraint(
            "filled_quantity >= 0 AND filled_quantity <= quantity",
            name=op.f("ck_orders_fill_range"),
        ),
        sa.CheckConstraint("quantity > 0", name=op.f("ck_orders_quantity_positive")),
        sa.ForeignKeyConstraint(
            ["asset_id"], ["assets.id"], name=op.f("fk_orders_asset_id_assets")
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "portfolio_id"],
            ["portfolios.tenant_id", "portfolios.id"],
            name=op.f("fk_orders_tenant_id_portfolio_id_portfolios"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "signal_id"],
            ["signals.tenant_id", "signals.id"],
            name=op.f("fk_orders_tenant_id_signal_id_signals"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_orders_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", "tenant_id", name=op.f("pk_orders")),
    )
    op.create_index(
        "ix_orders_portfolio_time",
        "orders",
        ["tenant_id", "portfolio_id", "order_timestamp"],
        unique=False,
    )
    op.create_table(
        "fills",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("order_id", sa.UUID(), nullable=False),
        sa.Column("portfolio_id", sa.UUID(), nullable=False),
        sa.Column("asset_id", sa.Text(), nullable=False),
        sa.Column("side", sa.Text(), nullable=False),
        sa.Column("quantity", sa.Double(), nullable=False),
        sa.Column("price", sa.Double(), nullable=False),
        sa.Column("fees", sa.Double(), server_default="0", nullable=False),
        sa.Column("filled_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.CheckConstraint("side IN ('BUY','SELL')", name=op.f("ck_fills_side_known")),
        sa.CheckConstraint(
            "quantity > 0 AND price > 0 AND fees >= 0", name=op.f("ck_fills_amounts_valid")
        ),
        sa.ForeignKeyConstraint(["asset_id"], ["assets.id"], name=op.f("fk_fills_asset_id_assets")),
        sa.ForeignKeyConstraint(
            ["tenant_id", "order_id"],
            ["orders.tenant_id", "orders.id"],
            name=op.f("fk_fills_tenant_id_order_id_orders"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "portfolio_id"],
            ["portfolios.tenant_id", "portfolios.id"],
            name=op.f("fk_fills_tenant_id_portfolio_id_portfolios"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_fills_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", "tenant_id", name=op.f("pk_fills")),
    )
    op.create_index(
        "ix_fills_portfolio_time", "fills", ["tenant_id", "portfolio_id", "filled_at"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_fills_portfolio_time", table_name="fills")
    op.drop_table("fills")
    op.drop_index("ix_orders_portfolio_time", table_name="orders")
    op.drop_table("orders")
    op.drop_table("backtest_equity_daily")
    op.drop_index("ix_signals_portfolio_time", table_name="signals")
    op.drop_table("signals")
    op.drop_table("paper_trade_runs")
    op.drop_table("holdings")
    op.drop_index("ix_backtest_runs_version", table_name="backtest_runs")
    op.drop_table("backtest_runs")
    op.drop_index("ix_subscription_events_sub", table_name="subscription_events")
    op.drop_index("ix_subscription_events_occurred", table_name="subscription_events")
    op.drop_table("subscription_events")
    op.drop_table("strategy_versions")
    op.drop_table("portfolios")
    op.drop_index("ix_payments_billed", table_name="payments")
    op.drop_table("payments")
    op.drop_table("engine_outputs_daily")
    op.drop_table("user_asset_settings")
    op.drop_table("usage_events")
    op.drop_index("ix_usage_daily_day", table_name="usage_daily")
    op.drop_table("usage_daily")
    op.drop_index(op.f("ix_tenant_users_user_id"), table_name="tenant_users")
    op.drop_table("tenant_users")
    op.drop_table("tenant_quota_overrides")
    op.drop_index("ix_subscriptions_status_plan", table_name="subscriptions")
    op.drop_index("ix_subscriptions_period_end", table_name="subscriptions")
    op.drop_table("subscriptions")
    op.drop_table("strategies")
    op.drop_index("ix_runs_tenant_status", table_name="runs")
    op.drop_index("ix_runs_queued", table_name="runs")
    op.drop_table("runs")
    op.drop_table("price_bars")
    op.drop_table("notifications")
    op.drop_index("ix_engine_releases_asset", table_name="engine_releases")
    op.drop_table("engine_releases")
    op.drop_index("ix_compliance_events_entity", table_name="compliance_events")
    op.drop_table("compliance_events")
    op.drop_table("broker_accounts")
    op.drop_table("users")
    op.drop_table("tenants")
    op.drop_table("plans")
    op.drop_table("data_versions")
    op.drop_index("ix_audit_log_tenant_time", table_name="audit_log")
    op.drop_index("ix_audit_log_table_time", table_name="audit_log")
    op.drop_table("audit_log")
    op.drop_table("assets")
