"""Run a validated import inside one transaction.

The file is read once: each good row goes straight into a temporary table by COPY while
every problem is collected; a file with any problem rolls the transaction back, so nothing
is written. Then one INSERT … ON CONFLICT merges the rows, the release's date and input hash
are recomputed over all of its outputs, and the data version is bumped."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine

from .. import calendars
from ..queries import imports as q
from ..queries.market import BAR_COLUMNS, bars
from ..reproducibility import bars_sha256
from ..scope import TenantScope
from .reader import CsvRows
from .validate import (
    BAR_SPEC,
    DEFAULT_LABELS,
    OUTPUT_SPEC,
    Problem,
    Rules,
    check_labels,
    check_sha256,
    check_symbol,
    check_text_option,
    check_version,
    latest_allowed_date,
)

__all__ = [
    "ImportRejectedError",
    "ImportResult",
    "import_bars",
    "import_outputs",
    "trades_weekends",
]

_SATURDAY, _SUNDAY = dt.date(2024, 1, 6), dt.date(2024, 1, 7)


class ImportRejectedError(ValueError):
    """The file or the options were rejected; nothing was written."""

    def __init__(self, message: str, problems: list[Problem] | None = None) -> None:
        super().__init__(message)
        self.problems = problems or []


@dataclass(frozen=True)
class ImportResult:
    """What an import did: rows read from the file, and how many of them were inserted,
    updated (a value changed) or left unchanged; the assets and release it created."""

    rows: int
    inserted: int
    updated: int
    unchanged: int
    assets_created: tuple[str, ...] = ()
    release_created: bool = False
    release_date: dt.date | None = None
    data_sha256: str | None = None
    ignored_columns: tuple[str, ...] = ()


def _result(reader: CsvRows, counts: q.Upserted, **done: Any) -> ImportResult:
    """What an import of `reader`'s rows merged as `counts` did, with `done`: the assets
    and release it created."""
    return ImportResult(
        reader.count,
        counts.inserted,
        counts.updated,
        counts.unchanged,
        ignored_columns=tuple(reader.ignored_columns),
        **done,
    )


@lru_cache(maxsize=64)
def trades_weekends(calendar: str) -> bool:
    """Whether `calendar` has sessions on Saturdays and Sundays (asked of calendars.sessions)."""
    return len(calendars.sessions(calendar, _SATURDAY, _SUNDAY)) > 0


def _option(check: Callable[..., object], *args: object) -> object:
    try:
        return check(*args)
    except ValueError as exc:
        raise ImportRejectedError(str(exc)) from None


def _weekend_policy(
    known: dict[str, str], new_calendar: str, allowed: bool
) -> Callable[[str], bool]:
    """symbol -> whether it may have weekend bars: its stored calendar, else the new one's."""
    if allowed:
        return lambda _symbol: True

    def weekend_ok(symbol: str) -> bool:
        calendar = known.get(symbol, new_calendar)
        try:
            return trades_weekends(calendar)
        except ValueError:  # a stored calendar this version does not know: no weekend check
            return True

    return weekend_ok


def _rejected(path: Path, reader: CsvRows) -> ImportRejectedError:
    return ImportRejectedError(
        f"{path.name}: {len(reader.problems):,} problem(s); nothing was written", reader.problems
    )


def _readable(path: Path) -> None:
    if path.is_dir():
        raise ImportRejectedError(f"{path} is a folder, not a CSV file")
    if not path.is_file():
        raise ImportRejectedError(f"no such file: {path}")


def import_bars(
    engine: Engine,
    path: Path,
    *,
    asset: str | None,
    asset_class: str,
    calendar: str | None = None,
    source: str = "manual",
    allow_weekends: bool = False,
    today: dt.date | None = None,
) -> ImportResult:
    """Bars of one asset (`asset`), or of every asset named in the file's symbol column."""
    symbol = _option(check_symbol, asset) if asset is not None else None
    source = str(_option(check_text_option, "--source", source, 64))
    calendar = calendar or calendars.default_calendar(asset_class)
    _readable(path)
    with engine.begin() as conn:
        q.lock_imports(conn)
        weekend_ok = _weekend_policy(q.asset_calendars(conn), calendar, allow_weekends)
        rules = Rules(latest_allowed_date(today), weekend_ok=weekend_ok)
        reader = CsvRows(path, BAR_SPEC, rules, symbol)  # type: ignore[arg-type]
        q.stage_bars(conn, reader.rows())
        if not reader.ok:
            raise _rejected(path, reader)
        created = q.create_staged_assets(conn, asset_class=asset_class, calendar=calendar)
        counts = q.upsert_staged_bars(conn, source=source, staged=reader.count)
        q.bump_data_version(conn)
    return _result(reader, counts, assets_created=tuple(sorted(created)))


