"""Engines: bounded pool, statement timeout on every connection, read-only reads."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, Engine, create_engine, text
from sqlalchemy.engine import URL

from ..scope import TenantScope

__all__ = [
    "VIEWER_ROLE",
    "enter_viewer_scope",
    "libpq_dsn",
    "make_engine",
    "mask_credentials",
    "normalise_url",
    "read_only",
    "rls_available",
    "safe_url",
]

VIEWER_ROLE = "regime_viewer"


def normalise_url(url: str) -> str:
    """`postgres://` and `postgresql://` URLs mean psycopg 3 here."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


_USERINFO_PASSWORD = re.compile(r"(\b[a-z][a-z0-9+.-]*://[^\s/?#@:]*:)[^\s]*@", re.IGNORECASE)
# A secret parameter in a URL query (?password=, &sslpassword=) or a libpq key=value string
# (password='a b' passfile=/x): the value, quoted or not, up to the next separator.
_SECRET_PARAMETER = re.compile(
    r"(\b(?:\w*pass\w*|\w*secret\w*|\w*token\w*|sslkey)\s*=\s*)"
    r"('(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"|[^\s&;,'\"]*)",
    re.IGNORECASE,
)
MASK = "***"


def mask_credentials(message: str) -> str:
    """`message` with every credential hidden: the password of `scheme://user:password@`,
    and the value of password, sslpassword, passfile, sslkey and any other *pass*, *secret*
    or *token* parameter, in URL queries and libpq `key=value` strings alike. For any text
    that may hold a connection string: log lines, error messages, the Home page."""
    masked = _USERINFO_PASSWORD.sub(rf"\g<1>{MASK}@", message)
    return _SECRET_PARAMETER.sub(rf"\g<1>{MASK}", masked)


def safe_url(url: str) -> str:
    """The URL (or libpq connection string) with its credentials hidden, for messages and
    logs. Never raises, even for a string that is not a URL."""
    return mask_credentials(normalise_url(url))


def libpq_dsn(url: URL) -> str:
    """A libpq connection string for psycopg.connect()."""
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def make_engine(
    url: str, *, statement_timeout_ms: int = 5000, pool_size: int = 5, pool_timeout_s: float = 10
) -> Engine:
    """An engine whose every connection carries `statement_timeout` and an application name.

    JIT compilation is off: the planner's cost estimates for the dashboard's lateral and
    windowed queries cross its thresholds, and compiling then took ~0.5 s for queries that
    run in ~50 ms (docs/benchmarks.md). A wait of more than `pool_timeout_s` for a free
    connection raises sqlalchemy.exc.TimeoutError (ui/errors.py shows it)."""
    options = f"-c statement_timeout={int(statement_timeout_ms)} -c lock_timeout=3000 -c jit=off"
    return create_engine(
        normalise_url(url),
        pool_size=pool_size,
        max_overflow=0,
        pool_timeout=pool_timeout_s,
        pool_pre_ping=True,
        connect_args={"options": options, "application_name": "regime-dashboard"},
    )


def rls_available(engine: Engine) -> bool:
    """Whether this database has the viewer role and the signed scope (migrations 0003 and
    0007) and this login may use them: a member of the role, allowed to call the scope
    token's issuer (its owner is; another login needs `GRANT EXECUTE ON FUNCTION
    dashboard_scope_token(boolean, text) TO <login>`, docs/security.md). Without them, reads
    run without the role and the queries' WHERE clauses alone keep to the scope."""
    with engine.connect() as conn:
        return bool(
            conn.execute(
                text(
                    "SELECT pg_has_role(current_user, oid, 'MEMBER') AND "
                    "to_regprocedure('dashboard_scope_token(boolean,text)') IS NOT NULL AND "
                    "has_function_privilege(current_user, "
                    "'dashboard_scope_token(boolean,text)', 'EXECUTE') "
                    "FROM pg_roles WHERE rolname = :r"
                ),
                {"r": VIEWER_ROLE},
            ).scalar()
        )


@contextmanager
def read_only(
    engine: Engine, scope: TenantScope | None = None, *, rls: bool = False
) -> Iterator[Connection]:
    """A connection inside a READ ONLY transaction, rolled back at the end. With `rls`, the
    transaction runs as the viewer role with `scope` set, so row-level security limits every
    tenant table to the scope whatever the query says."""
    with engine.connect() as conn, conn.begin() as tx:
        conn.execute(text("SET TRANSACTION READ ONLY"))
        if rls and scope is not None:
            enter_viewer_scope(conn, scope)
        yield conn
        tx.rollback()


def enter_viewer_scope(conn: Connection, scope: TenantScope) -> None:
    """Take on the viewer role with `scope` for the rest of this transaction.

    The scope is a token that `dashboard_scope_token` signs for this backend and this
    transaction only (migration 0007); it is issued while the connection still has the
    login role, since the viewer role may not call the function. The policies verify the
    token, so nothing the viewer role does (set_config included) can widen the scope."""
    conn.execute(
        text("SELECT set_config('app.scope', dashboard_scope_token(:all, :ids), true)"),
        {"all": scope.is_all, "ids": ",".join(scope.tenant_ids or ())},
    )
    conn.execute(text(f"SET LOCAL ROLE {VIEWER_ROLE}"))
