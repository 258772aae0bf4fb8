"""Run a validated import inside one transaction."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine

from ..queries import imports as q
from ..queries.market import BAR_COLUMNS, bars
from ..reproducibility import bars_sha256
from ..scope import TenantScope
from .validate import BAR_SPEC, OUTPUT_SPEC, ValidatedFile, validate_csv

__all__ = ["ImportRejectedError", "ImportResult", "import_bars", "import_outputs"]


class ImportRejectedError(ValueError):
    """The file or the options were rejected; nothing was written."""

    def __init__(self, message: str, validated: ValidatedFile | None = None) -> None:
        super().__init__(message)
        self.validated = validated


@dataclass
class ImportResult:
    rows: int
    asset_created: bool
    release_created: bool = False
    ignored_columns: tuple[str, ...] = ()


def _checked(path: Path, spec) -> ValidatedFile:  # type: ignore[no-untyped-def]
    if not path.is_file():
        raise ImportRejectedError(f"no such file: {path}")
    validated = validate_csv(path, spec)
    if not validated.ok:
        raise ImportRejectedError(
            f"{path.name}: {len(validated.problems)} problem(s); nothing was written", validated
        )
    return validated


def _symbol(asset: str) -> str:
    return asset.strip().upper()


def import_bars(
    engine: Engine,
    path: Path,
    *,
    asset: str,
    asset_class: str,
    calendar: str,
    source: str = "manual",
) -> ImportResult:
    validated = _checked(path, BAR_SPEC)
    with engine.begin() as conn:
        created = q.ensure_asset(
            conn, asset_id=_symbol(asset), asset_class=asset_class, calendar=calendar
        )
        rows = q.upsert_bars(conn, asset_id=_symbol(asset), rows=validated.rows, source=source)
        q.bump_data_version(conn)
    return ImportResult(rows, created, ignored_columns=tuple(validated.ignored_columns))


def import_outputs(
    engine: Engine,
    path: Path,
    *,
    asset: str,
    tenant: str,
    version: str,
    asset_class: str,
    calendar: str,
    git_commit: str | None = None,
    data_sha256: str | None = None,
) -> ImportResult:
    validated = _checked(path, OUTPUT_SPEC)
    dates = [r["date"] for r in validated.rows]
    with engine.begin() as conn:
        tenant_id = q.tenant_id_by_name(conn, tenant)
        if tenant_id is None:
            raise ImportRejectedError(
                f"unknown tenant {tenant!r}: tenants are created by the platform"
            )
        symbol = _symbol(asset)
        created = q.ensure_asset(conn, asset_id=symbol, asset_class=asset_class, calendar=calendar)
        release_id, new_release = q.ensure_release(
            conn,
            tenant_id=tenant_id,
            asset_id=symbol,
            version=version,
            release_date=max(dates),
            git_commit=git_commit,
        )
        if new_release:
            digest = data_sha256 or _inputs_hash(conn, symbol, min(dates), max(dates))
            q.set_release_hash(conn, tenant_id=tenant_id, release_id=release_id, data_sha256=digest)
        rows = q.upsert_outputs(
            conn, tenant_id=tenant_id, release_id=release_id, rows=validated.rows
        )
        q.bump_data_version(conn)
    return ImportResult(rows, created, new_release, tuple(validated.ignored_columns))


def _inputs_hash(conn, asset_id: str, start: dt.date, end: dt.date) -> str | None:  # type: ignore[no-untyped-def]
    """Hash of the bars now stored for the window; None when there are none."""
    window = bars(conn, scope=TenantScope.everything(), asset_id=asset_id, start=start, end=end)
    if window.empty:
        return None
    return bars_sha256(window[BAR_COLUMNS].itertuples(index=False, name=None))
