"""`regime-dashboard`: migrate, seed, import, tenants, alerts, demo, run."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import secrets
import signal
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from .alerts.command import add_alerts_parser

__all__ = ["main"]


def _settings():  # type: ignore[no-untyped-def]
    from .config import get_settings

    return get_settings()


def _database(force_embedded: bool = False):  # type: ignore[no-untyped-def]
    from .db.resolve import resolve_database

    resolved = resolve_database(_settings(), force_embedded=force_embedded)
    print(resolved.describe(), file=sys.stderr)
    return resolved


def cmd_migrate(args: argparse.Namespace) -> int:
    from .db.migrate import upgrade_to_head

    db = _database()
    try:
        before, after = upgrade_to_head(db.url)
        print(
            "already at head " + after
            if before == after
            else f"migrated {before or 'empty'} -> {after}"
        )
    finally:
        db.close()
    return 0


def cmd_seed(args: argparse.Namespace) -> int:
    from .db.migrate import upgrade_to_head
    from .demo.seed import SeedRefusedError, seed_database

    db = _database()
    try:
        upgrade_to_head(db.url)
        summary = seed_database(
            db.url,
            scale=args.scale,
            seed=args.seed,
            as_of=args.as_of,
            reset=args.reset,
            show_progress=sys.stderr.isatty() or args.scale != "small",
        )
    except SeedRefusedError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    finally:
        db.close()
    total = sum(summary.rows.values())
    print(
        f"seeded {total:,} rows (scale {summary.scale}, seed {summary.seed}, as of {summary.as_of})"
    )
    return 0


MAX_PROBLEMS_SHOWN = 100


def _import(args: argparse.Namespace, outputs: bool) -> int:
    from .db.engine import make_engine
    from .db.migrate import upgrade_to_head
    from .imports.run import ImportRejectedError, import_bars, import_outputs

    db = _database()
    engine = make_engine(db.url, statement_timeout_ms=900_000)
    try:
        upgrade_to_head(db.url)
        common = {"asset": args.asset, "asset_class": args.asset_class, "calendar": args.calendar}
        if outputs:
            release = {"tenant": args.tenant, "version": args.release_version}
            result = import_outputs(
                engine,
                args.file,
                labels=args.labels,
                git_commit=args.git_commit,
                data_sha256=args.data_sha256,
                **release,
                **common,
            )
        else:
            options = {"source": args.source, "allow_weekends": args.allow_weekends}
            result = import_bars(engine, args.file, **options, **common)
    except ImportRejectedError as exc:
        _print_rejection(exc)
        return 1
    finally:
        engine.dispose()
        db.close()
    print(_import_summary(result, "outputs" if outputs else "bars", args))
    _print_ignored_columns(result.ignored_columns)
    return 0


def _print_ignored_columns(columns: Sequence[str]) -> None:
    """The file's columns the import did not use (the first ten), if any."""
    if not columns:
        return
    from .imports.validate import shown

    names = ", ".join(shown(c, 30) for c in columns[:10])
    more = len(columns) - 10
    print(f"ignored columns: {names}" + (f" and {more} more" if more > 0 else ""), file=sys.stderr)


def _print_rejection(exc: Exception) -> None:
    """One line for the rejection, then one line per problem (the first MAX_PROBLEMS_SHOWN)."""
    problems = getattr(exc, "problems", [])
    print(f"error: {exc}", file=sys.stderr)
    for problem in problems[:MAX_PROBLEMS_SHOWN]:
        print(f"  {problem}", file=sys.stderr)
    if len(problems) > MAX_PROBLEMS_SHOWN:
        print(f"  … and {len(problems) - MAX_PROBLEMS_SHOWN:,} more", file=sys.stderr)


def _import_summary(result, what: str, args: argparse.Namespace) -> str:  # type: ignore[no-untyped-def]
    """`imported 3 bars for SPY: 2 inserted, 1 updated, 0 unchanged; new asset SPY`."""
    target = f" for {args.asset.strip().upper()}" if args.asset else ""
    parts = [
        f"imported {result.rows:,} {what}{target}: {result.inserted:,} inserted, "
        f"{result.updated:,} updated, {result.unchanged:,} unchanged"
    ]
    if result.assets_created:
        shown = ", ".join(result.assets_created[:10])
        more = len(result.assets_created) - 10
        noun = "new asset" if len(result.assets_created) == 1 else "new assets"
        parts.append(f"{noun} {shown}" + (f" and {more} more" if more > 0 else ""))
    if what == "outputs":
        state = "new release" if result.release_created else "release"
        digest = result.data_sha256[:12] + "…" if result.data_sha256 else "none (no bars)"
        parts.append(
            f"{state} {args.release_version.strip()} of {args.tenant}: release date "
            f"{result.release_date}, data sha256 {digest}"
        )
    return "; ".join(parts)


