"""The Releases page's data: two releases of one asset compared day by day and field by
field, and every release's input bars re-hashed to check its stored data_sha256. Outputs
dated outside the range pandas holds are left out (queries/dates.py) and counted (the
view's notice)."""

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
from ..queries import market
from ..reproducibility import bars_sha256
from ..scope import TenantScope
from ..viewer import Viewer
from .notices import skipped_notice
from .release_choices import ReleaseSpan, find_release, release_outputs, tenant_releases

__all__ = [
    "CHANGED",
    "REPRO_COLUMNS",
    "ReleaseComparison",
    "ReleasesView",
    "load_releases_view",
]

CHANGED = "changed since release"  # the status of a release whose inputs no longer match
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


@dataclass(frozen=True)
class ReleasesView:
    """Everything the Releases page draws for one tenant."""

    comparison: ReleaseComparison | None  # None: no two releases asked
    reproducibility: pd.DataFrame  # REPRO_COLUMNS: every release of the tenant re-hashed
    notice: str | None  # outputs left out, over every release of the tenant


def load_releases_view(
    viewer: Viewer,
    tenant_id: str,
    compared: tuple[str, str] | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> ReleasesView:
    """Tenant `tenant_id`'s releases re-hashed and the notice of outputs left out; with
    `compared` (two release ids of the tenant) and `start`/`end`, the two compared over
    that range."""
    viewer.require("analyst")
    scope = viewer.scope
    comparison = None
    if compared is not None and start is not None and end is not None:
        release_a, release_b = (find_release(scope, i) for i in compared)
        if {release_a.tenant_id, release_b.tenant_id} != {str(tenant_id)}:
            raise LookupError("the compared releases are not the tenant's")
        comparison = _compare_releases(
            scope, release_a=release_a, release_b=release_b, start=start, end=end
        )
    releases = tenant_releases(scope, str(tenant_id))
    return ReleasesView(
        comparison=comparison,
        reproducibility=_reproducibility(scope, tenant_id=str(tenant_id)),
        notice=skipped_notice(int(releases["skipped"].sum())),
    )


def _differing_spells(a: pd.DataFrame, b: pd.DataFrame) -> pd.DataFrame:
    """Runs of consecutive common days on which the two regimes differ."""
    aligned = align_releases(a[["date", "regime"]], b[["date", "regime"]])
    flags = aligned["regime_a"].ne(aligned["regime_b"]).map({True: "differs", False: "same"})
    spells = regime_spells(pd.DataFrame({"date": aligned["date"], "regime": flags}))
    return spells[spells["regime"] == "differs"].drop(columns="regime").reset_index(drop=True)


@derived
def _compare_releases(
    scope: TenantScope,
    *,
    release_a: ReleaseSpan,
    release_b: ReleaseSpan,
    start: dt.date,
    end: dt.date,
) -> ReleaseComparison:
    """Release `release_a` against `release_b` (same tenant) on their outputs from `start`
    to `end`."""
    a, b = (
        release_outputs(scope, r, start, end).drop(columns="close") for r in (release_a, release_b)
    )
    return ReleaseComparison(
        agreement=regime_agreement(a, b),
        differences=regime_differences(a, b),
        fields=field_differences(a, b),
        spells_a=regime_spells(a),
        spells_b=regime_spells(b),
        differing_spells=_differing_spells(a, b),
    )


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
    rows = bars[list(market.BAR_COLUMNS)].itertuples(index=False, name=None)
    return len(bars), bars_sha256(rows)


def _status(stored: object, recomputed: str | None) -> str:
    if recomputed is None:
        return "no outputs"
    if not isinstance(stored, str):
        return "no stored hash"
    return "matches" if stored == recomputed else CHANGED


@derived
def _reproducibility(scope: TenantScope, *, tenant_id: str) -> pd.DataFrame:
    """Every release of `tenant_id` with its input bars re-hashed: REPRO_COLUMNS, the
    releases that no longer match first, then by asset and version. env is env_json as
    compact JSON; status is 'matches', CHANGED ('changed since release': the stored
    data_sha256 differs, the inputs changed after the release), 'no stored hash' or 'no
    outputs'."""
    releases = tenant_releases(scope, tenant_id)
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
    frame = pd.DataFrame(rows, columns=REPRO_COLUMNS)
    changed_first = frame["status"].ne(CHANGED).astype(int)
    order = changed_first.sort_values(kind="stable").index
    return frame.loc[order].reset_index(drop=True)
