"""Demo data: deterministic for a seed, refused on a non-empty database, internally consistent."""

from __future__ import annotations

from collections.abc import Iterator

import psycopg
import pytest
from sqlalchemy.engine import make_url

from regime_dashboard.calendars import sessions
from regime_dashboard.db.engine import libpq_dsn
from regime_dashboard.db.models import Base
from regime_dashboard.demo.seed import SeedRefusedError, seed_database
from regime_dashboard.reproducibility import bars_sha256
from tests.conftest import AS_OF, SEED

pytestmark = pytest.mark.db
TABLES = sorted(t for t in Base.metadata.tables if t != "data_versions")


def _conn(url: str) -> psycopg.Connection:
    return psycopg.connect(libpq_dsn(make_url(url)))


def _checksums(url: str) -> dict[str, str]:
    """md5 of each table's rows in primary-key order. Left out: identity columns and the
    rollup's `updated_at`, which records when the trigger ran."""
    sums = {}
    with _conn(url) as conn:
        for table in TABLES:
            t = Base.metadata.tables[table]
            cols = [
                c.name
                for c in t.columns
                if not c.identity and (table, c.name) != ("usage_daily", "updated_at")
            ]
            order = ", ".join(c.name for c in t.primary_key.columns if c.name in cols) or cols[0]
            row = ", ".join(f'"{c}"' for c in cols)
            sums[table] = conn.execute(
                f"SELECT md5(coalesce(string_agg(r::text, '|' ORDER BY {order}), '')) "
                f"FROM (SELECT {row} FROM {table}) r"
            ).fetchone()[0]
    return sums


@pytest.fixture
def two_dbs(pg_server, migrated_template) -> Iterator[tuple[str, str]]:  # type: ignore[no-untyped-def]
    """Two fresh databases (the shared seeded one may carry other tests' sign-ins)."""
    template = make_url(migrated_template).database
    urls = (
        pg_server.create("first", template=template),
        pg_server.create("second", template=template),
    )
    yield urls
    for url in urls:
        pg_server.drop(url)


def test_the_same_seed_gives_the_same_tables_and_another_seed_does_not(
    two_dbs: tuple[str, str],
) -> None:
    first_db, second_db = two_dbs
    seed_database(first_db, scale="small", seed=SEED, as_of=AS_OF)
    seed_database(second_db, scale="small", seed=SEED, as_of=AS_OF)
    first, second = _checksums(first_db), _checksums(second_db)
    assert first == second
    seed_database(second_db, scale="small", seed=SEED + 1, as_of=AS_OF, reset=True)
    third = _checksums(second_db)
    changed = {t for t in TABLES if third[t] != first[t]}
    assert {"price_bars", "tenants", "usage_events", "orders", "engine_outputs_daily"} <= changed


def test_seeding_a_database_with_data_is_refused_and_writes_nothing(seeded_copy: str) -> None:
    before = _checksums(seeded_copy)
    with pytest.raises(SeedRefusedError, match="--reset"):
        seed_database(seeded_copy, scale="small", seed=99, as_of=AS_OF)
    assert _checksums(seeded_copy) == before


def test_reset_replaces_the_data_and_bumps_the_data_version(seeded_copy: str) -> None:
    with _conn(seeded_copy) as conn:
        version = conn.execute("SELECT version FROM data_versions").fetchone()[0]
    seed_database(seeded_copy, scale="small", seed=SEED, as_of=AS_OF, reset=True)
    with _conn(seeded_copy) as conn:
        assert conn.execute("SELECT version FROM data_versions").fetchone()[0] == version + 1
        assert conn.execute("SELECT count(*) FROM tenants").fetchone()[0] == 12


def _scalar(url: str, query: str) -> object:
    with _conn(url) as conn:
        return conn.execute(query).fetchone()[0]


def test_bars_follow_each_assets_calendar(seeded_url: str) -> None:
    with _conn(seeded_url) as conn:
        assets = conn.execute("SELECT id, calendar FROM assets").fetchall()
        for asset_id, calendar in assets:
            dates = [
                d
                for (d,) in conn.execute(
                    "SELECT date FROM price_bars WHERE asset_id = %s ORDER BY date", [asset_id]
                )
            ]
            expected = list(sessions(calendar, dates[0], dates[-1]).date)
            assert dates == expected, asset_id
    weekend = _scalar(
        seeded_url,
        "SELECT count(*) FROM price_bars b JOIN assets a ON a.id = b.asset_id "
        "WHERE a.calendar IN ('XNYS', '24/5') AND extract(isodow FROM b.date) > 5",
    )
    assert weekend == 0