def cmd_tenants(args: argparse.Namespace) -> int:
    """Every tenant: name, plan, subscription status, members (queries.admin_reads)."""
    from .db.engine import make_engine, read_only
    from .queries.admin_reads import tenants_overview
    from .scope import TenantScope

    db = _database()
    engine = make_engine(db.url)
    try:
        with read_only(engine) as conn:
            tenants = tenants_overview(conn, scope=TenantScope.everything())
    finally:
        engine.dispose()
        db.close()

    def cell(value: object) -> str:
        return "–" if value is None or value != value else str(value)  # None or NaN: none

    rows = [
        (str(t.name), cell(t.plan_id), cell(t.subscription_status), f"{t.members:,}")
        for t in tenants.itertuples(index=False)
    ]
    print(_text_table(("name", "plan", "status", "members"), rows), end="")
    return 0


def _text_table(header: tuple[str, ...], rows: Sequence[tuple[str, ...]]) -> str:
    """Left-aligned columns (the last right-aligned), two spaces apart."""
    widths = [max(len(r[i]) for r in (header, *rows)) for i in range(len(header))]
    lines = [
        "  ".join(
            cell.rjust(w) if i == len(row) - 1 else cell.ljust(w)
            for i, (cell, w) in enumerate(zip(row, widths, strict=True))
        ).rstrip()
        for row in (header, *rows)
    ]
    return "".join(f"{line}\n" for line in lines)


def _app_dir() -> Path:
    """The folder holding app.py: the working directory, else this source tree's root."""
    for candidate in (Path.cwd(), Path(__file__).resolve().parents[2]):
        if (candidate / "app.py").is_file() and (candidate / "views").is_dir():
            return candidate
    raise SystemExit("error: app.py not found; run from the project folder")


def _serve(url: str, port: int, demo: bool) -> int:
    """Run `streamlit run app.py` on 127.0.0.1 until it exits or Ctrl-C, by the launcher
    (launch.py): the once-per-process work happens before the port opens."""
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DEMO_MODE": "true" if demo else "false",
    }
    cmd = [
        sys.executable,
        "-m",
        "regime_dashboard.launch",
        "app.py",
        "--server.headless",
        "true",
        "--server.address",
        "127.0.0.1",
        "--server.port",
        str(port),
        "--browser.gatherUsageStats",
        "false",
    ]
    print(f"Regime Dashboard: http://127.0.0.1:{port}", flush=True)
    child = subprocess.Popen(cmd, cwd=_app_dir(), env=env)
    try:
        return child.wait()
    except KeyboardInterrupt:
        child.send_signal(signal.SIGINT)
        return child.wait()


def cmd_demo(args: argparse.Namespace) -> int:
    from .db.migrate import upgrade_to_head
    from .demo.seed import DEMO_ACCOUNTS, SeedRefusedError, seed_database

    db = _database(force_embedded=True)
    try:
        upgrade_to_head(db.url)
        try:
            seed_database(db.url, scale="small", seed=args.seed)
            print("seeded the demo data (scale small)")
        except SeedRefusedError:
            print("demo data already present (use `regime-dashboard seed --reset` to renew it)")
        for account in DEMO_ACCOUNTS:
            print(f"  sign in as {account.role:<10} {account.email} / {account.password}")
        # a key of this launch only: nobody can forge the demo's cookies with the public one
        os.environ.setdefault("COOKIE_KEY", secrets.token_urlsafe(48))
        return _serve(db.url, args.port, demo=True)
    finally:
        db.close()


def _warn_demo_accounts(url: str) -> None:
    """`run` on a seeded database: say that the demo accounts exist (they cannot sign in
    outside demo mode, but their passwords are public)."""
    from .db.engine import make_engine
    from .demo.tenants import DEMO_EMAILS
    from .queries.auth import existing_emails

    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            found = existing_emails(conn, emails=DEMO_EMAILS)
    finally:
        engine.dispose()
    if found:
        print(
            f"warning: demo accounts exist ({', '.join(found)}); they cannot sign in here "
            "(demo mode is off), but delete them from production databases",
            file=sys.stderr,
        )


