"""The benchmark run: every page, the naive baselines, memory, concurrency, the browser,
the report."""

from __future__ import annotations

import statistics
import time
from pathlib import Path

from sqlalchemy import Engine, text

from regime_dashboard import cache
from regime_dashboard.db.engine import make_engine
from regime_dashboard.navigation import PAGES

from .browser import CHROMIUM, run_browser, write_sections
from .capture import replay_each
from .harness import PageResult, measure_page
from .imports import import_section, measure_imports
from .load import run_server_load
from .naive import NAIVE
from .report import replace_section, write_report

__all__ = ["run_benchmark"]

SERVER_PROCESSES = (1, 2)  # one server; then one per core, sessions split between them
NAIVE_RUNS = 3  # each naive run reads whole tables (5 million usage events): minutes


def _naive_ms(engine: Engine, slug: str, runs: int) -> float | None:
    if slug not in NAIVE:
        return None
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        NAIVE[slug](engine)
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def _explain_slowest(engine: Engine, results: list[PageResult], count: int = 3) -> str:
    timed = [t for r in results for t in replay_each(engine, list(r.statements_seen))]
    slowest = sorted(timed, key=lambda t: t[0], reverse=True)[:count]
    blocks = []
    with engine.connect() as conn:
        raw = conn.connection.driver_connection
        assert raw is not None
        cursor = raw.cursor()
        for ms, statement, params in slowest:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + statement, params)
            plan = "\n".join(row[0] for row in cursor.fetchall())
            blocks.append(
                f"### {ms:,.0f} ms\n\n```sql\n{statement.strip()}\n```\n\n```\n{plan}\n```\n"
            )
    return "\n".join(blocks)


def _row_counts(engine: Engine) -> dict[str, int]:
    tables = ("price_bars", "tenants", "usage_events", "orders", "engine_outputs_daily")
    with engine.connect() as conn:
        counts = {t: conn.execute(text(f"SELECT count(*) FROM {t}")).scalar() for t in tables}  # noqa: S608
    return {t: int(n or 0) for t, n in counts.items()}


def run_benchmark(
    scale: str, output: Path, runs: int = 5, sessions: int = 20, only: tuple[str, ...] = ()
) -> None:
    engine = cache.get_engine()
    # the naive baselines read whole tables: minutes, past the app's statement timeout
    url = engine.url.render_as_string(hide_password=False)
    naive_engine = make_engine(url, statement_timeout_ms=0)
    results = []
    specs = [p for p in PAGES if not only or p.slug in only]
    for spec in specs:
        print(f"measuring {spec.slug} ...", flush=True)
        result = measure_page(spec, engine, runs)
        result.naive_ms = _naive_ms(naive_engine, spec.slug, NAIVE_RUNS)
        results.append(result)
        print(f"  {result}", flush=True)
    loads = []
    for processes in SERVER_PROCESSES:
        print(f"{sessions} sessions against {processes} x `streamlit run` ...", flush=True)
        slugs = [p.slug for p in specs if not p.default]
        loads += run_server_load(slugs, sessions=sessions, processes=processes)
        print(f"  {loads[-2]}\n  {loads[-1]}", flush=True)
    plans = _explain_slowest(engine, results)
    write_report(output, scale, _row_counts(engine), results, loads, plans, runs)
    print("import throughput (scratch database) ...", flush=True)
    replace_section(output, import_section(measure_imports(url)))
    _browser(output, scale)


def _browser(output: Path, scale: str) -> None:
    """The browser section (benchmarks/browser.py), where Debian's Chromium is installed."""
    if not Path(CHROMIUM).exists():
        print(f"browser timings skipped: {CHROMIUM} is not installed", flush=True)
        return
    print("in the browser (Chromium, every role and page) ...", flush=True)
    run = run_browser()
    run.database = f"the database seeded with `--scale {scale}`"
    write_sections(run, output, None)
