"""Import throughput: a million-row bars file and a 30-year release, in a scratch database.

`python -m benchmarks.imports` runs only this step against the server of DATABASE_URL and
rewrites the "Imports" section of docs/benchmarks.md; `regime-dashboard bench` runs it too.
The scratch database is created beside the benchmark's own and dropped afterwards, so the
seeded data is never touched."""

from __future__ import annotations

import datetime as dt
import os
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import psycopg
from sqlalchemy.engine import make_url

from regime_dashboard.db.engine import libpq_dsn, make_engine, normalise_url
from regime_dashboard.db.migrate import upgrade_to_head
from regime_dashboard.imports.run import import_bars, import_outputs

from .report import machine_description, replace_section

__all__ = [
    "ImportTiming",
    "import_section",
    "measure_imports",
    "write_bars_csv",
    "write_release_csv",
]

BAR_ROWS = 1_000_000
BAR_ASSETS = 40  # 25,000 weekdays each (1930-2025): one asset cannot hold a million days
RELEASE_YEARS = 30
LAST_DAY = dt.date(2025, 12, 31)
TENANT = "Import benchmark"
LABELS = ("bull", "neutral", "bear", "crisis")


@dataclass(frozen=True)
class ImportTiming:
    what: str
    rows: int
    seconds: float
    result: str

    @property
    def rows_per_s(self) -> float:
        return self.rows / self.seconds


def _weekdays(count: int) -> pd.DatetimeIndex:
    return pd.bdate_range(end=LAST_DAY, periods=count)


def write_bars_csv(path: Path, rows: int = BAR_ROWS, assets: int = BAR_ASSETS) -> Path:
    """`symbol,date,open,high,low,close,adj_close,volume`: `assets` random walks of
    rows / assets weekdays each, open and close inside [low, high]."""
    per_asset = rows // assets
    rng = np.random.default_rng(7)
    days = _weekdays(per_asset).strftime("%Y-%m-%d")
    frames = []
    for k in range(assets):
        close = 50 * np.exp(np.cumsum(rng.normal(0, 0.01, per_asset)))
        open_ = close * np.exp(rng.normal(0, 0.004, per_asset))
        spread = np.abs(rng.normal(0, 0.006, per_asset))
        frames.append(
            pd.DataFrame(
                {
                    "symbol": f"BENCH{k:03d}",
                    "date": days,
                    "open": open_.round(4),
                    "high": (np.maximum(open_, close) * (1 + spread) + 0.0001).round(4),
                    "low": (np.minimum(open_, close) * (1 - spread) - 0.0001).round(4),
                    "close": close.round(4),
                    "adj_close": close.round(4),
                    "volume": rng.integers(1_000, 5_000_000, per_asset),
                }
            )
        )
    pd.concat(frames).to_csv(path, index=False)
    return path


def write_release_csv(path: Path, years: int = RELEASE_YEARS) -> Path:
    """A release's daily outputs over `years` of weekdays (~7,800 rows): every field."""
    count = 261 * years - 30
    rng = np.random.default_rng(11)
    confidence = rng.uniform(0, 1, count).round(4)
    frame = pd.DataFrame(
        {
            "date": _weekdays(count).strftime("%Y-%m-%d"),
            "regime": np.array(LABELS)[(np.arange(count) // 40) % len(LABELS)],
            "confidence": confidence,
            "conviction": np.select(
                [confidence >= 0.8, confidence >= 0.65], ["high", "medium"], "low"
            ),
            **{
                c: rng.normal(0, 1, count).round(5)
                for c in ("escalation_v2", "vrs", "iix", "dsr", "ss", "mb", "lq")
            },
            "risk_level": rng.uniform(0, 1, count).round(4),
            "realized_vol": rng.uniform(0, 0.6, count).round(4),
        }
    )
    frame.to_csv(path, index=False)
    return path


def _scratch(url: str, create: bool) -> str:
    """Create (or drop) a scratch database beside `url`'s; returns its URL."""
    base = make_url(normalise_url(url))
    name = f"bench_imports_{os.getpid()}"
    with psycopg.connect(libpq_dsn(base), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if create:
            conn.execute(f'CREATE DATABASE "{name}"')
    return base.set(database=name).render_as_string(hide_password=False)


def _timed(what: str, rows: int, run) -> ImportTiming:  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    result = run()
    seconds = time.perf_counter() - started
    said = (
        f"{result.inserted:,} inserted, {result.updated:,} updated, {result.unchanged:,} unchanged"
    )
    timing = ImportTiming(what, rows, seconds, said)
    print(
        f"  {what}: {rows:,} rows in {seconds:,.1f} s = {timing.rows_per_s:,.0f} rows/s", flush=True
    )
    return timing


def measure_imports(url: str, bar_rows: int = BAR_ROWS) -> list[ImportTiming]:
    """Time the imports (file reading, validation, COPY and upsert; not the file writing)."""
    scratch = _scratch(url, create=True)
    try:
        upgrade_to_head(scratch)
        with psycopg.connect(libpq_dsn(make_url(normalise_url(scratch)))) as conn:
            conn.execute("INSERT INTO tenants (id, name) VALUES (%s, %s)", (uuid.uuid4(), TENANT))
        engine = make_engine(scratch, statement_timeout_ms=0)
        with tempfile.TemporaryDirectory() as folder:
            bars = write_bars_csv(Path(folder) / "bars.csv", bar_rows)
            release = write_release_csv(Path(folder) / "release.csv")
            releases = len(pd.read_csv(release))

            def outputs():  # type: ignore[no-untyped-def]
                return import_outputs(
                    engine,
                    release,
                    asset="BENCH000",
                    tenant=TENANT,
                    version="v1",
                    asset_class="equity",
                )

            timings = [
                _timed(
                    "bars, new rows",
                    bar_rows,
                    lambda: import_bars(engine, bars, asset=None, asset_class="equity"),
                ),
                _timed(
                    "bars, the same file again",
                    bar_rows,
                    lambda: import_bars(engine, bars, asset=None, asset_class="equity"),
                ),
                _timed("outputs, a 30-year release", releases, outputs),
                _timed("outputs, the same release again", releases, outputs),
            ]
        engine.dispose()
        return timings
    finally:
        _scratch(url, create=False)


def import_section(timings: list[ImportTiming]) -> list[str]:
    """The "Imports" section of docs/benchmarks.md (the machine measured when it is written:
    the step can run alone, on another day than the rest of the report)."""
    return [
        "## Imports",
        "",
        f"Machine when measured: {machine_description()}; load average {os.getloadavg()[0]:.1f}.",
        "",
        "`regime-dashboard import-bars` / `import-outputs` as the library runs them (read and "
        "validate the file, COPY into a temporary table, one INSERT … ON CONFLICT, the release's "
        f"hash), into an empty scratch database: a bars file of {BAR_ASSETS} assets with a symbol "
        f"column, and a {RELEASE_YEARS}-year daily release with every output field "
        "(benchmarks/imports.py; `python -m benchmarks.imports` reruns only this step).",
        "",
        "| import | rows | seconds | rows/s | result |",
        "|---|---:|---:|---:|---|",
        *(
            f"| {t.what} | {t.rows:,} | {t.seconds:,.1f} | {t.rows_per_s:,.0f} | {t.result} |"
            for t in timings
        ),
        "",
    ]


def main() -> int:
    url = os.environ.get("DATABASE_URL")
    if not url:
        print("error: set DATABASE_URL (a scratch database is made on its server)", file=sys.stderr)
        return 2
    output = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("docs/benchmarks.md")
    replace_section(output, import_section(measure_imports(url)))
    print(f"wrote the Imports section of {output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
