"""Alert evaluation on a hand-made release (docs/user-settings.md): exactly the known
firings, each once across runs and across two concurrent runs; thresholds fire on the
crossing day only; new outputs are read from the rule's last evaluation on; webhooks get what
the notification says, and a failing one is tried three times and recorded failed."""

from __future__ import annotations

import datetime as dt
import http.server
import json
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Engine

from regime_dashboard.alerts import evaluate, firings
from regime_dashboard.alerts.command import add_alerts_parser, run_alerts_command
from regime_dashboard.db.engine import make_engine
from regime_dashboard.reproducibility import bars_sha256
from regime_dashboard.user_settings import AlertRule
from tests.helpers import one, sql

pytestmark = pytest.mark.db

TENANT = "00000000-0000-4000-8000-0000000000a1"
ANALYST = "00000000-0000-4000-8000-0000000000b1"
RELEASE = "00000000-0000-4000-8000-0000000000c1"
ASSET = "TST"
DAY0 = dt.date(2026, 3, 2)
DAYS = [DAY0 + dt.timedelta(days=i) for i in range(10)]
REGIMES = ["bull", "bull", "bear", "bear", "neutral", "neutral", "neutral", "bull", "bull", "bull"]
CONFIDENCES = [0.70, 0.65, 0.55, 0.50, 0.45, 0.62, 0.70, 0.58, 0.61, 0.66]
CONVICTIONS = ["low", "low", "low", "medium", "medium", "medium", "high", "high", "low", "low"]
SWITCHES = [(DAYS[2], "bull", "bear"), (DAYS[4], "bear", "neutral"), (DAYS[7], "neutral", "bull")]


def _bars(days: list[dt.date]) -> list[tuple]:
    return [(d, 100.0 + i, 101.0 + i, 99.0 + i, 100.5 + i, None, 1000.0)
            for i, d in enumerate(days)]  # fmt: skip


def _world(url: str, rules: list[dict[str, Any]], webhook: str | None = None) -> None:
    """One tenant, its analyst, an asset with bars and one release with known outputs."""
    sql(url, "INSERT INTO tenants (id, name) VALUES (%s, 'Tenant A')", TENANT)
    sql(url, "INSERT INTO users (id, email, display_name, dashboard_roles) "
             "VALUES (%s, 'ana@example.com', 'Ana', ARRAY['analyst'])", ANALYST)  # fmt: skip
    sql(url, "INSERT INTO tenant_users (tenant_id, user_id) VALUES (%s, %s)", TENANT, ANALYST)
    sql(url, "INSERT INTO assets VALUES (%s, 'Test asset', 'crypto', '24/7', true)", ASSET)
    for bar in _bars(DAYS):
        sql(url, "INSERT INTO price_bars (asset_id, date, open, high, low, close, adj_close, "
                 "volume) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)", ASSET, *bar)  # fmt: skip
    sql(url, "INSERT INTO engine_releases (tenant_id, id, asset_id, release_date, version, "
             "data_sha256) VALUES (%s, %s, %s, %s, 'v1', %s)",
        TENANT, RELEASE, ASSET, DAYS[-1], bars_sha256(_bars(DAYS)))  # fmt: skip
    for day, regime, confidence, conviction in zip(
        DAYS, REGIMES, CONFIDENCES, CONVICTIONS, strict=True
    ):
        _output(url, day, regime, confidence, conviction)
    document = {"watchlist": True, "alerts": rules, "webhook_url": webhook, "from_crm": {"x": 1}}
    sql(url, "INSERT INTO user_asset_settings (tenant_id, user_id, asset_id, settings_json) "
             "VALUES (%s, %s, %s, %s)", TENANT, ANALYST, ASSET, json.dumps(document))  # fmt: skip


def _output(url: str, day: dt.date, regime: str, confidence: float, conviction: str) -> None:
    sql(url, "INSERT INTO engine_outputs_daily (tenant_id, release_id, date, regime, "
             "confidence, conviction) VALUES (%s, %s, %s, %s, %s, %s)",
        TENANT, RELEASE, day, regime, confidence, conviction)  # fmt: skip


