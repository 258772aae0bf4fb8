"""`regime-dashboard`: migrate, seed, import, demo, run."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import signal
import subprocess
import sys
from pathlib import Path

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


def _import(args: argparse.Namespace, outputs: bool) -> int:
    from .db.engine import make_engine
    from .db.migrate import upgrade_to_head
    from .imports.run import ImportRejectedError, import_bars, import_outputs

    db = _database()
    engine = make_engine(db.url, statement_timeout_ms=120_000)
    try:
        upgrade_to_head(db.url)
        common = {"asset": args.asset, "asset_class": args.asset_class, "calendar": args.calendar}
        if outputs:
            result = import_outputs(
                engine,
                args.file,
                tenant=args.tenant,
                version=args.release_version,
                git_commit=args.git_commit,
                data_sha256=args.data_sha256,
                **common,
            )
        else:
            result = import_bars(engine, args.file, source=args.source, **common)
    except ImportRejectedError as exc:
        print(f"error: {exc}", file=sys.stderr)
        for problem in exc.validated.problems if exc.validated else []:
            print(f"  {problem}", file=sys.stderr)
        return 1
    finally:
        engine.dispose()
        db.close()
    what = "outputs" if outputs else "bars"
    print(
        f"imported {result.rows:,} {what} for {args.asset.upper()}"
        + (" (new asset)" if result.asset_created else "")
        + (" (new release)" if result.release_created else "")
    )
    if result.ignored_columns:
        print(f"ignored columns: {', '.join(result.ignored_columns)}", file=sys.stderr)
    return 0


def _app_dir() -> Path:
    """The folder holding app.py: the working directory, else this source tree's root."""
    for candidate in (Path.cwd(), Path(__file__).resolve().parents[2]):
        if (candidate / "app.py").is_file() and (candidate / "views").is_dir():
            return candidate
    raise SystemExit("error: app.py not found; run from the project folder")


def _serve(url: str, port: int, demo: bool) -> int:
    """Run `streamlit run app.py` on 127.0.0.1 until it exits or Ctrl-C."""
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DEMO_MODE": "true" if demo else os.environ.get("DEMO_MODE", "false"),
    }
    cmd = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
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
        return _serve(db.url, args.port, demo=True)
    finally:
        db.close()


def cmd_run(args: argparse.Namespace) -> int:
    from .db.migrate import upgrade_to_head

    if not _settings().database_url:
        print(
            "error: DATABASE_URL is not set (environment or .streamlit/secrets.toml); "
            "for the built-in demo database use `regime-dashboard demo`",
            file=sys.stderr,
        )
        return 2
    from .auth.gate import CookieKeyError, cookie_key

    try:
        cookie_key(_settings())
    except CookieKeyError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    db = _database()
    upgrade_to_head(db.url)
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


def cmd_bench(args: argparse.Namespace) -> int:
    """Runs from a checkout: the benchmark code lives in benchmarks/, beside app.py."""
    root = _app_dir()
    sys.path.insert(0, str(root))
    os.chdir(root)
    if not _settings().database_url:
        print("error: set DATABASE_URL to a database seeded with --scale large", file=sys.stderr)
        return 2
    from benchmarks.run import run_benchmark

    only = tuple(filter(None, args.pages.split(","))) if args.pages else ()
    run_benchmark(args.scale, Path(args.output), runs=args.runs, sessions=args.sessions, only=only)
    print(f"wrote {args.output}")
    return 0


def _date(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def _import_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", type=Path, help="CSV file")
    parser.add_argument("--asset", required=True, help="asset symbol, e.g. SPY")
    parser.add_argument(
        "--asset-class",
        default="equity",
        choices=["equity", "crypto", "fx", "commodity"],
        help="for an asset not yet known (default: equity)",
    )
    parser.add_argument(
        "--calendar",
        default=None,
        choices=["trading_252", "calendar_365"],
        help="for a new asset (default: calendar_365 for crypto, else trading_252)",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="regime-dashboard", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("migrate", help="bring the database schema to head").set_defaults(
        func=cmd_migrate
    )
    seed = sub.add_parser("seed", help="write deterministic demo data")
    seed.add_argument("--scale", choices=["small", "medium", "large"], default="small")
    seed.add_argument("--seed", type=int, default=7)
    seed.add_argument("--as-of", type=_date, default=None, help="the demo's today (default: today)")
    seed.add_argument("--reset", action="store_true", help="replace the data already there")
    seed.set_defaults(func=cmd_seed)
    bars = sub.add_parser("import-bars", help="import daily bars from a CSV")
    _import_options(bars)
    bars.add_argument("--source", default="manual", help="recorded in price_bars.source")
    bars.set_defaults(func=lambda a: _import(a, outputs=False))
    outs = sub.add_parser("import-outputs", help="import a release's daily engine outputs")
    _import_options(outs)
    outs.add_argument("--tenant", required=True, help="tenant name")
    outs.add_argument("--release-version", required=True, help="e.g. v3")
    outs.add_argument("--git-commit", default=None)
    outs.add_argument(
        "--data-sha256", default=None, help="the engine's input hash (default: computed)"
    )
    outs.set_defaults(func=lambda a: _import(a, outputs=True))
    _account_commands(sub)
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
    for name, func, help_text in (
        ("demo", cmd_demo, "embedded database + demo data + app"),
        ("run", cmd_run, "serve the app against DATABASE_URL"),
    ):
        serve = sub.add_parser(name, help=help_text)
        serve.add_argument("--port", type=int, default=8501)
        if name == "demo":
            serve.add_argument("--seed", type=int, default=7)
        serve.set_defaults(func=func)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if getattr(args, "calendar", "unset") is None:
        args.calendar = "calendar_365" if args.asset_class == "crypto" else "trading_252"
    return int(args.func(args))


if __name__ == "__main__":
    raise SystemExit(main())
