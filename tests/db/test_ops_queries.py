"""queries.ops on a hand-made job ledger: two days (2026-06-01 and 06-02), two tenants.
Percentiles are checked against numpy.percentile's linear interpolation, which is what
PostgreSQL's percentile_cont computes."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator

import numpy as np
import pandas as pd
import psycopg
import pytest
from sqlalchemy import Connection, create_engine

from regime_dashboard.queries import ops
from regime_dashboard.scope import TenantScope
from tests.helpers import filled

pytestmark = pytest.mark.db

ALL = TenantScope.everything()
DAY1, DAY2 = dt.date(2026, 6, 1), dt.date(2026, 6, 2)
T = {n: uuid.uuid5(uuid.NAMESPACE_DNS, f"ops-{n}") for n in ("T1", "T2")}

# tenant, kind, queued at, queue s, run s, status, error, tokens in, out, compute s, cost
RUNS = [
    ("T1", "backtest", "2026-06-01 10:00", 2, 10, "succeeded", None, 1000, 100, 10, 0.50),
    ("T1", "backtest", "2026-06-01 11:00", 4, 20, "succeeded", None, 0, 0, 20, 0.25),
    ("T2", "backtest", "2026-06-02 09:00", 10, 30, "succeeded", None, 2000, 200, 30, 1.00),
    ("T1", "backtest", "2026-06-02 10:00", 20, 100, "failed", "Boom", 0, 0, 100, 0.75),
    ("T2", "agent", "2026-06-01 12:00", 1, 5, "failed", "RateLimit", 500, 50, 5, 0.10),
    ("T2", "agent", "2026-06-02 12:00", 3, 7, "failed", "Boom", 300, 30, 7, 0.20),
    ("T1", "agent", "2026-06-02 13:00", 6, None, "processing", None, 0, 0, 0, 0.0),
    ("T2", "training", "2026-06-02 14:00", None, None, "queued", None, 0, 0, 0, 0.0),
    ("T1", "import", "2026-06-01 08:00", 5, 1, "canceled", None, 0, 0, 1, 0.0),
    # outside 06-01..06-02: the last second before, the first instant after
    ("T1", "backtest", "2026-05-31 23:59:59", 1, 1, "succeeded", None, 9, 9, 1, 9.99),
    ("T2", "backtest", "2026-06-03 00:00", 1, 1, "failed", "Late", 9, 9, 1, 9.99),
]
QUEUE = {"backtest": [2, 4, 10, 20], "agent": [1, 3, 6], "import": [5]}
RUNNING = {"backtest": [10, 20, 30, 100], "agent": [5, 7], "import": [1]}


def _insert(conn: psycopg.Connection) -> None:
    for name, tenant_id in T.items():
        conn.execute("INSERT INTO tenants (id, name) VALUES (%s, %s)", (tenant_id, name))
    for tenant, kind, queued, wait, run, status, error, t_in, t_out, compute, cost in RUNS:
        queued_at = dt.datetime.fromisoformat(queued).replace(tzinfo=dt.UTC)
        started = None if wait is None else queued_at + dt.timedelta(seconds=wait)
        finished = None if run is None else started + dt.timedelta(seconds=run)
        conn.execute(
            "INSERT INTO runs (tenant_id, id, kind, status, queued_at, started_at, finished_at, "
            "error, tokens_input, tokens_output, compute_seconds, cost_usd) "
            "VALUES (%s, gen_random_uuid(), %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
            (
                T[tenant],
                kind,
                status,
                queued_at,
                started,
                finished,
                error,
                t_in,
                t_out,
                compute,
                cost,
            ),
        )


@pytest.fixture
def ledger(empty_db: str) -> Iterator[Connection]:
    yield from filled(empty_db, _insert)


def _rows(frame: pd.DataFrame, columns: list[str] | dict[str, str]) -> list[tuple]:
    return [tuple(r) for r in frame[list(columns)].itertuples(index=False)]


def test_runs_per_day_by_kind_by_status_and_in_total(ledger: Connection) -> None:
    per_day = ops.runs_per_day(ledger, scope=ALL, start=DAY1, end=DAY2)
    assert list(per_day.columns) == list(ops.RUNS_PER_DAY_COLUMNS)
    kinds = per_day[per_day["kind"].notna()]
    assert _rows(kinds, ["day", "kind", "runs"]) == [
        (DAY1, "agent", 1),
        (DAY1, "backtest", 2),
        (DAY1, "import", 1),
        (DAY2, "agent", 2),
        (DAY2, "backtest", 2),
        (DAY2, "training", 1),
    ]
    statuses = per_day[per_day["status"].notna()]
    assert _rows(statuses, ["day", "status", "runs"]) == [
        (DAY1, "canceled", 1),
        (DAY1, "failed", 1),
        (DAY1, "succeeded", 2),
        (DAY2, "failed", 2),
        (DAY2, "processing", 1),
        (DAY2, "queued", 1),
        (DAY2, "succeeded", 1),
    ]
    totals = per_day[per_day["kind"].isna() & per_day["status"].isna()]
    # day 1: 4 runs, all finished, 1 failed; day 2: 5 runs, 3 finished, 2 failed
    assert _rows(totals, ["day", "runs", "finished", "failed"]) == [
        (DAY1, 4, 4, 1),
        (DAY2, 5, 3, 2),
    ]


def test_failure_rate_and_percentiles_per_kind(ledger: Connection) -> None:
    timings = ops.run_timings(ledger, scope=ALL, start=DAY1, end=DAY2)
    assert list(timings.columns) == list(ops.TIMING_COLUMNS)
    assert list(timings["kind"]) == ["agent", "backtest", "import", "training", "all"]
    by_kind = timings.set_index("kind")
    # runs, finished, failed: agent 3/2/2, backtest 4/4/1, import 1/1/0, training 1/0/0
    assert _rows(timings, ["kind", "runs", "finished", "failed"]) == [
        ("agent", 3, 2, 2),
        ("backtest", 4, 4, 1),
        ("import", 1, 1, 0),
        ("training", 1, 0, 0),
        ("all", 9, 7, 3),
    ]
    assert by_kind.loc["backtest", "failure_rate"] == 0.25
    assert by_kind.loc["agent", "failure_rate"] == 1.0
    assert by_kind.loc["all", "failure_rate"] == pytest.approx(3 / 7)
    assert pd.isna(by_kind.loc["training", "failure_rate"])  # nothing finished
    assert pd.isna(by_kind.loc["training", "queue_p50_s"])  # never started
    # by hand: backtest queue [2, 4, 10, 20]: p50 = 7, p95 = 10 + 0.85 * 10 = 18.5
    assert by_kind.loc["backtest", "queue_p50_s"] == pytest.approx(7.0)
    assert by_kind.loc["backtest", "queue_p95_s"] == pytest.approx(18.5)
    everything = {
        "queue": [s for values in QUEUE.values() for s in values],
        "run": [s for values in RUNNING.values() for s in values],
    }
    for kind in ("agent", "backtest", "import", "all"):
        for name, samples in (("queue", QUEUE), ("run", RUNNING)):
            values = everything[name] if kind == "all" else samples[kind]
            for q in (50, 95):
                expected = np.percentile(values, q, method="linear")
                assert by_kind.loc[kind, f"{name}_p{q}_s"] == pytest.approx(expected), (kind, name)


def test_most_frequent_errors(ledger: Connection) -> None:
    errors = ops.frequent_errors(ledger, scope=ALL, start=DAY1, end=DAY2, limit=10)
    assert _rows(errors, ["error", "failures", "tenants", "kinds"]) == [
        ("Boom", 2, 2, "agent, backtest"),
        ("RateLimit", 1, 1, "agent"),
    ]
    assert errors.iloc[0]["last_seen"] == pd.Timestamp("2026-06-02 12:00", tz="UTC")
    assert len(ops.frequent_errors(ledger, scope=ALL, start=DAY1, end=DAY2, limit=1)) == 1


def test_run_costs_by_tenant(ledger: Connection) -> None:
    costs = ops.run_costs_by_tenant(ledger, scope=ALL, start=DAY1, end=DAY2)
    assert list(costs.columns) == list(ops.COST_COLUMNS)
    got = _rows(costs, list(ops.COST_COLUMNS)[1:6])
    # T1: 5 runs, compute 10 + 20 + 100 + 0 + 1; T2: 4 runs, compute 30 + 5 + 7
    assert got == [("T1", 5, 1000, 100, 131.0), ("T2", 4, 2800, 280, 42.0)]
    assert list(costs["cost_usd"]) == pytest.approx([0.5 + 0.25 + 0.75, 1.0 + 0.1 + 0.2])


def test_scope_and_activity_bounds(ledger: Connection) -> None:
    only_t2 = TenantScope.only([str(T["T2"])])
    costs = ops.run_costs_by_tenant(ledger, scope=only_t2, start=DAY1, end=DAY2)
    assert list(costs["tenant_name"]) == ["T2"]
    bounds = ops.activity_bounds(ledger, scope=ALL)
    assert _rows(bounds, ops.BOUNDS_COLUMNS) == [(dt.date(2026, 5, 31), dt.date(2026, 6, 3))]


def test_an_empty_database(empty_db: str) -> None:
    engine = create_engine(empty_db)
    with engine.connect() as conn:
        bounds = ops.activity_bounds(conn, scope=ALL)
        timings = ops.run_timings(conn, scope=ALL, start=DAY1, end=DAY2)
    engine.dispose()
    assert bounds.iloc[0].isna().all()
    assert _rows(timings, ["kind", "runs"]) == [("all", 0)]
