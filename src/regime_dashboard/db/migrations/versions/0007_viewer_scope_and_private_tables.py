"""A viewer scope the viewer role cannot change; row security on `users` and `audit_log`.

Until now the policies read `app.tenant_ids` / `app.all_tenants`, settings that any role may
change: a statement running as `regime_viewer` could call
`set_config('app.all_tenants', 'on', true)` and read every tenant. Now:

- The scope is a token in the setting `app.scope`:
  `<backend pid>:<transaction start, microseconds>:<all 0/1>:<tenant ids>:<HMAC-SHA256>`.
  Only `dashboard_scope_token(all, ids)` issues it, a SECURITY DEFINER function that the
  viewer role may not execute (EXECUTE revoked from PUBLIC); the app calls it before
  `SET LOCAL ROLE regime_viewer`.
- The HMAC key is 32 random bytes in `regime_dashboard_private.scope_key`, a schema the
  viewer role has no access to. No function returns the key.
- The policies read the scope through `dashboard_scope_is_all()` and
  `dashboard_scope_tenant_ids()`, which verify the token (SECURITY DEFINER, to read the key):
  a token whose signature does not match raises an error, and a token issued for another
  backend or transaction is refused, so a token cannot be edited, forged or replayed. With
  no token the viewer role sees no tenant rows at all. The old settings are read by nothing.
- `users` (a member of a tenant in scope) and `audit_log` (rows of tenants in scope; rows of
  no tenant only with the all-tenants scope) get the same kind of policy.

Nothing is written per transaction, so it works in READ ONLY transactions and on replicas.
The checks stay in scalar sub-selects (init-plans, once per query; migration 0005).

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import secrets

from alembic import op
from sqlalchemy import text

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

ROLE = "regime_viewer"
PRIVATE = "regime_dashboard_private"
BLOCK = 64  # SHA-256 block size, for the HMAC pads

OLD_SCOPE = (
    "(SELECT current_setting('app.all_tenants', true)) = 'on' OR {column} = ANY "
    "((SELECT string_to_array(coalesce(current_setting('app.tenant_ids', true), ''), ',')"
    "::uuid[])::uuid[])"
)
NEW_SCOPE = (
    "(SELECT dashboard_scope_is_all()) OR "
    "{column} = ANY ((SELECT dashboard_scope_tenant_ids())::uuid[])"
)
PLATFORM = f"(SELECT current_user) <> '{ROLE}'"
USERS_SCOPE = (
    "(SELECT dashboard_scope_is_all()) OR EXISTS (SELECT 1 FROM tenant_users m "
    "WHERE m.user_id = users.id AND m.tenant_id = ANY ((SELECT dashboard_scope_tenant_ids())::uuid[]))"
)
PRIVATE_TABLES = {"users": USERS_SCOPE, "audit_log": NEW_SCOPE.format(column="tenant_id")}

# What binds a token to one transaction: the backend and the transaction's start.
SIGNED_PART = "pg_backend_pid()::text || ':' || (extract(epoch FROM now()) * 1000000)::bigint::text"
FUNCTIONS = f"""
CREATE FUNCTION dashboard_scope_token(all_tenants boolean, tenant_ids text) RETURNS text
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $fn$
  SELECT p.payload || ':' || encode(sha256(k.outer_pad || sha256(k.inner_pad
         || convert_to(p.payload, 'UTF8'))), 'hex')
  FROM {PRIVATE}.scope_key k,
       (SELECT {SIGNED_PART} || ':' || CASE WHEN all_tenants THEN '1' ELSE '0' END || ':'
               || coalesce(array_to_string(
                    string_to_array(nullif(tenant_ids, ''), ',')::uuid[]::text[], ','), '')
       ) AS p(payload)
$fn$;

CREATE FUNCTION dashboard_scope() RETURNS text
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $fn$
DECLARE
  token text := current_setting('app.scope', true);
  payload text;
  expected text;
BEGIN
  IF token IS NULL OR token = '' THEN
    RETURN NULL;
  END IF;
  payload := substring(token FROM '^(.*):[0-9a-f]{{64}}$');
  SELECT encode(sha256(k.outer_pad || sha256(k.inner_pad || convert_to(payload, 'UTF8'))), 'hex')
    INTO expected FROM {PRIVATE}.scope_key k;
  IF payload IS NULL OR sha256(convert_to(right(token, 64), 'UTF8'))
                        <> sha256(convert_to(expected, 'UTF8')) THEN
    RAISE EXCEPTION 'the dashboard scope of this transaction is not valid'
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF split_part(payload, ':', 1) || ':' || split_part(payload, ':', 2) <> {SIGNED_PART} THEN
    RAISE EXCEPTION 'the dashboard scope was issued for another transaction'
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN split_part(payload, ':', 3) || ':' || split_part(payload, ':', 4);
END
$fn$;

