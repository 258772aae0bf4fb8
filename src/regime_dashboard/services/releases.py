"""The Releases page's data: two releases of one asset compared day by day and field by
field, and every release's input bars re-hashed to check its stored data_sha256. Outputs
dated outside the range pandas holds are left out (queries/dates.py) and counted
(`releases_notice`)."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

import pandas as pd

from ..cache import derived, run_query
from ..metrics.regimes import regime_spells
from ..metrics.release_diff import (
    Agreement,
    align_releases,
    field_differences,
    regime_agreement,
    regime_differences,
)
from ..queries import market, regimes
from ..reproducibility import bars_sha256
from ..scope import TenantScope
from .notices import skipped_notice
from .regimes import tenant_releases, visible_releases

__all__ = [
    "REPRO_COLUMNS",
    "ReleaseComparison",
    "compare_releases",
    "releases_notice",
    "reproducibility",
    "tenant_releases",
    "visible_releases",
]

REPRO_COLUMNS = [
    "asset_id",
    "version",
    "release_date",
    "git_commit",
    "env",
    "first_date",
    "last_date",
    "bars",
    "stored_sha256",
    "recomputed_sha256",
    "status",
]


@dataclass(frozen=True)
class ReleaseComparison:
    agreement: Agreement  # days in each, common, agreeing, share agreeing, only in one
    differences: pd.DataFrame  # date, regime_a, regime_b, confidence_a, confidence_b
    fields: pd.DataFrame  # metrics.release_diff.FIELD_COLUMNS
    spells_a: pd.DataFrame  # regime, start, end, days
    spells_b: pd.DataFrame
    differing_spells: pd.DataFrame  # start, end, days: runs of common days that differ


def _series(
    scope: TenantScope, tenant_id: str, release_id: str, start: dt.date, end: dt.date
) -> pd.DataFrame:
    outputs = run_query(
        regimes.regime_series,
        scope=scope,
        tenant_id=tenant_id,
        release_id=release_id,
        start=start,
        end=end,
    )
    return outputs.drop(columns="close").assign(date=pd.to_datetime(outputs["date"]))


def _differing_spells(a: pd.DataFrame, b: pd.DataFrame) -> pd.DataFrame:
    """Runs of consecutive common days on which the two regimes differ."""
    aligned = align_releases(a[["date", "regime"]], b[["date", "regime"]])
    flags = aligned["regime_a"].ne(aligned["regime_b"]).map({True: "differs", False: "same"})
    spells = regime_spells(pd.DataFrame({"date": aligned["date"], "regime": flags}))
    return spells[spells["regime"] == "differs"].drop(columns="regime").reset_index(drop=True)


@derived
def compare_releases(
    scope: TenantScope,
    *,
    tenant_id: str,
    release_a: str,
    release_b: str,
    start: dt.date,
    end: dt.date,
) -> ReleaseComparison:
    """Release `release_a` against `release_b` (same tenant) on their outputs from `start`
    to `end`."""
    a = _series(scope, tenant_id, release_a, start, end)
    b = _series(scope, tenant_id, release_b, start, end)
    return ReleaseComparison(
        agreement=regime_agreement(a, b),
        differences=regime_differences(a, b),
        fields=field_differences(a, b),
        spells_a=regime_spells(a),
        spells_b=regime_spells(b),
        differing_spells=_differing_spells(a, b),
    )


def releases_notice(releases: pd.DataFrame) -> str | None:
    """The page's notice of outputs left out, over every release it lists (`releases`:
    tenant_releases' frame of the tenant, whose releases the reproducibility table shows)."""
    return skipped_notice(int(releases["skipped"].sum()))


def _rehash(scope: TenantScope, release: pd.Series) -> tuple[int, str | None]:
    """(bars, SHA-256 of the canonical serialization of the asset's bars from the release's
    first to its last output date); (0, None) for a release without outputs."""
    if pd.isna(release["first_date"]) or pd.isna(release["last_date"]):
        return 0, None
    bars = run_query(
        market.bars,
        scope=scope,
        asset_id=release["asset_id"],
        start=release["first_date"],
        end=release["last_date"],
    )
    rows = bars[market.BAR_COLUMNS].itertuples(index=False, name=None)
    return len(bars), bars_sha256(rows)


def _status(stored: object, recomputed: str | None) -> str:
    if recomputed is None:
        return "no outputs"
    if not isinstance(stored, str):
        return "no stored hash"
    return "matches" if stored == recomputed else "changed since release"


@derived
def reproducibility(scope: TenantScope, *, tenant_id: str) -> pd.DataFrame:
    """Every release of `tenant_id` with its input bars re-hashed: REPRO_COLUMNS, by asset
    then version. env is env_json as compact JSON; status is 'matches', 'changed since
    release' (stored data_sha256 differs: the inputs changed after the release), 'no stored
    hash' or 'no outputs'."""
    releases = tenant_releases(scope, tenant_id=tenant_id)
    rows = []
    for release in (r for _, r in releases.iterrows()):
        count, digest = _rehash(scope, release)
        rows.append(
            {
                **{c: release[c] for c in ("asset_id", "version", "release_date", "git_commit")},
                "env": json.dumps(json.loads(release["env_json"] or "{}"), sort_keys=True),
                "first_date": release["first_date"],
                "last_date": release["last_date"],
                "bars": count,
                "stored_sha256": release["data_sha256"],
                "recomputed_sha256": digest,
                "status": _status(release["data_sha256"], digest),
            }
        )
    return pd.DataFrame(rows, columns=REPRO_COLUMNS)
