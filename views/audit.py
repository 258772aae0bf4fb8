"""Audit (admin): every admin change with its field-level diff; revert one."""

from __future__ import annotations

import streamlit as st

from regime_dashboard.admin import (
    NotFoundError,
    RevertRefusedError,
    audit_filters,
    change_diff,
    list_changes,
    revert_change,
    revert_note,
)
from regime_dashboard.admin.widgets import csv_button, flash, show_flash, show_refusal
from regime_dashboard.session import page_viewer
from regime_dashboard.ui import pick, plain

viewer = page_viewer("admin")
st.title("Audit")
show_flash()

options = audit_filters(viewer=viewer)
ALL = "(all)"


def _filter(column: st.delta_generator.DeltaGenerator, label: str, kind: str) -> str:
    """A filter selectbox kept in the URL (by label); returns the value ('' for all)."""
    picked = options[options["kind"] == kind]
    labels = {"": ALL, **dict(zip(picked["value"].astype(str), picked["label"], strict=True))}
    return pick(column, label, labels, key=kind, what=label.lower())


left, middle, right = st.columns(3)
table_name = _filter(left, "Table", "table")
tenant_id = _filter(middle, "Tenant", "tenant")
actor = _filter(right, "Changed by", "actor")

with st.spinner("Loading changes…"):
    changes = list_changes(
        viewer=viewer, table_name=table_name, tenant_id=tenant_id, actor_email=actor
    )
if changes.empty:
    st.info("No changes match these filters. Edits on the Plans and Tenants pages appear here.")
    st.stop()

shown = changes[
    ["id", "occurred_at", "actor_email", "action", "table_name", "tenant_name", "row", "changes"]
].rename(
    columns={
        "id": "Change",
        "occurred_at": "When (UTC)",
        "actor_email": "By",
        "action": "Action",
        "table_name": "Table",
        "tenant_name": "Tenant",
        "row": "Row",
        "changes": "Changes",
    }
)
st.dataframe(shown, hide_index=True)
csv_button(shown, "audit log")
st.caption(f"The latest {len(changes):,} change(s), newest first (at most 500).")

picked = st.selectbox("Change to inspect", list(changes["id"]), key="inspect")
entry = changes[changes["id"] == picked].iloc[0].to_dict()
st.markdown(
    f"**Change {picked}**: {entry['action']} of {entry['table_name']} ({plain(entry['row'])}) "
    f"by {plain(entry['actor_email'])} at {entry['occurred_at']:%Y-%m-%d %H:%M:%S} UTC"
)
diff = change_diff(entry)
st.dataframe(diff.rename(columns=str.title), hide_index=True)
csv_button(diff, f"change {picked}")
if note := revert_note(entry):
    st.caption(note)

if st.button("Revert this change", key="revert"):
    try:
        saved = revert_change(viewer=viewer, audit_id=int(picked))
    except RevertRefusedError as exc:
        show_refusal(exc)
    except NotFoundError as exc:
        st.error(str(exc))
    else:
        flash(f"Reverted change {picked} (audited as change {saved.audit_ids[0]}).")
        st.rerun()

with st.expander("What these numbers mean"):
    st.markdown(
        "- Every admin edit writes one row per changed database row, in the same transaction "
        "as the edit: who, when, which table and row, and the row before and after.\n"
        "- **Changes** lists the fields that differ (`before → after`; `—` = none, the row "
        "was created or deleted); versions and timestamps are left out.\n"
        "- **Revert** restores the row as it was before the change and is itself audited "
        "(action *revert*). It is refused when the row changed since, so a later edit is "
        "never overwritten. Subscription events are an append-only ledger: revert the "
        "subscription change instead, which appends a new event."
    )
