"""`regime-dashboard alerts run [--since DATE]`: evaluate every alert rule once and print a
summary (docs/user-settings.md has the cron line). Exit 0 also when another run holds the
lock (the next scheduled run picks up what this one skipped)."""

from __future__ import annotations

import argparse
import datetime as dt
import sys

__all__ = ["add_alerts_parser", "run_alerts_command"]

STATEMENT_TIMEOUT_MS = 120_000  # a first run reads whole releases


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD)") from exc


def add_alerts_parser(subparsers: argparse._SubParsersAction) -> None:
    """Add `alerts run [--since DATE]` to the command line's subcommands."""
    alerts = subparsers.add_parser("alerts", help="alert rules on engine outputs")
    actions = alerts.add_subparsers(dest="alerts_command", required=True)
    run = actions.add_parser(
        "run", help="evaluate every rule against new outputs, write and deliver the firings"
    )
    run.add_argument(
        "--since",
        type=_date,
        default=None,
        help="re-read outputs dated on or after DATE (default: since each rule's last run)",
    )
    run.set_defaults(func=run_alerts_command)


def run_alerts_command(args: argparse.Namespace) -> int:
    """Evaluate against the configured database (DATABASE_URL, else the embedded one)."""
    from ..config import get_settings
    from ..db.engine import make_engine
    from ..db.resolve import resolve_database
    from .evaluate import evaluate

    settings = get_settings()
    database = resolve_database(settings)
    print(database.describe(), file=sys.stderr)
    # its own engine: disposing of it closes the connection, and with it the run's lock
    engine = make_engine(database.url, statement_timeout_ms=STATEMENT_TIMEOUT_MS, pool_size=1)
    try:
        summary = evaluate(engine, args.since)
    finally:
        engine.dispose()
        database.close()
    print(summary.line())
    return 0