@dataclass(frozen=True)
class OutputOptions:
    symbol: str
    version: str
    labels: frozenset[str]
    git_commit: str | None
    data_sha256: str | None


def _output_options(
    asset: str, version: str, labels: str | None, git_commit: str | None, sha: str | None
) -> OutputOptions:
    return OutputOptions(
        str(_option(check_symbol, asset)),
        str(_option(check_version, version)),
        _option(check_labels, labels),  # type: ignore[arg-type]
        _option(check_text_option, "--git-commit", git_commit, 64),  # type: ignore[arg-type]
        _option(check_sha256, sha),  # type: ignore[arg-type]
    )


def import_outputs(
    engine: Engine,
    path: Path,
    *,
    asset: str,
    tenant: str,
    version: str,
    asset_class: str,
    calendar: str | None = None,
    labels: str | None = None,
    git_commit: str | None = None,
    data_sha256: str | None = None,
    today: dt.date | None = None,
) -> ImportResult:
    """A release's daily outputs; the release is created on its first import. Its regimes
    must be DEFAULT_LABELS or labels the release declares (`labels`, kept in env_json)."""
    opts = _output_options(asset, version, labels, git_commit, data_sha256)
    calendar = calendar or calendars.default_calendar(asset_class)
    _readable(path)
    with engine.begin() as conn:
        q.lock_imports(conn)
        tenant_id = q.tenant_id_by_name(conn, tenant)
        if tenant_id is None:
            raise ImportRejectedError(
                f"unknown tenant {tenant!r} (`regime-dashboard tenants` lists them)"
            )
        found = q.find_release(
            conn, tenant_id=tenant_id, asset_id=opts.symbol, version=opts.version
        )
        declared = opts.labels | frozenset(found[1].get("regime_labels", []) if found else [])
        rules = Rules(latest_allowed_date(today), labels=DEFAULT_LABELS | declared)
        reader = CsvRows(path, OUTPUT_SPEC, rules)
        q.stage_outputs(conn, reader.rows())
        if not reader.ok:
            raise _rejected(path, reader)
        created = q.ensure_asset(
            conn, asset_id=opts.symbol, asset_class=asset_class, calendar=calendar
        )
        release_id = found[0] if found else _new_release(conn, tenant_id, opts)
        counts = q.upsert_staged_outputs(
            conn, tenant_id=tenant_id, release_id=release_id, staged=reader.count
        )
        release_date, digest = _refresh_release(conn, tenant_id, release_id, opts, declared)
        q.bump_data_version(conn)
    return _result(
        reader,
        counts,
        assets_created=(opts.symbol,) if created else (),
        release_created=found is None,
        release_date=release_date,
        data_sha256=digest,
    )


def _new_release(conn: Connection, tenant_id: uuid.UUID, opts: OutputOptions) -> uuid.UUID:
    return q.create_release(
        conn,
        tenant_id=tenant_id,
        asset_id=opts.symbol,
        version=opts.version,
        release_date=dt.date.today(),  # replaced by _refresh_release in the same transaction
        git_commit=opts.git_commit,
    )


def _refresh_release(
    conn: Connection,
    tenant_id: uuid.UUID,
    release_id: uuid.UUID,
    opts: OutputOptions,
    declared: frozenset[str],
) -> tuple[dt.date, str | None]:
    """Release date = its last output date; data_sha256 = the given hash, else the hash of
    the asset's bars over all of its outputs (reproducibility.py)."""
    first, last = q.release_window(conn, tenant_id=tenant_id, release_id=release_id)
    digest = opts.data_sha256 or _inputs_hash(conn, opts.symbol, first, last)
    q.update_release(
        conn,
        tenant_id=tenant_id,
        release_id=release_id,
        release_date=last,
        data_sha256=digest,
        labels=sorted(declared),
        git_commit=opts.git_commit,
    )
    return last, digest


def _inputs_hash(conn: Connection, asset_id: str, start: dt.date, end: dt.date) -> str | None:
    """Hash of the bars now stored for the window; None when there are none."""
    window = bars(conn, scope=TenantScope.everything(), asset_id=asset_id, start=start, end=end)
    if window.empty:
        return None
    return bars_sha256(window[list(BAR_COLUMNS)].itertuples(index=False, name=None))
