"""Releases: two engine releases of one asset compared, and every release's inputs re-hashed."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from regime_dashboard.charts.releases import release_lanes_figure
from regime_dashboard.services import releases as svc
from regime_dashboard.session import page_viewer
from regime_dashboard.ui import date_range, labels_of, pick, plain, table_with_download

PCT = st.column_config.NumberColumn(format="percent")
NUM = st.column_config.NumberColumn(format="%.6g")


def _table(frame: pd.DataFrame, name: str, **config: object) -> None:
    table_with_download(frame, name, config)


st.title("Releases")
viewer = page_viewer("analyst")
scope = viewer.scope
releases = svc.visible_releases(scope)
if releases.empty:
    st.info(
        "No engine releases to compare yet. Run `regime-dashboard seed --scale small` for demo "
        "data, or `regime-dashboard import-outputs FILE.csv ...` to load a release."
    )
    st.stop()

left, right = st.columns(2)
tenants = labels_of(releases, "tenant_id", "tenant_name")
tenant_id = pick(left, "Tenant", tenants, key="tenant", what="tenant")
tenant = tenants[tenant_id]
of_tenant = svc.tenant_releases(scope, tenant_id=tenant_id)
assets = sorted(of_tenant["asset_id"].unique())
asset = pick(right, "Asset", assets, key="asset", what="asset")
of_asset = of_tenant[(of_tenant["asset_id"] == asset) & of_tenant["first_date"].notna()]
versions = dict(zip(of_asset["release_id"].astype(str), of_asset["version"], strict=True))
if notice := svc.releases_notice(of_tenant):
    st.warning(notice)

st.subheader("Compare two releases")
if not versions:
    st.info(f"No release of {plain(asset)} has daily outputs yet: import some to compare.")
else:
    col_a, col_b = st.columns(2)
    id_a = pick(col_a, "Release A", versions, key="a", what="release")
    id_b = pick(col_b, "Release B", versions, key="b", default=min(1, len(versions) - 1))
    version_a, version_b = versions[id_a], versions[id_b]
    rel_a, rel_b = (of_asset[of_asset["release_id"].astype(str) == i].iloc[0] for i in (id_a, id_b))
    low = min(rel_a["first_date"], rel_b["first_date"])
    high = max(rel_a["last_date"], rel_b["last_date"])
    start, end = date_range(st, "Date range", key="dates", default=(low, high), low=low, high=high)
    with st.spinner("Comparing releases…"):
        diff = svc.compare_releases(
            scope,
            tenant_id=tenant_id,
            release_a=str(rel_a["release_id"]),
            release_b=str(rel_b["release_id"]),
            start=start,
            end=end,
        )
    agree = diff.agreement
    cols = st.columns(4)
    share = agree["share_agreeing"]
    cols[0].metric("Days that agree", "–" if pd.isna(share) else f"{share:.1%}")
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
        [
            "Date",
            f"Regime A ({version_a})",
            f"Regime B ({version_b})",
            f"Confidence A ({version_a})",
            f"Confidence B ({version_b})",
        ],
        axis=1,
    )
    _table(differences, "regime_differences", **{c: PCT for c in differences.columns[3:]})
    st.markdown("**Field-level differences** (common days)")
    fields = diff.fields.set_axis(
        [
            "Field",
            "Days compared",
            "Days differing",
            "Share differing",
            "Largest |A − B|",
            "Mean |A − B|",
        ],
        axis=1,
    )
    _table(
        fields,
        "field_differences",
        **{"Share differing": PCT, "Largest |A − B|": NUM, "Mean |A − B|": NUM},
    )

st.subheader(f"Reproducibility · {plain(tenant)}")
with st.spinner("Re-hashing every release's input bars…"):
    repro = svc.reproducibility(scope, tenant_id=tenant_id)
changed = repro[repro["status"] == "changed since release"]
if changed.empty:
    st.success("Every release's input bars still hash to its stored data_sha256.", icon="✅")
else:
    names = ", ".join(plain(f"{r.asset_id} {r.version}") for r in changed.itertuples())
    st.warning(
        f"{len(changed)} release(s) no longer match their stored data_sha256 — their input "
        f"bars changed after release: {names}.",
        icon="⚠️",
    )
labels = ["Asset", "Version", "Release date", "Git commit", "Env", "First output", "Last output"]
_table(
    repro,
    "reproducibility",
    **{c: st.column_config.Column(label) for c, label in zip(repro.columns, labels, strict=False)},
    bars=st.column_config.NumberColumn("Bars", format="localized"),
    stored_sha256=st.column_config.TextColumn("Stored SHA-256"),
    recomputed_sha256=st.column_config.TextColumn("Recomputed SHA-256"),
    status=st.column_config.TextColumn("Status"),
)
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
