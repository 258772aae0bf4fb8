"""Releases: two engine releases of one asset compared, and every release's inputs re-hashed."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from regime_dashboard.charts.releases import release_lanes_figure
from regime_dashboard.services import releases as svc
from regime_dashboard.services.release_choices import ReleaseSpan
from regime_dashboard.session import page_viewer
from regime_dashboard.ui import plain, range_picker, share_column, show_table
from regime_dashboard.ui.pickers import pick_release, pick_tenant_asset
from regime_dashboard.ui.reproducibility import reproducibility_table

NUM = st.column_config.NumberColumn(format="%.4g")  # 0.425947 -> 0.4259 (CSV: whole)
STATUS_SHOWN = {  # the reproducibility table's status, with an icon; no longer matching first
    svc.CHANGED: "⚠ Changed since release",
    "matches": "✓ Matches",
    "no stored hash": "? No stored hash",
    "no outputs": "· No outputs",
}


def _comparison(diff: svc.ReleaseComparison, version_a: str, version_b: str) -> None:
    """The two releases compared: agreement cards, their lanes and the two tables."""
    agree = diff.agreement
    cols = st.columns(4)
    share = agree["share_agreeing"]
    cols[0].metric("Days that agree", "—" if pd.isna(share) else f"{share:.1%}")
    cols[1].metric("Days compared", f"{agree['common_days']:,}")
    cols[2].metric("Days whose regime differs", f"{len(diff.differences):,}")
    cols[3].metric("Only in A / only in B", f"{agree['only_a']:,} / {agree['only_b']:,}")
    st.plotly_chart(
        release_lanes_figure(
            diff.spells_a, diff.spells_b, diff.differing_spells, version_a, version_b
        )
    )
    st.markdown("**Days whose regime differs**")
    differences = diff.differences.set_axis(
        ["Date", f"Regime A ({version_a})", f"Regime B ({version_b})",
         f"Confidence A ({version_a})", f"Confidence B ({version_b})"],
        axis=1,
    )  # fmt: skip
    show_table(
        differences, "regime_differences", **dict.fromkeys(differences.columns[3:], share_column())
    )
    st.markdown("**Field-level differences** (common days)")
    # raw (field keys, numbers) for the CSV; headings and field labels: ui/columns
    show_table(diff.fields, "field_differences", max_abs_diff=NUM, mean_abs_diff=NUM)


def _joint_span(a: ReleaseSpan, b: ReleaseSpan) -> tuple[dt.date, dt.date]:
    """(first, last): the dates the two releases' outputs span together."""
    firsts = [d for d in (a.first_date, b.first_date) if d is not None]
    lasts = [d for d in (a.last_date, b.last_date) if d is not None]
    return min(firsts), max(lasts)


st.title("Releases")
viewer = page_viewer("analyst")
choices, asset, _ = pick_tenant_asset(
    viewer,
    2,
    nothing_yet="No engine releases to compare yet. Run `regime-dashboard seed --scale small` "
    "for demo data, or `regime-dashboard import-outputs FILE.csv ...` to load a release.",
)
releases = choices.of_asset(asset, with_outputs=True)
notice = st.empty()  # a slot drawn on every run: the notice of outputs left out

st.subheader("Compare two releases")
compared, dates, versions = None, None, ("", "")
if not releases:
    st.info(f"No release of {plain(asset)} has daily outputs yet: import some to compare.")
else:
    col_a, col_b = st.columns(2)
    rel_a = pick_release(col_a, "Release A", releases, key="a", what="release")
    rel_b = pick_release(col_b, "Release B", releases, key="b", default=min(1, len(releases) - 1))
    dates = range_picker(st, *_joint_span(rel_a, rel_b), whole=True)
    compared, versions = (rel_a.release_id, rel_b.release_id), (rel_a.version, rel_b.version)
with st.spinner("Comparing releases and re-hashing every release's input bars…"):
    view = svc.load_releases_view(viewer, choices.tenant_id, compared, *(dates or ()))
if view.notice:
    notice.warning(view.notice)
if view.comparison is not None:
    _comparison(view.comparison, *versions)

st.subheader(f"Reproducibility · {plain(choices.tenant_name)}")
repro = view.reproducibility
changed = repro[repro["status"] == svc.CHANGED]
if changed.empty:
    st.success(
        "Every release's input bars still hash to its stored data hash (Data SHA-256).",
        icon=":material/check_circle:",
    )
else:
    names = ", ".join(plain(f"{r.asset_id} {r.version}") for r in changed.itertuples())
    st.warning(
        f"{len(changed)} release(s) no longer match their stored data hash (Data SHA-256) — "
        f"their input bars changed after release: {names}.",
        icon=":material/warning:",
    )
checks = repro["status"].map(STATUS_SHOWN).fillna(repro["status"])
reproducibility_table(repro, checks, repro["status"] == svc.CHANGED, svc.REPRO_COLUMNS[:-1])
with st.expander("What these numbers mean"):
    st.markdown(
        "- **Days that agree**: share of the days both releases have an output (in the range) "
        "on which they give the same regime.\n"
        "- **Field-level differences**: per output field, the common days whose values "
        "differ (numbers by more than 1e-9 relative), and the largest and mean absolute "
        "difference where both have a value.\n"
        "- **Reproducibility**: the asset's bars from the release's first to its last output "
        "date, one `date,open,high,low,close,adj_close,volume` line each (Python `repr` "
        "numbers, empty when missing), hashed with SHA-256 and compared with the release's "
        "stored `data_sha256`. *Changed since release* means a bar was restated after the "
        "release was built, so its outputs can no longer be reproduced from today's data."
    )