def test_release_hashes_match_their_inputs_except_the_restated_one(seeded_url: str) -> None:
    with _conn(seeded_url) as conn:
        releases = conn.execute("""
            SELECT r.asset_id, r.version, r.data_sha256, min(o.date), max(o.date)
            FROM engine_releases r JOIN engine_outputs_daily o ON o.tenant_id = r.tenant_id AND o.release_id = r.id
            GROUP BY r.tenant_id, r.id""").fetchall()
        mismatched = set()
        for asset_id, version, stored, start, end in releases:
            rows = conn.execute(
                "SELECT date, open, high, low, close, adj_close, volume FROM price_bars "
                "WHERE asset_id = %s AND date BETWEEN %s AND %s ORDER BY date",
                [asset_id, start, end],
            ).fetchall()
            if bars_sha256(rows) != stored:
                mismatched.add((asset_id, version))
    assert mismatched == {("SPY", "v1")}


def test_v2_differs_from_v1_on_a_few_days(seeded_url: str) -> None:
    share = _scalar(
        seeded_url,
        """
        SELECT avg((a.regime <> b.regime)::int) FROM engine_outputs_daily a
        JOIN engine_releases ra ON ra.tenant_id = a.tenant_id AND ra.id = a.release_id AND ra.version = 'v1'
        JOIN engine_releases rb ON rb.tenant_id = ra.tenant_id AND rb.asset_id = ra.asset_id AND rb.version = 'v2'
        JOIN engine_outputs_daily b ON b.tenant_id = rb.tenant_id AND b.release_id = rb.id AND b.date = a.date""",
    )
    assert 0 < float(share) < 0.1


def test_usage_rollup_equals_the_events(seeded_url: str) -> None:
    diff = _scalar(
        seeded_url,
        """
        SELECT count(*) FROM (
          SELECT tenant_id, metric, (occurred_at AT TIME ZONE 'UTC')::date AS day, sum(quantity) q, count(*) n
          FROM usage_events GROUP BY 1, 2, 3) e
        FULL JOIN usage_daily d USING (tenant_id, metric, day)
        WHERE e.q IS DISTINCT FROM d.quantity OR e.n IS DISTINCT FROM d.events""",
    )
    assert diff == 0


def test_subscription_state_is_its_last_event_and_every_state_occurs(seeded_url: str) -> None:
    mismatched = _scalar(
        seeded_url,
        """
        SELECT count(*) FROM subscriptions s
        JOIN LATERAL (SELECT * FROM subscription_events e WHERE e.tenant_id = s.tenant_id
                      AND e.subscription_id = s.id ORDER BY occurred_at DESC LIMIT 1) last ON true
        WHERE (last.status, last.plan_id) IS DISTINCT FROM (s.status, s.plan_id)""",
    )
    assert mismatched == 0
    with _conn(seeded_url) as conn:
        statuses = {s for (s,) in conn.execute("SELECT DISTINCT status FROM subscriptions")}
        kinds = {k for (k,) in conn.execute("SELECT DISTINCT event_type FROM subscription_events")}
        currencies = {c for (c,) in conn.execute("SELECT DISTINCT currency FROM payments")}
    assert statuses == {"trialing", "active", "past_due", "canceled"}
    assert {
        "trial_started",
        "activated",
        "upgraded",
        "downgraded",
        "past_due",
        "recovered",
        "canceled",
        "reactivated",
    } <= kinds
    assert currencies == {"USD", "EUR"}


def test_fills_are_priced_at_the_days_close_and_positions_never_go_short(seeded_url: str) -> None:
    off = _scalar(
        seeded_url,
        """
        SELECT count(*) FROM fills f JOIN price_bars b
          ON b.asset_id = f.asset_id AND b.date = (f.filled_at AT TIME ZONE 'UTC')::date
        WHERE abs(f.price / b.close - 1) > 0.0006""",
    )
    unmatched = _scalar(
        seeded_url,
        """
        SELECT count(*) FROM fills f WHERE NOT EXISTS (SELECT 1 FROM price_bars b
          WHERE b.asset_id = f.asset_id AND b.date = (f.filled_at AT TIME ZONE 'UTC')::date)""",
    )
    short = _scalar(
        seeded_url,
        """
        SELECT count(*) FROM (
          SELECT sum(CASE side WHEN 'BUY' THEN quantity ELSE -quantity END)
                 OVER (PARTITION BY tenant_id, portfolio_id, asset_id ORDER BY filled_at, id) AS position
          FROM fills) p WHERE position < -1e-9""",
    )
    assert (off, unmatched, short) == (0, 0, 0)


def test_some_tenants_are_near_or_over_a_limit_this_month(seeded_url: str) -> None:
    with _conn(seeded_url) as conn:
        rows = conn.execute("""
            SELECT d.tenant_id, d.metric, sum(d.quantity) / (p.limits_json ->> d.metric)::numeric AS used
            FROM usage_daily d JOIN subscriptions s ON s.tenant_id = d.tenant_id
            JOIN plans p ON p.id = s.plan_id
            WHERE d.day >= DATE '2026-11-01' AND p.limits_json ->> d.metric IS NOT NULL
            GROUP BY d.tenant_id, d.metric, p.limits_json""").fetchall()
    # two-thirds through the month, a tenant on pace to exceed has used > 0.55 of its limit
    assert any(float(used) > 0.55 for _, _, used in rows)
