"""`regime-dashboard tenants`, and the CLI's answer to bad input: one line per problem and
exit 1, never a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from sqlalchemy.engine import make_url

from regime_dashboard.cli import main
from regime_dashboard.db.engine import libpq_dsn

pytestmark = pytest.mark.db

ACME = "00000000-0000-4000-8000-00000000000a"
BETA = "00000000-0000-4000-8000-00000000000b"


def _execute(url: str, *statements: str) -> None:
    with psycopg.connect(libpq_dsn(make_url(url))) as conn:
        for statement in statements:
            conn.execute(statement)


def test_tenants_lists_name_plan_status_and_members(
    db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    _execute(
        db,
        "INSERT INTO plans (id, name, price_monthly_cents) VALUES ('pro', 'Pro', 9900)",
        f"INSERT INTO tenants (id, name) VALUES ('{ACME}', 'Acme'), ('{BETA}', 'Beta')",
        "INSERT INTO users (id, email) VALUES "
        "('00000000-0000-4000-8000-000000000001', 'a@acme.test'), "
        "('00000000-0000-4000-8000-000000000002', 'b@acme.test')",
        "INSERT INTO tenant_users (tenant_id, user_id) VALUES "
        f"('{ACME}', '00000000-0000-4000-8000-000000000001'), "
        f"('{ACME}', '00000000-0000-4000-8000-000000000002')",
        "INSERT INTO subscriptions (id, tenant_id, plan_id, status, price_cents, started_at) "
        f"VALUES ('00000000-0000-4000-8000-0000000000f1', '{ACME}', 'pro', 'active', 9900, "
        "'2026-01-01')",
    )
    assert main(["tenants"]) == 0
    assert capsys.readouterr().out == (
        "name  plan  status  members\nAcme  pro   active        2\nBeta  –     –             0\n"
    )


def _write(tmp_path: Path, data: bytes, name: str = "file.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def _one_line_error(capsys: pytest.CaptureFixture[str]) -> list[str]:
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return [line for line in err.splitlines() if not line.startswith("Database: ")]


def test_a_file_that_is_not_utf8_is_one_problem(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    latin1 = b"date,open,high,low,close\n2024-01-02,10,11,9,10\n2024-01-03,10,11,9,10 \xa4\n"
    path = _write(tmp_path, latin1)  # the euro sign of ISO-8859-15: byte 23 of line 3
    assert main(["import-bars", str(path), "--asset", "SPY"]) == 1
    assert _one_line_error(capsys) == [
        "error: file.csv: 1 problem(s); nothing was written",
        "  line 3: not UTF-8 text (byte 0xa4 at position 23)",
    ]


def test_a_field_over_131072_characters_is_one_problem(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    huge = b"date,open,high,low,close\n2024-01-02,10,11,9," + b"1" * 131_073 + b"\n"
    assert main(["import-bars", str(_write(tmp_path, huge)), "--asset", "SPY"]) == 1
    assert _one_line_error(capsys) == [
        "error: file.csv: 1 problem(s); nothing was written",
        "  line 2: unreadable CSV: a field is longer than 131,072 characters",
    ]


@pytest.mark.parametrize("symbol", ["BTC/USD", "", "A" * 40])
def test_an_invalid_asset_symbol_is_one_line(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], symbol: str
) -> None:
    path = _write(tmp_path, b"date,open,high,low,close\n2024-01-02,10,11,9,10\n")
    assert main(["import-bars", str(path), "--asset", symbol]) == 1
    (line,) = _one_line_error(capsys)
    assert line.startswith(f"error: invalid asset symbol {symbol[:40]!r}: 1-32 characters")


def test_a_database_that_cannot_be_reached_is_one_line(tmp_path: Path) -> None:
    """The installed command, in its own process: what a user's terminal shows."""
    path = _write(tmp_path, b"date,open,high,low,close\n2024-01-02,10,11,9,10\n")
    done = subprocess.run(
        [sys.executable, "-m", "regime_dashboard.cli", "import-bars", str(path), "--asset", "X"],
        env={**os.environ, "DATABASE_URL": "postgresql://nobody@127.0.0.1:9/none"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    (line,) = [x for x in done.stderr.splitlines() if not x.startswith("Database: ")]
    assert line.startswith("error: OperationalError: connection failed:")
