"""Engines: bounded pool, statement timeout on every connection, read-only reads."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, Engine, create_engine, text
from sqlalchemy.engine import URL, make_url

__all__ = ["libpq_dsn", "make_engine", "normalise_url", "read_only", "safe_url"]


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
    """An engine whose every connection carries `statement_timeout` and an application name."""
    options = f"-c statement_timeout={int(statement_timeout_ms)} -c lock_timeout=3000"
    return create_engine(
        normalise_url(url),
        pool_size=pool_size,
        max_overflow=0,
        pool_timeout=10,
        pool_pre_ping=True,
        connect_args={"options": options, "application_name": "regime-dashboard"},
    )


@contextmanager
def read_only(engine: Engine) -> Iterator[Connection]:
    """A connection inside a READ ONLY transaction, rolled back at the end."""
    with engine.connect() as conn, conn.begin() as tx:
        conn.execute(text("SET TRANSACTION READ ONLY"))
        yield conn
        tx.rollback()