def cmd_run(args: argparse.Namespace) -> int:
    from .config import CookieKeyError
    from .db.migrate import upgrade_to_head

    settings = _settings()
    if not settings.database_url:
        print(
            "error: DATABASE_URL is not set (environment or .streamlit/secrets.toml); "
            "for the built-in demo database use `regime-dashboard demo`",
            file=sys.stderr,
        )
        return 2
    try:
        settings.production_cookie_key()  # the demo key is refused whatever DEMO_MODE says
    except CookieKeyError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    if settings.demo_mode:
        print(
            "warning: DEMO_MODE is ignored by `run` (only `demo` runs in demo mode)",
            file=sys.stderr,
        )
    db = _database()
    upgrade_to_head(db.url)
    _warn_demo_accounts(db.url)
    return _serve(db.url, args.port, demo=False)


def _accounts(args: argparse.Namespace, create: bool) -> int:
    from .auth.accounts import AccountError, create_user, read_password, reset_password
    from .auth.passwords import PasswordRuleError
    from .db.engine import make_engine

    db = _database()
    engine = make_engine(db.url)
    try:
        password = read_password()
        if create:
            create_user(
                engine,
                email=args.email,
                roles=args.role,
                tenants=args.tenant or [],
                password=password,
                display_name=args.name,
            )
        else:
            reset_password(engine, email=args.email, password=password)
    except (AccountError, PasswordRuleError) as exc:
        print(f"error: {exc}; nothing was written", file=sys.stderr)
        return 1
    finally:
        engine.dispose()
        db.close()
    print(
        ("created or updated " if create else "new password set for ") + args.email.strip().lower()
    )
    return 0


def _account_commands(sub: argparse._SubParsersAction) -> None:
    create = sub.add_parser(
        "create-user", help="create a dashboard account (password: stdin or prompt)"
    )
    create.add_argument("email")
    create.add_argument(
        "--role", action="append", required=True, choices=["analyst", "admin", "leadership"]
    )
    create.add_argument("--tenant", action="append", help="tenant name (repeat for several)")
    create.add_argument("--name", default=None, help="display name")
    create.set_defaults(func=lambda a: _accounts(a, create=True))
    reset = sub.add_parser("reset-password", help="set a new password (stdin or prompt)")
    reset.add_argument("email")
    reset.set_defaults(func=lambda a: _accounts(a, create=False))


def _bench_environment() -> None:
    """What the bench needs, set for this process and the servers it starts: it signs in
    as the seeded demo accounts from this computer only, which is demo mode, with a
    cookie key of this run (unless COOKIE_KEY is given)."""
    os.environ["DEMO_MODE"] = "true"
    os.environ.setdefault("COOKIE_KEY", secrets.token_urlsafe(48))
    from .config import get_settings

    get_settings.cache_clear()


def cmd_bench(args: argparse.Namespace) -> int:
    """Runs from a checkout: the benchmark code lives in benchmarks/, beside app.py."""
    root = _app_dir()
    sys.path.insert(0, str(root))
    os.chdir(root)
    if not _settings().database_url:
        print("error: set DATABASE_URL to a database seeded with --scale large", file=sys.stderr)
        return 2
    _bench_environment()
    from benchmarks.harness import PageError
    from benchmarks.run import run_benchmark

    only = tuple(filter(None, args.pages.split(","))) if args.pages else ()
    try:
        run_benchmark(
            args.scale, Path(args.output), runs=args.runs, sessions=args.sessions, only=only
        )
    except PageError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(f"wrote {args.output}")
    return 0


