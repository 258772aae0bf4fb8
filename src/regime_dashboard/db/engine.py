"""Engines: bounded pool, statement timeout on every connection, read-only reads."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, Engine, create_engine, text
from sqlalchemy.engine import URL, make_url

from ..scope import TenantScope

__all__ = [
    "VIEWER_ROLE",
    "libpq_dsn",
    "make_engine",
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


def safe_url(url: str) -> str:
    """The URL with its password hidden, for messages and logs."""
    return make_url(normalise_url(url)).render_as_string(hide_password=True)


def libpq_dsn(url: URL) -> str:
    """A libpq connection string for psycopg.connect()."""
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def make_engine(url: str, *, statement_timeout_ms: int = 5000, pool_size: int = 5) -> Engine:
    """An engine whose every connection carries `statement_timeout` and an application name.

    JIT compilation is off: the planner's cost estimates for the dashboard's lateral and
    windowed queries cross its thresholds, and compiling then took ~0.5 s for queries that
    run in ~50 ms (docs/benchmarks.md)."""
    options = f"-c statement_timeout={int(statement_timeout_ms)} -c lock_timeout=3000 -c jit=off"
    return create_engine(
        normalise_url(url),
        pool_size=pool_size,
        max_overflow=0,
        pool_timeout=10,
        pool_pre_ping=True,
        connect_args={"options": options, "application_name": "regime-dashboard"},
    )


def rls_available(engine: Engine) -> bool:
    """Whether this database has the viewer role (migration 0003) and we may assume it."""
    with engine.connect() as conn:
        return bool(
            conn.execute(
                text(
                    "SELECT pg_has_role(current_user, oid, 'MEMBER') "
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
            _enter_viewer_role(conn, scope)
        yield conn
        tx.rollback()


def _enter_viewer_role(conn: Connection, scope: TenantScope) -> None:
    conn.execute(text(f"SET LOCAL ROLE {VIEWER_ROLE}"))
    conn.execute(
        text(
            "SELECT set_config('app.all_tenants', :all, true), "
            "set_config('app.tenant_ids', :ids, true)"
        ),
        {"all": "on" if scope.is_all else "off", "ids": ",".join(scope.tenant_ids or ())},
    )
