"""A clear message instead of a traceback when the database fails a page, and one log line
(credentials hidden) for the operator."""

from __future__ import annotations

import logging

import sqlalchemy.exc
import streamlit as st

from ..db.engine import mask_credentials

__all__ = ["DATABASE_ERRORS", "database_error_summary", "show_database_error"]

# Everything a query can raise when the database is slow, busy or gone: the driver's errors
# (DBAPIError) and the pool's wait for a free connection running out (TimeoutError, not a
# DBAPIError).
DATABASE_ERRORS: tuple[type[BaseException], ...] = (
    sqlalchemy.exc.DBAPIError,
    sqlalchemy.exc.TimeoutError,
)
LOG = logging.getLogger("regime_dashboard.database")


def _log_handler() -> None:
    """Streamlit sets up only its own loggers: without a handler, outages would reach the
    server log as bare lines, or not at all below WARNING."""
    if not LOG.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        LOG.addHandler(handler)
        LOG.setLevel(logging.INFO)


def database_error_summary(exc: BaseException, limit: int = 300) -> str:
    """The error in one line for the log: its type and the driver's first line, never the SQL
    or its parameters, with every credential hidden."""
    cause = getattr(exc, "orig", None) or exc
    lines = str(cause).strip().splitlines()
    text = mask_credentials(lines[0] if lines else "")[:limit]
    return f"{type(cause).__name__}: {text}" if text else type(cause).__name__


def _kind(exc: BaseException) -> str:
    if isinstance(exc, sqlalchemy.exc.TimeoutError):
        return "busy"
    text = str(getattr(exc, "orig", exc)).lower()
    if "statement timeout" in text or "canceling statement" in text:
        return "slow"
    return "down"


MESSAGES = {
    "slow": (
        "This query took longer than the database's statement timeout and was stopped. "
        "Narrow the date range or filters and try again.",
        ":material/timer:",
    ),
    "busy": (
        "Every database connection of this server is in use by other viewers, and none came "
        "free in time. Try again in a moment.",
        ":material/hourglass_top:",
    ),
    "down": (
        "The database is not answering right now. The page will work again as soon as it "
        "is back: press R or use the button below to retry.",
        ":material/cloud_off:",
    ),
}


def show_database_error(exc: BaseException) -> None:
    """Log the failure (credentials hidden) and show a clear message instead of a traceback,
    with a Retry button; the next rerun tries again."""
    kind = _kind(exc)
    _log_handler()
    LOG.warning("database %s: %s", kind, database_error_summary(exc))
    message, icon = MESSAGES[kind]
    st.error(message, icon=icon)
    st.button("Retry", key="_retry_database")
