"""`regime-dashboard import-bars` / `import-outputs`: good files upsert, bad files write nothing."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest
from sqlalchemy.engine import make_url

from regime_dashboard.cli import main
from regime_dashboard.config import get_settings
from regime_dashboard.db.engine import libpq_dsn
from regime_dashboard.reproducibility import bars_sha256

pytestmark = pytest.mark.db

YAHOO = """Date,Open,High,Low,Close,Adj Close,Volume
2024-01-02,472.16,473.67,470.49,472.65,466.0,123623700
2024-01-03,470.43,471.19,468.17,468.79,462.19,103585900
2024-01-04,468.30,470.96,467.05,467.28,460.70,84232200
"""


@pytest.fixture
def db(empty_db: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("DATABASE_URL", empty_db)
    get_settings.cache_clear()
    yield empty_db
    get_settings.cache_clear()


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
    assert _rows(db, "SELECT id, asset_class, calendar FROM assets") == [
        ("SPY", "equity", "trading_252")
    ]
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
    assert _rows(db, "SELECT calendar FROM assets") == [("calendar_365",)]
