"""The embedded Postgres: reused by a second process, stopped by the last one out,
and not kept alive for ever by a holder that was killed."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import psutil
import psycopg
import pytest
from sqlalchemy.engine import make_url

from regime_dashboard.db.embedded import PGDATA_DIRNAME, start_embedded
from regime_dashboard.db.engine import libpq_dsn

pytestmark = pytest.mark.db

CHILD = textwrap.dedent("""
    import json, sys
    import psycopg
    from sqlalchemy.engine import make_url
    from regime_dashboard.db.embedded import start_embedded
    from regime_dashboard.db.engine import libpq_dsn
    handle = start_embedded(__import__("pathlib").Path(sys.argv[1]))
    with psycopg.connect(libpq_dsn(make_url(handle.url()))) as conn:
        conn.execute("CREATE TABLE IF NOT EXISTS marks (who text)")
        conn.execute("INSERT INTO marks VALUES ('child')")
    print(json.dumps({"postmaster": open(sys.argv[1] + "/pgdata-18/postmaster.pid").readline().strip()}))
    handle.stop()
""")


def _postmaster_pid(data_dir: Path) -> int | None:
    path = data_dir / PGDATA_DIRNAME / "postmaster.pid"
    return int(path.read_text().splitlines()[0]) if path.exists() else None


def _alive(pid: int | None) -> bool:
    """Running, not merely a zombie waiting for a parent that never reaps (containers)."""
    if pid is None or not psutil.pid_exists(pid):
        return False
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def test_a_second_process_uses_the_running_server(tmp_path: Path) -> None:
    handle = start_embedded(tmp_path)
    server_pid = _postmaster_pid(tmp_path)
    child = subprocess.run(
        [sys.executable, "-c", CHILD, str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ},
    )
    assert child.returncode == 0, child.stderr
    assert json.loads(child.stdout)["postmaster"] == str(server_pid)
    assert _alive(server_pid), "the child's exit must not stop a server another process holds"
    with psycopg.connect(libpq_dsn(make_url(handle.url()))) as conn:
        assert conn.execute("SELECT who FROM marks").fetchall() == [("child",)]
    handle.stop()
    assert not _alive(server_pid)
    assert not (tmp_path / PGDATA_DIRNAME / "postmaster.pid").exists()


def test_the_data_directory_is_reused_on_the_next_run(tmp_path: Path) -> None:
    first = start_embedded(tmp_path)
    with psycopg.connect(libpq_dsn(make_url(first.url()))) as conn:
        conn.execute("CREATE TABLE kept (x int)")
        conn.execute("INSERT INTO kept VALUES (42)")
    first.stop()
    second = start_embedded(tmp_path)
    with psycopg.connect(libpq_dsn(make_url(second.url()))) as conn:
        assert conn.execute("SELECT x FROM kept").fetchone() == (42,)
    second.stop()


def test_a_killed_holder_does_not_keep_the_server_alive(tmp_path: Path) -> None:
    handle = start_embedded(tmp_path)
    server_pid = _postmaster_pid(tmp_path)
    pid_file = tmp_path / PGDATA_DIRNAME / ".handle_pids.json"
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    pid_file.write_text(json.dumps([dead.pid, *json.loads(pid_file.read_text())]))
    handle.stop()  # the dead holder was still listed: the server stays up
    assert _alive(server_pid)
    again = start_embedded(tmp_path)  # pruning on start forgets the dead holder
    assert _postmaster_pid(tmp_path) == server_pid
    again.stop()
    assert not _alive(server_pid)
