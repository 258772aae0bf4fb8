"""queries.backtests against real Postgres: hand-made runs, and the seeded database checked
with plain SQL."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator

import pandas as pd
import psycopg
import pytest
from sqlalchemy.engine import make_url

from regime_dashboard.db.engine import libpq_dsn
from regime_dashboard.queries import backtests
from regime_dashboard.scope import TenantScope
from tests.db.query_runner import Run, query_runner

pytestmark = pytest.mark.db

T1, T2 = "aaaaaaaa-0000-0000-0000-000000000001", "aaaaaaaa-0000-0000-0000-000000000002"
U1, U2 = "bbbbbbbb-0000-0000-0000-000000000001", "bbbbbbbb-0000-0000-0000-000000000002"
S1, S2 = "cccccccc-0000-0000-0000-000000000001", "cccccccc-0000-0000-0000-000000000002"
V1, V2 = "dddddddd-0000-0000-0000-000000000001", "dddddddd-0000-0000-0000-000000000002"
RUN_A, RUN_B = "eeeeeeee-0000-0000-0000-000000000001", "eeeeeeee-0000-0000-0000-000000000002"
RUN_C = "eeeeeeee-0000-0000-0000-000000000003"


@pytest.fixture
def query(empty_db: str) -> Iterator[Run]:
    """Two tenants: T1 runs A (succeeded, 10 min 5 s, 3 equity days) and B (queued), T2 run C."""
    with psycopg.connect(libpq_dsn(make_url(empty_db))) as conn:
        conn.execute("INSERT INTO tenants (id, name) VALUES (%s, 'One'), (%s, 'Two')", (T1, T2))
        conn.execute(
            "INSERT INTO users (id, email, display_name, password_hash) VALUES "
            "(%s, 'named@x.test', 'Named Person', 'secret-hash'), (%s, 'anon@x.test', NULL, 'h2')",
            (U1, U2),
        )
        conn.execute(
            "INSERT INTO strategies (tenant_id, id, title, slug) VALUES (%s, %s, 'Trend', 'trend'), (%s, %s, 'Carry', 'carry')",
            (T1, S1, T2, S2),
        )
        conn.execute(
            "INSERT INTO strategy_versions (tenant_id, id, strategy_id, version, graph_json) VALUES (%s, %s, %s, 2, '{}'), (%s, %s, %s, 1, '{}')",
            (T1, V1, S1, T2, V2, S2),
        )
        conn.execute(
            "INSERT INTO backtest_runs (tenant_id, id, strategy_version_id, requested_by, status, metrics, created_at, started_at, completed_at) VALUES "
            "(%s, %s, %s, %s, 'succeeded', '{\"sharpe\": 1.5}', '2025-03-01 10:00+00', '2025-03-01 10:00+00', '2025-03-01 10:10:05+00'), "
            "(%s, %s, %s, %s, 'queued', NULL, '2025-03-02 23:30-05', NULL, NULL), "
            "(%s, %s, %s, NULL, 'failed', NULL, '2025-02-01 09:00+00', '2025-02-01 09:00+00', '2025-02-01 09:00:30+00')",
            (T1, RUN_A, V1, U1, T1, RUN_B, V1, U2, T2, RUN_C, V2),
        )
        for day, equity in (("2025-01-03", 101.0), ("2025-01-01", 100.0), ("2025-01-02", 99.0)):
            conn.execute(
                "INSERT INTO backtest_equity_daily (tenant_id, backtest_run_id, date, equity) VALUES (%s, %s, %s, %s)",
                (T1, RUN_A, day, equity),
            )
        conn.execute(
            "INSERT INTO paper_trade_runs (tenant_id, id, strategy_version_id, schedule, status, performance_snapshot) VALUES "
            "(%s, 'ffffffff-0000-0000-0000-000000000001', %s, '{\"cron\": \"0 22 * * 1-5\"}', 'active', %s)",
            (
                T1,
                V1,
                json.dumps(
                    {
                        "as_of": "2025-03-03T22:00:00+00:00",
                        "equity": 101234.5,
                        "return_pct": 1.23,
                        "open_positions": 3,
                    }
                ),
            ),
        )
    with query_runner(empty_db) as run:
        yield run


def test_runs_have_strategy_version_requester_and_duration(query: Run) -> None:
    runs = query(backtests.list_runs)
    assert list(runs.columns) == list(backtests.RUN_COLUMNS)
    runs = runs.set_index(runs["run_id"].astype(str))
    assert list(runs.index) == [RUN_B, RUN_A, RUN_C]  # newest first
    a = runs.loc[RUN_A]
    assert (a["strategy"], a["version"], a["tenant_name"]) == ("Trend", 2, "One")
    assert a["requested_by"] == "Named Person"
    assert a["duration_s"] == 605.0  # 10 min 5 s
    assert a["equity_days"] == 3
    assert a["metrics"] == {"sharpe": 1.5}
    b = runs.iloc[0]
    assert b["requested_by"] == "anon@x.test"  # no display name: the e-mail
    assert pd.isna(b["duration_s"]) and b["equity_days"] == 0
    assert pd.isna(runs.iloc[2]["requested_by"])
    assert not any("hash" in str(v) for v in runs.to_numpy().ravel())


def test_run_filters(query: Run) -> None:
    def ids(**filters: object) -> list[str]:
        return [str(r) for r in query(backtests.list_runs, **filters)["run_id"]]

    assert ids(statuses=("succeeded", "failed")) == [RUN_A, RUN_C]
    assert ids(strategies=("Carry",)) == [RUN_C]
    assert ids(tenants=("One",)) == [RUN_B, RUN_A]
    # created 2025-03-02 23:30 at UTC-5 is 2025-03-03 in UTC
    assert ids(created_from=dt.date(2025, 3, 3)) == [RUN_B]
    assert ids(created_to=dt.date(2025, 3, 2)) == [RUN_A, RUN_C]


def test_runs_and_equity_are_scoped(query: Run) -> None:
    two = TenantScope.only((T2,))
    assert [str(r) for r in query(backtests.list_runs, scope=two)["run_id"]] == [RUN_C]
    assert query(backtests.equity, scope=two, tenant_id=T1, run_id=RUN_A).empty
    assert query(backtests.paper_runs, scope=two).empty


def test_equity_is_in_date_order(query: Run) -> None:
    equity = query(backtests.equity, tenant_id=T1, run_id=RUN_A)
    assert equity.values.tolist() == [
        [dt.date(2025, 1, 1), 100.0],
        [dt.date(2025, 1, 2), 99.0],
        [dt.date(2025, 1, 3), 101.0],
    ]


def test_paper_runs_unpack_the_snapshot(query: Run) -> None:
    paper = query(backtests.paper_runs)
    assert paper.drop(columns=["run_id", "last_execution_at"]).iloc[0].tolist() == [
        "One",
        "Trend",
        2,
        "active",
        "0 22 * * 1-5",
        "2025-03-03T22:00:00+00:00",
        101234.5,
        1.23,
        3,
    ]


def test_seeded_runs_match_plain_sql(seeded_url: str) -> None:
    with query_runner(seeded_url) as run:
        runs = run(backtests.list_runs)
        with psycopg.connect(libpq_dsn(make_url(seeded_url))) as conn:
            expected = conn.execute(
                "SELECT r.id, u.display_name, extract(epoch FROM r.completed_at - r.started_at)::float8, "
                "(SELECT count(*) FROM backtest_equity_daily e WHERE e.backtest_run_id = r.id) "
                "FROM backtest_runs r LEFT JOIN users u ON u.id = r.requested_by"
            ).fetchall()
        by_id = {str(r): (name, dur, n) for r, name, dur, n in expected}
        assert len(runs) == len(by_id) > 50
        for row in runs.itertuples():
            name, duration, days = by_id[str(row.run_id)]
            assert row.requested_by == name and row.equity_days == days
            assert (pd.isna(row.duration_s) and duration is None) or row.duration_s == duration