CREATE FUNCTION dashboard_scope_is_all() RETURNS boolean
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $fn$
  SELECT coalesce(split_part(s.scope, ':', 1) = '1', false)
  FROM (SELECT {{schema}}.dashboard_scope()) AS s(scope)
$fn$;

CREATE FUNCTION dashboard_scope_tenant_ids() RETURNS uuid[]
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $fn$
  SELECT coalesce(string_to_array(nullif(split_part(s.scope, ':', 2), ''), ',')::uuid[],
                  '{{}}'::uuid[])
  FROM (SELECT {{schema}}.dashboard_scope()) AS s(scope)
$fn$;

REVOKE EXECUTE ON FUNCTION dashboard_scope_token(boolean, text) FROM PUBLIC;
"""


def _role_exists() -> bool:
    found = op.get_bind().execute(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": ROLE})
    return found.first() is not None


def _schema() -> str:
    return str(op.get_bind().execute(text("SELECT current_schema()")).scalar())


def _policy_tables() -> list[str]:
    rows = op.get_bind().execute(
        text(
            "SELECT tablename FROM pg_policies WHERE schemaname = current_schema() "
            "AND policyname = 'dashboard_viewer_scope' ORDER BY tablename"
        )
    )
    return [r[0] for r in rows if r[0] not in PRIVATE_TABLES]


def _pads() -> tuple[bytes, bytes]:
    """HMAC's inner and outer keys (RFC 2104) of a fresh random 32-byte key."""
    key = secrets.token_bytes(32).ljust(BLOCK, b"\0")
    return bytes(b ^ 0x36 for b in key), bytes(b ^ 0x5C for b in key)


def _create_key() -> None:
    op.execute(f"CREATE SCHEMA {PRIVATE}")
    op.execute(f"REVOKE ALL ON SCHEMA {PRIVATE} FROM PUBLIC")
    op.execute(
        f"CREATE TABLE {PRIVATE}.scope_key (id int PRIMARY KEY CHECK (id = 1), "
        "inner_pad bytea NOT NULL, outer_pad bytea NOT NULL)"
    )
    op.execute(f"REVOKE ALL ON {PRIVATE}.scope_key FROM PUBLIC, {ROLE}")
    inner, outer = _pads()
    op.get_bind().execute(
        text(f"INSERT INTO {PRIVATE}.scope_key VALUES (1, :inner, :outer)"),
        {"inner": inner, "outer": outer},
    )


def upgrade() -> None:
    if not _role_exists():
        return  # 0003 could not create the role: the WHERE clauses remain the enforcement
    _create_key()
    op.execute(FUNCTIONS.replace("{schema}", f'"{_schema()}"'))
    for table in _policy_tables():
        scope = NEW_SCOPE.format(column="id" if table == "tenants" else "tenant_id")
        op.execute(f"ALTER POLICY dashboard_viewer_scope ON {table} USING ({scope})")
    for table, scope in PRIVATE_TABLES.items():
        op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        op.execute(
            f"CREATE POLICY dashboard_viewer_scope ON {table} FOR SELECT TO {ROLE} USING ({scope})"
        )
        op.execute(
            f"CREATE POLICY platform_roles ON {table} TO PUBLIC USING ({PLATFORM}) "
            f"WITH CHECK ({PLATFORM})"
        )


def downgrade() -> None:
    if not _role_exists():
        return
    for table in PRIVATE_TABLES:
        op.execute(f"DROP POLICY IF EXISTS dashboard_viewer_scope ON {table}")
        op.execute(f"DROP POLICY IF EXISTS platform_roles ON {table}")
        op.execute(f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY")
    for table in _policy_tables():
        scope = OLD_SCOPE.format(column="id" if table == "tenants" else "tenant_id")
        op.execute(f"ALTER POLICY dashboard_viewer_scope ON {table} USING ({scope})")
    for function in ("dashboard_scope_is_all()", "dashboard_scope_tenant_ids()",
                     "dashboard_scope()", "dashboard_scope_token(boolean, text)"):  # fmt: skip
        op.execute(f"DROP FUNCTION IF EXISTS {function}")
    op.execute(f"DROP SCHEMA IF EXISTS {PRIVATE} CASCADE")