def _date(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def _calendar(text: str) -> str:
    """A `--calendar` value: one of calendars.CALENDARS (imported only when one is given)."""
    from .calendars import CALENDARS

    if text not in CALENDARS:
        raise argparse.ArgumentTypeError(f"{text!r} is not one of {', '.join(CALENDARS)}")
    return text


def _import_options(parser: argparse.ArgumentParser, asset_required: bool = True) -> None:
    parser.add_argument("file", type=Path, help="CSV file")
    parser.add_argument(
        "--asset",
        required=asset_required,
        help="asset symbol, e.g. SPY"
        + ("" if asset_required else " (or a symbol column in the file)"),
    )
    parser.add_argument(
        "--asset-class",
        default="equity",
        choices=["equity", "crypto", "fx", "commodity"],
        help="for an asset not yet known (default: equity)",
    )
    parser.add_argument(
        "--calendar",
        default=None,
        type=_calendar,
        help="for a new asset: a calendar name of regime_dashboard.calendars "
        "(default: the asset class's, e.g. every day for crypto)",
    )


def _seed_command(sub: argparse._SubParsersAction) -> None:
    seed = sub.add_parser("seed", help="write deterministic demo data")
    seed.add_argument("--scale", choices=["small", "medium", "large"], default="small")
    seed.add_argument("--seed", type=int, default=7)
    seed.add_argument("--as-of", type=_date, default=None, help="the demo's today (default: today)")
    seed.add_argument("--reset", action="store_true", help="replace the data already there")
    seed.set_defaults(func=cmd_seed)


def _import_commands(sub: argparse._SubParsersAction) -> None:
    from .imports.validate import DEFAULT_LABELS

    bars = sub.add_parser("import-bars", help="import daily bars from a CSV")
    _import_options(bars, asset_required=False)
    bars.add_argument("--source", default="manual", help="recorded in price_bars.source")
    bars.add_argument(
        "--allow-weekends",
        action="store_true",
        help="accept Saturday and Sunday bars for an asset whose calendar has no weekend sessions",
    )
    bars.set_defaults(func=lambda a: _import(a, outputs=False))
    outs = sub.add_parser("import-outputs", help="import a release's daily engine outputs")
    _import_options(outs)
    outs.add_argument("--tenant", required=True, help="tenant name")
    outs.add_argument("--release-version", required=True, help="e.g. v3 (at most 64 characters)")
    outs.add_argument(
        "--labels",
        default=None,
        help="regime labels the release uses besides "
        + ", ".join(sorted(DEFAULT_LABELS))
        + " (comma-separated; kept with the release)",
    )
    outs.add_argument("--git-commit", default=None)
    outs.add_argument(
        "--data-sha256", default=None, help="the engine's input hash (default: computed)"
    )
    outs.set_defaults(func=lambda a: _import(a, outputs=True))


def _bench_command(sub: argparse._SubParsersAction) -> None:
    bench = sub.add_parser(
        "bench", help="benchmark every page (DATABASE_URL seeded with --scale large)"
    )
    bench.add_argument(
        "--scale", default="large", help="the scale the database was seeded with (for the report)"
    )
    bench.add_argument("--runs", type=int, default=5)
    bench.add_argument("--sessions", type=int, default=20)
    bench.add_argument("--output", default="docs/benchmarks.md")
    bench.add_argument("--pages", default="", help="comma-separated page slugs (default: all)")
    bench.set_defaults(func=cmd_bench)


def _serve_commands(sub: argparse._SubParsersAction) -> None:
    for name, func, help_text in (
        ("demo", cmd_demo, "embedded database + demo data + app"),
        ("run", cmd_run, "serve the app against DATABASE_URL"),
    ):
        serve = sub.add_parser(name, help=help_text)
        serve.add_argument("--port", type=int, default=8501)
        if name == "demo":
            serve.add_argument("--seed", type=int, default=7)
        serve.set_defaults(func=func)


def build_parser() -> argparse.ArgumentParser:
    """The command line: one subcommand per task, each with its `func`."""
    parser = argparse.ArgumentParser(prog="regime-dashboard", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("migrate", help="bring the database schema to head").set_defaults(
        func=cmd_migrate
    )
    _seed_command(sub)
    _import_commands(sub)
    sub.add_parser("tenants", help="list tenants: name, plan, status, members").set_defaults(
        func=cmd_tenants
    )
    _account_commands(sub)
    add_alerts_parser(sub)  # regime-dashboard alerts run [--since DATE]
    _bench_command(sub)
    _serve_commands(sub)
    return parser


def _one_line(exc: BaseException, limit: int = 300) -> str:
    """An error in one line: the driver's message for database errors (never the SQL or its
    parameters), the first line otherwise, at most `limit` characters."""
    from sqlalchemy.exc import DBAPIError

    from .db.engine import mask_credentials

    cause = exc.orig if isinstance(exc, DBAPIError) and exc.orig is not None else exc
    lines = str(cause).strip().splitlines()
    text = mask_credentials(lines[0]) if lines else type(cause).__name__
    text = text if len(text) <= limit else text[:limit] + "…"
    return f"{type(cause).__name__}: {text}"


def main(argv: list[str] | None = None) -> int:
    """Run one command. No traceback for bad input or a failing database: one line, exit 1
    (REGIME_DASHBOARD_TRACEBACK=1 re-raises, for debugging)."""
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except Exception as exc:
        if os.environ.get("REGIME_DASHBOARD_TRACEBACK"):
            raise
        print(f"error: {_one_line(exc)}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    raise SystemExit(main())