def _fired(url: str, kind: str | None = None) -> list[tuple]:
    """(date, from, to) of the alerts written, by date."""
    rows = sql(url, "SELECT payload->>'date', payload->>'from', payload->>'to', type "
                    "FROM notifications ORDER BY payload->>'date', type")  # fmt: skip
    return [(dt.date.fromisoformat(d), a, b) for d, a, b, t in rows if kind in (None, t)]


@pytest.fixture
def engine(empty_db: str) -> Iterator[Engine]:
    engine = make_engine(empty_db)
    yield engine
    engine.dispose()


def test_known_switches_fire_exactly_once_across_two_runs(empty_db: str, engine: Engine) -> None:
    _world(empty_db, [{"kind": "regime_change"}])
    version = one(empty_db, "SELECT version FROM data_versions")
    first = evaluate(engine, DAY0)
    assert (first.rules, first.firings, first.written) == (1, 3, 3)
    assert _fired(empty_db) == SWITCHES
    assert one(empty_db, "SELECT version FROM data_versions") == version + 1
    second = evaluate(engine, DAY0)
    assert (second.firings, second.written) == (3, 0)
    assert evaluate(engine).firings == 0  # without --since: nothing new since the last run
    assert _fired(empty_db) == SWITCHES
    assert one(empty_db, "SELECT version FROM data_versions") == version + 1
    text = one(empty_db, "SELECT payload->>'text' FROM notifications ORDER BY payload->>'date'")
    assert text.startswith("TST (Tenant A, release v1): regime changes on 2026-03-04: bull → bear")


def test_a_threshold_rule_fires_on_the_crossing_day_only(empty_db: str, engine: Engine) -> None:
    rules = [{"kind": "confidence_below", "threshold": 0.6},
             {"kind": "confidence_above", "threshold": 0.6}, {"kind": "conviction_change"}]  # fmt: skip
    _world(empty_db, rules)
    evaluate(engine, DAY0)
    assert _fired(empty_db, "confidence_below") == [(DAYS[2], "0.65", "0.55"),
                                                    (DAYS[7], "0.70", "0.58")]  # fmt: skip
    assert _fired(empty_db, "confidence_above") == [(DAYS[5], "0.45", "0.62"),
                                                    (DAYS[8], "0.58", "0.61")]  # fmt: skip
    assert _fired(empty_db, "conviction_change") == [
        (DAYS[3], "low", "medium"), (DAYS[6], "medium", "high"), (DAYS[8], "high", "low")]  # fmt: skip


def test_a_new_rule_starts_now_and_later_runs_read_only_new_outputs(
    empty_db: str, engine: Engine
) -> None:
    _world(empty_db, [{"kind": "regime_change"}])
    assert evaluate(engine).firings == 0  # history is not replayed: the last day is no switch
    assert one(empty_db, "SELECT evaluated_until FROM alert_evaluations") == DAYS[-1]
    _output(empty_db, DAYS[-1] + dt.timedelta(days=1), "crisis", 0.9, "high")
    _output(empty_db, DAYS[-1] + dt.timedelta(days=2), "crisis", 0.9, "high")
    assert evaluate(engine).written == 1
    assert _fired(empty_db) == [(DAYS[-1] + dt.timedelta(days=1), "bull", "crisis")]
    assert evaluate(engine).written == 0


def test_two_runs_at_once_write_each_firing_once(empty_db: str) -> None:
    _world(empty_db, [{"kind": "regime_change"}, {"kind": "confidence_below", "threshold": 0.6}])
    engines = [make_engine(empty_db) for _ in range(4)]
    barrier = threading.Barrier(len(engines))
    results: list[Any] = []

    def run(engine: Engine) -> None:
        barrier.wait()
        results.append(evaluate(engine, DAY0))

    threads = [threading.Thread(target=run, args=(e,)) for e in engines]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for engine in engines:
        engine.dispose()
    assert sum(r.written for r in results) == 5
    assert one(empty_db, "SELECT count(*) FROM notifications") == 5
    assert one(empty_db, "SELECT count(DISTINCT dedup_key) FROM notifications") == 5


