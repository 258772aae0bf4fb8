"""`regime-dashboard import-bars` / `import-outputs`: good files upsert, bad files write nothing."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import psycopg
import pytest
from sqlalchemy.engine import make_url

from regime_dashboard.cli import main
from regime_dashboard.db.engine import libpq_dsn
from regime_dashboard.reproducibility import bars_sha256

pytestmark = pytest.mark.db

YAHOO = """Date,Open,High,Low,Close,Adj Close,Volume
2024-01-02,472.16,473.67,470.49,472.65,466.0,123623700
2024-01-03,470.43,471.19,468.17,468.79,462.19,103585900
2024-01-04,468.30,470.96,467.05,467.28,460.70,84232200
"""


def _rows(url: str, query: str, *params: object) -> list[tuple]:
    with psycopg.connect(libpq_dsn(make_url(url))) as conn:
        return conn.execute(query, params).fetchall()


def _write(tmp_path: Path, text: str, name: str = "file.csv") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_yahoo_style_bars_import_and_create_the_asset(db: str, tmp_path: Path) -> None:
    code = main(["import-bars", str(_write(tmp_path, YAHOO)), "--asset", "spy"])
    assert code == 0
    assert _rows(db, "SELECT id, asset_class, calendar FROM assets") == [("SPY", "equity", "XNYS")]
    rows = _rows(db, "SELECT date::text, close, adj_close, volume FROM price_bars ORDER BY date")
    assert rows[0] == ("2024-01-02", 472.65, 466.0, 123623700.0)
    assert len(rows) == 3


def test_reimport_updates_rows_by_primary_key(db: str, tmp_path: Path) -> None:
    main(["import-bars", str(_write(tmp_path, YAHOO)), "--asset", "SPY"])
    corrected = YAHOO.replace("468.79", "469.00")
    assert main(["import-bars", str(_write(tmp_path, corrected, "b.csv")), "--asset", "SPY"]) == 0
    assert _rows(db, "SELECT count(*), sum(close) FROM price_bars")[0] == (
        3,
        472.65 + 469.00 + 467.28,
    )


def test_a_file_with_bad_rows_is_rejected_whole(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = (
        "date,open,high,low,close,volume\n"
        "2024-01-02,10,11,9,10.5,100\n"  # good
        "2024-01-03,10,11,9,,100\n"  # line 3: missing close
        "2024-01-04,10,9,11,10,100\n"  # line 4: high < low
        "04/01/2024,10,11,9,10,100\n"  # line 5: unparseable date
        "2024-01-02,10,11,9,10,100\n"  # line 6: duplicate of line 2
        "2024-01-08,10,11,9,-3,100\n"  # line 7: non-positive price
    )
    code = main(["import-bars", str(_write(tmp_path, bad)), "--asset", "XYZ"])
    err = capsys.readouterr().err
    assert code == 1
    assert "nothing was written" in err
    assert "line 3: missing close" in err
    assert "line 4: high 9.0 < low 11.0" in err
    assert "line 5: unparseable date '04/01/2024'" in err
    assert "line 6: duplicate date 2024-01-02 (first on line 2)" in err
    assert "line 7: non-positive price in close" in err
    assert _rows(db, "SELECT count(*) FROM price_bars")[0][0] == 0
    assert _rows(db, "SELECT count(*) FROM assets")[0][0] == 0


def test_missing_columns_are_reported_on_the_header_line(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert (
        main(
            [
                "import-bars",
                str(_write(tmp_path, "date,open,high\n2024-01-02,1,2\n")),
                "--asset",
                "X",
            ]
        )
        == 1
    )
    assert "line 1: missing column(s): low, close" in capsys.readouterr().err


def _seed_tenant(url: str) -> None:
    with psycopg.connect(libpq_dsn(make_url(url))) as conn:
        conn.execute(
            "INSERT INTO tenants (id, name) VALUES ('00000000-0000-4000-8000-00000000000a', 'Acme')"
        )


def test_outputs_import_creates_the_release_with_the_hash_of_its_bars(
    db: str, tmp_path: Path
) -> None:
    _seed_tenant(db)
    main(["import-bars", str(_write(tmp_path, YAHOO)), "--asset", "SPY"])
    outputs = (
        "date,regime,confidence,conviction,risk_level\n"
        "2024-01-02,bull,0.8,high,0.2\n2024-01-03,bear,0.55,low,\n"
    )
    code = main(
        [
            "import-outputs",
            str(_write(tmp_path, outputs, "o.csv")),
            "--asset",
            "SPY",
            "--tenant",
            "Acme",
            "--release-version",
            "v9",
        ]
    )
    assert code == 0
    (sha,) = _rows(db, "SELECT data_sha256 FROM engine_releases WHERE version = 'v9'")[0]
    bars = _rows(
        db,
        "SELECT date, open, high, low, close, adj_close, volume FROM price_bars "
        "WHERE date <= '2024-01-03' ORDER BY date",
    )
    assert sha == bars_sha256(bars)
    assert _rows(
        db,
        "SELECT date::text, regime, confidence, risk_level FROM engine_outputs_daily ORDER BY date",
    ) == [("2024-01-02", "bull", 0.8, 0.2), ("2024-01-03", "bear", 0.55, None)]


def test_outputs_with_confidence_outside_the_unit_interval_write_nothing(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _seed_tenant(db)
    outputs = (
        "Date,Regime,Confidence,Conviction\n2024-01-02,bull,1.2,high\n2024-01-03,bear,0.5,low\n"
    )
    code = main(
        [
            "import-outputs",
            str(_write(tmp_path, outputs)),
            "--asset",
            "BTCUSD",
            "--asset-class",
            "crypto",
            "--tenant",
            "Acme",
            "--release-version",
            "v1",
        ]
    )
    assert code == 1
    assert "line 2: confidence 1.2 outside [0, 1]" in capsys.readouterr().err
    assert _rows(db, "SELECT count(*) FROM engine_releases")[0][0] == 0
    assert _rows(db, "SELECT count(*) FROM assets")[0][0] == 0


def test_unknown_tenant_is_refused(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    outputs = "date,regime,confidence,conviction\n2024-01-02,bull,0.7,medium\n"
    code = main(
        [
            "import-outputs",
            str(_write(tmp_path, outputs)),
            "--asset",
            "ETHUSD",
            "--asset-class",
            "crypto",
            "--tenant",
            "Nobody",
            "--release-version",
            "v1",
        ]
    )
    assert code == 1
    assert "unknown tenant 'Nobody'" in capsys.readouterr().err
    assert _rows(db, "SELECT count(*) FROM assets")[0][0] == 0


def test_new_crypto_assets_default_to_the_365_day_calendar(db: str, tmp_path: Path) -> None:
    assert (
        main(
            [
                "import-bars",
                str(_write(tmp_path, YAHOO)),
                "--asset",
                "BTCUSD",
                "--asset-class",
                "crypto",
            ]
        )
        == 0
    )
    assert _rows(db, "SELECT calendar FROM assets") == [("24/7",)]


def _import_outputs(path: Path, *extra: str, version: str = "v1", asset: str = "SPY") -> int:
    return main(
        [
            "import-outputs",
            str(path),
            "--asset",
            asset,
            "--tenant",
            "Acme",
            "--release-version",
            version,
            *extra,
        ]
    )


def _weekdays(first: dt.date, count: int) -> list[dt.date]:
    days, day = [], first
    while len(days) < count:
        if day.weekday() < 5:
            days.append(day)
        day += dt.timedelta(days=1)
    return days


def test_a_30_year_daily_release_of_7800_rows_imports_whole(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """One multi-row VALUES of 7,800 rows x 15 columns passed PostgreSQL's 65,535 bound
    parameters; the staged COPY has no such limit."""
    _seed_tenant(db)
    days = _weekdays(dt.date(1995, 1, 2), 7_800)
    labels = ("bull", "neutral", "bear", "crisis")
    lines = [
        f"{d},{labels[i % 4]},{(i % 100) / 100},{'low' if i % 2 else 'high'},{i % 7 / 10}\n"
        for i, d in enumerate(days)
    ]
    path = _write(tmp_path, "date,regime,confidence,conviction,risk_level\n" + "".join(lines))
    assert _import_outputs(path) == 0
    out = capsys.readouterr().out
    assert "imported 7,800 outputs for SPY: 7,800 inserted, 0 updated, 0 unchanged" in out
    assert "new asset SPY" in out and "new release v1 of Acme" in out
    assert _rows(
        db, "SELECT count(*), min(date), max(date), sum(confidence) FROM engine_outputs_daily"
    )[0] == (7_800, days[0], days[-1], pytest.approx(sum((i % 100) / 100 for i in range(7_800))))
    assert _rows(db, "SELECT release_date FROM engine_releases") == [(days[-1],)]


def _canonical_sha(lines: list[str]) -> str:
    return hashlib.sha256("".join(f"{line}\n" for line in lines).encode()).hexdigest()


def test_a_later_import_moves_the_release_date_and_rehashes_its_bars(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _seed_tenant(db)
    main(["import-bars", str(_write(tmp_path, YAHOO, "bars.csv")), "--asset", "SPY"])
    head = "date,regime,confidence,conviction\n"
    first = _write(tmp_path, head + "2024-01-02,bull,0.8,high\n", "o1.csv")
    assert _import_outputs(first) == 0
    assert _rows(db, "SELECT release_date::text, data_sha256 FROM engine_releases") == [
        ("2024-01-02", _canonical_sha(["2024-01-02,472.16,473.67,470.49,472.65,466.0,123623700.0"]))
    ]
    later = _write(
        tmp_path, head + "2024-01-03,bear,0.6,low\n2024-01-04,bear,0.7,medium\n", "o2.csv"
    )
    capsys.readouterr()
    assert _import_outputs(later) == 0
    assert "2 inserted, 0 updated, 0 unchanged; release v1 of Acme: release date 2024-01-04" in (
        capsys.readouterr().out
    )
    assert _rows(db, "SELECT release_date::text, data_sha256 FROM engine_releases") == [
        (
            "2024-01-04",
            _canonical_sha(
                [
                    "2024-01-02,472.16,473.67,470.49,472.65,466.0,123623700.0",
                    "2024-01-03,470.43,471.19,468.17,468.79,462.19,103585900.0",
                    "2024-01-04,468.3,470.96,467.05,467.28,460.7,84232200.0",
                ]
            ),
        )
    ]


def test_the_import_says_what_it_created_inserted_updated_and_left_alone(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["import-bars", str(_write(tmp_path, YAHOO)), "--asset", "spy"]) == 0
    assert capsys.readouterr().out == (
        "imported 3 bars for SPY: 3 inserted, 0 updated, 0 unchanged; new asset SPY\n"
    )
    corrected = YAHOO.replace("468.79", "469.00") + "2024-01-05,467.49,470.44,466.43,467.92,,\n"
    assert main(["import-bars", str(_write(tmp_path, corrected, "b.csv")), "--asset", "SPY"]) == 0
    assert capsys.readouterr().out == (
        "imported 4 bars for SPY: 1 inserted, 1 updated, 2 unchanged\n"
    )


def test_a_bars_file_with_a_symbol_column_loads_many_assets(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """100,000 rows (the benchmark loads a million): 20 assets of 5,000 weekdays."""
    days = _weekdays(dt.date(2000, 1, 3), 5_000)
    lines = [f"A{k:02d},{d},10,12,8,11,,{k}\n" for k in range(20) for d in days]
    path = _write(tmp_path, "symbol,date,open,high,low,close,adj_close,volume\n" + "".join(lines))
    assert main(["import-bars", str(path)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("imported 100,000 bars: 100,000 inserted, 0 updated, 0 unchanged")
    assert _rows(db, "SELECT count(*), count(DISTINCT asset_id), sum(volume) FROM price_bars") == [
        (100_000, 20, 5_000.0 * sum(range(20)))
    ]


def test_weekend_bars_need_a_weekend_calendar_or_the_flag(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    saturday = _write(
        tmp_path, "date,open,high,low,close\n2024-01-05,10,11,9,10\n2024-01-06,10,11,9,10\n"
    )
    assert main(["import-bars", str(saturday), "--asset", "SPY"]) == 1
    assert "line 3: 2024-01-06 is a Saturday and SPY's calendar has no weekend sessions" in (
        capsys.readouterr().err
    )
    assert _rows(db, "SELECT count(*) FROM assets")[0][0] == 0
    assert (
        main(["import-bars", str(saturday), "--asset", "BTC-USD", "--asset-class", "crypto"]) == 0
    )
    assert main(["import-bars", str(saturday), "--asset", "SPY", "--allow-weekends"]) == 0
    assert _rows(db, "SELECT asset_id, count(*) FROM price_bars GROUP BY 1 ORDER BY 1") == [
        ("BTC-USD", 2),
        ("SPY", 2),
    ]


def test_regime_labels_beyond_the_default_set_must_be_declared(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _seed_tenant(db)
    head = "date,regime,confidence,conviction\n"
    calm = _write(tmp_path, head + "2024-01-02,calm,0.8,high\n2024-01-03,bull,0.8,certain\n")
    assert _import_outputs(calm) == 1
    err = capsys.readouterr().err
    assert "line 2: unknown regime 'calm'" in err
    assert "line 3: unknown conviction 'certain' (known: high, low, medium)" in err
    assert _rows(db, "SELECT count(*) FROM engine_releases")[0][0] == 0
    calm = _write(tmp_path, head + "2024-01-02,calm,0.8,high\n", "calm.csv")
    assert _import_outputs(calm, "--labels", "calm,storm") == 0
    assert _rows(db, "SELECT env_json -> 'regime_labels' FROM engine_releases") == [
        (["calm", "storm"],)
    ]
    storm = _write(tmp_path, head + "2024-01-03,storm,0.6,low\n", "storm.csv")
    assert _import_outputs(storm) == 0  # declared by the release's first import
    assert _import_outputs(storm, version="v2") == 1  # another release has not declared it


def test_dates_are_strict_and_inside_1900_to_tomorrow(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tomorrow = dt.datetime.now(dt.UTC).date() + dt.timedelta(days=1)
    bad = (
        "date,open,high,low,close\n"
        "0001-01-03,10,11,9,10\n"
        "2999-12-31,10,11,9,10\n"
        "2024-01-16garbage,10,11,9,10\n"
        "2024-1-17,10,11,9,10\n"
        "1899-12-29,10,11,9,10\n"
    )
    assert (
        main(["import-bars", str(_write(tmp_path, bad)), "--asset", "SPY", "--allow-weekends"]) == 1
    )
    err = capsys.readouterr().err
    assert f"line 2: date 0001-01-03 outside 1900-01-01 .. {tomorrow}" in err
    assert f"line 3: date 2999-12-31 outside 1900-01-01 .. {tomorrow}" in err
    assert "line 4: unparseable date '2024-01-16garbage' (expected YYYY-MM-DD)" in err
    assert "line 5: unparseable date '2024-1-17'" in err
    assert "line 6: date 1899-12-29 outside" in err
    assert _rows(db, "SELECT count(*) FROM assets")[0][0] == 0


def test_prices_outside_the_days_range_are_rejected(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = (
        "date,open,high,low,close\n"
        "2024-01-02,10,11,9,11.5\n"
        "2024-01-03,8.5,11,9,10\n"
        "2024-01-04,12,11,9,10\n"
        "2024-01-05,10,11,9,8\n"
    )
    assert main(["import-bars", str(_write(tmp_path, bad)), "--asset", "SPY"]) == 1
    err = capsys.readouterr().err
    assert "line 2: close 11.5 > high 11.0" in err
    assert "line 3: open 8.5 < low 9.0" in err
    assert "line 4: open 12.0 > high 11.0" in err
    assert "line 5: close 8.0 < low 9.0" in err
    assert _rows(db, "SELECT count(*) FROM price_bars")[0][0] == 0


def test_over_long_release_versions_are_refused(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _seed_tenant(db)
    outputs = _write(tmp_path, "date,regime,confidence,conviction\n2024-01-02,bull,0.7,low\n")
    assert _import_outputs(outputs, version="v" * 65) == 1
    assert "invalid release version" in capsys.readouterr().err
    assert _import_outputs(outputs, version="v" * 64) == 0


def test_two_imports_of_the_same_new_bars_at_once_both_succeed(
    db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each import counts the keys a file already has and inserts new ones plainly: two at
    once must take turns, so the second finds the first's rows and leaves them unchanged.
    Both imports are held after staging until the other has staged too (or 3 s passed):
    without turns, both then count nothing and insert the same keys."""
    import contextlib
    import threading

    from sqlalchemy import create_engine

    from regime_dashboard.imports import run as import_run

    staged_both = threading.Barrier(2, timeout=3)
    real_stage = import_run.q.stage_bars

    def stage_then_wait(conn: object, rows: object) -> None:
        real_stage(conn, rows)
        # broken: the other import is waiting for its turn
        with contextlib.suppress(threading.BrokenBarrierError):
            staged_both.wait()

    engine = create_engine(db)
    first = _write(tmp_path, "date,open,high,low,close\n2019-12-31,10,11,9,10.5\n", "a.csv")
    import_run.import_bars(engine, first, asset="SPY", asset_class="equity")  # asset exists
    monkeypatch.setattr(import_run.q, "stage_bars", stage_then_wait)
    days = [dt.date(2020, 1, 1) + dt.timedelta(days=i) for i in range(400)]
    lines = [f"{d},10,11,9,10.5,10.5,100" for d in days if d.weekday() < 5]
    path = _write(tmp_path, "date,open,high,low,close,adj_close,volume\n" + "\n".join(lines))
    outcomes: list[object] = []

    def run() -> None:
        try:
            result = import_run.import_bars(engine, path, asset="SPY", asset_class="equity")
            outcomes.append((result.inserted, result.unchanged))
        except Exception as error:  # the defect: a unique violation from the second import
            outcomes.append(type(error).__name__)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    engine.dispose()
    assert sorted(outcomes, key=str) == [(0, len(lines)), (len(lines), 0)]
    assert _rows(db, "SELECT count(*) FROM price_bars") == [(len(lines) + 1,)]