class _Hook(http.server.BaseHTTPRequestHandler):
    status = 200
    received: list[dict[str, Any]]

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.received.append({"type": self.headers["Content-Type"], "body": json.loads(body)})
        self.send_response(self.status)
        self.end_headers()

    def log_message(self, *args: object) -> None:  # keep the test output quiet
        pass


@pytest.fixture
def webhook(request: pytest.FixtureRequest) -> Iterator[tuple[str, list[dict[str, Any]]]]:
    received: list[dict[str, Any]] = []
    handler = type("Hook", (_Hook,), {"status": request.param, "received": received})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/hook", received
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize("webhook", [200], indirect=True)
def test_the_webhook_receives_what_the_notification_says(
    empty_db: str, engine: Engine, webhook: tuple[str, list[dict[str, Any]]]
) -> None:
    url, received = webhook
    _world(empty_db, [{"kind": "regime_change"}], webhook=url)
    summary = evaluate(engine, DAY0, webhook_backoff=0)
    assert (summary.written, summary.delivered, summary.failed) == (3, 3, 0)
    stored = {str(i): (p, s, a) for i, p, s, a in sql(
        empty_db, "SELECT id, payload, delivery_status, delivery_attempts FROM notifications")}  # fmt: skip
    assert len(received) == 3
    for post in received:
        assert post["type"] == "application/json"
        body = dict(post["body"])
        payload, status, attempts = stored[body.pop("notification_id")]
        assert body == payload and (status, attempts) == ("delivered", 1)
        assert body["text"] and body["kind"] == "regime_change"
    assert evaluate(engine, DAY0).delivered == 0 and len(received) == 3  # delivered once


@pytest.mark.parametrize("webhook", [500], indirect=True)
def test_a_failing_webhook_is_tried_three_times_and_recorded_failed(
    empty_db: str, engine: Engine, webhook: tuple[str, list[dict[str, Any]]]
) -> None:
    url, received = webhook
    _world(empty_db, [{"kind": "regime_change"}], webhook=url)
    sql(empty_db, "DELETE FROM engine_outputs_daily WHERE date > %s", DAYS[2])
    summary = evaluate(engine, DAY0, webhook_backoff=0)
    assert (summary.written, summary.delivered, summary.failed) == (1, 0, 1)
    assert len(received) == 3
    assert sql(empty_db, "SELECT delivery_status, delivery_attempts, delivery_error "
                         "FROM notifications") == [("failed", 3, "HTTP 500")]  # fmt: skip


def test_an_unreachable_webhook_is_recorded_failed_without_its_address(
    empty_db: str, engine: Engine
) -> None:
    url = "http://127.0.0.1:9/secret-token-in-path"  # discard port: refused
    _world(empty_db, [{"kind": "regime_change"}], webhook=url)
    summary = evaluate(engine, DAY0, webhook_timeout=1, webhook_backoff=0)
    assert summary.failed == 3
    errors = {row[0] for row in sql(empty_db, "SELECT delivery_error FROM notifications")}
    assert errors and not any("secret" in e for e in errors)


def test_restated_input_bars_fire_a_data_mismatch_once(empty_db: str, engine: Engine) -> None:
    _world(empty_db, [{"kind": "data_mismatch"}])
    assert evaluate(engine).firings == 0  # the stored hash matches the bars
    sql(empty_db, "UPDATE price_bars SET close = close + 0.25 WHERE date = %s", DAYS[4])
    assert evaluate(engine).written == 1
    assert evaluate(engine).written == 0
    kind, day = sql(empty_db, "SELECT type, payload->>'date' FROM notifications")[0]
    assert (kind, day) == ("data_mismatch", DAYS[-1].isoformat())


def test_a_malformed_document_is_skipped_and_counted(empty_db: str, engine: Engine) -> None:
    _world(empty_db, [{"kind": "regime_change"}])
    sql(empty_db, "UPDATE user_asset_settings SET settings_json = "
                  "'{\"alerts\": [{\"kind\": \"sometimes\"}]}'")  # fmt: skip
    summary = evaluate(engine, DAY0)
    assert (summary.documents, summary.unreadable, summary.written) == (1, 1, 0)


def test_a_user_no_longer_in_the_tenant_gets_no_alerts(empty_db: str, engine: Engine) -> None:
    _world(empty_db, [{"kind": "regime_change"}])
    sql(empty_db, "DELETE FROM tenant_users")
    assert evaluate(engine, DAY0).written == 0


def test_a_second_run_while_the_lock_is_held_does_nothing(empty_db: str, engine: Engine) -> None:
    from regime_dashboard.queries.alerts import release_evaluation_lock, try_evaluation_lock

    _world(empty_db, [{"kind": "regime_change"}])
    with engine.connect() as holder:
        assert try_evaluation_lock(holder)
        summary = evaluate(engine, DAY0)
        release_evaluation_lock(holder)
    assert summary.locked_out and "another alerts run" in summary.line()
    assert one(empty_db, "SELECT count(*) FROM notifications") == 0


def test_the_command_prints_a_summary(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    import argparse

    _world(db, [{"kind": "regime_change"}])
    parser = argparse.ArgumentParser()
    add_alerts_parser(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["alerts", "run", "--since", DAY0.isoformat()])
    assert run_alerts_command(args) == 0
    assert "3 new notification(s)" in capsys.readouterr().out
    assert run_alerts_command(args) == 0
    assert "0 new notification(s) (3 already recorded)" in capsys.readouterr().out


def test_firings_need_a_day_before_them() -> None:
    import pandas as pd

    outputs = pd.DataFrame({"date": DAYS[:2], "regime": ["bull", "bear"],
                            "confidence": [0.7, 0.5], "conviction": [None, None]})  # fmt: skip
    rule = AlertRule(kind="regime_change")
    assert [f.date for f in firings(rule, outputs, DAYS[0])] == [DAYS[1]]
    assert firings(rule, outputs.iloc[1:], DAYS[1]) == []
    assert firings(AlertRule(kind="conviction_change"), outputs, DAYS[0]) == []


def test_the_demo_seeds_rules_and_unread_alerts_once(seeded_copy: str) -> None:
    """The seed (demo/seed.py runs seed_alerts) leaves unread alerts for the demo analyst
    and rows of other tenants; seeding the alerts again adds and changes nothing."""
    from regime_dashboard.demo.alerts import seed_alerts
    from tests.conftest import AS_OF

    analyst = "SELECT id FROM users WHERE email = 'analyst@demo.local'"
    unread = one(seeded_copy, f"SELECT count(*) FROM notifications WHERE user_id = ({analyst}) "
                              "AND dedup_key IS NOT NULL AND read_at IS NULL")  # fmt: skip
    assert unread > 0
    outside = one(seeded_copy, "SELECT count(*) FROM alert_evaluations e WHERE NOT EXISTS "
                               "(SELECT 1 FROM tenant_users m JOIN users u ON u.id = m.user_id "
                               "WHERE u.email = 'analyst@demo.local' AND m.tenant_id = e.tenant_id)")  # fmt: skip
    assert outside > 0  # rows of other tenants: row-level security has something to hide
    version = one(seeded_copy, "SELECT version FROM data_versions")
    before = sql(seeded_copy, "SELECT id, created_at, payload FROM notifications "
                              "WHERE dedup_key IS NOT NULL ORDER BY id")  # fmt: skip
    again = seed_alerts(seeded_copy, as_of=AS_OF)
    assert again.written == 0 and again.firings == len(before) and again.unreadable == 0
    assert one(seeded_copy, "SELECT version FROM data_versions") == version
    assert sql(seeded_copy, "SELECT id, created_at, payload FROM notifications "
                            "WHERE dedup_key IS NOT NULL ORDER BY id") == before  # fmt: skip
