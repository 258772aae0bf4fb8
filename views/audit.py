"""Audit (admin): every admin action (the rows one edit wrote) with its field-level diffs;
revert one row."""

from __future__ import annotations

import streamlit as st

from regime_dashboard.services import admin
from regime_dashboard.ui import admin_widgets as widgets
from regime_dashboard.ui import pick, plain
from regime_dashboard.ui.help_texts import ACTION_HEADINGS, AUDIT_HEADINGS, AUDIT_HELP

viewer = widgets.admin_page("Audit")
options = admin.audit_filters(viewer)
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
    changes = admin.list_changes(
        viewer, table_name=table_name, tenant_id=tenant_id, actor_email=actor
    )
if changes.empty:
    st.info("No changes match these filters. Edits on the Plans and Tenants pages appear here.")
    st.stop()

actions = admin.group_actions(changes)
widgets.table(actions, "admin actions", ACTION_HEADINGS)
st.caption(f"{len(actions):,} action(s), newest first, in the latest {len(changes):,} rows.")

picks = actions[["action_id", "occurred_at", "what"]].itertuples(index=False)
titles = {int(a): f"{when:%Y-%m-%d %H:%M} · {what}" for a, when, what in picks}
action_id = st.selectbox("Action to open", list(titles), format_func=titles.get, key="action")
rows = changes[changes["action_id"] == action_id]
named = rows.assign(table_name=rows["table_name"].str.replace("_", " "))
widgets.table(named, f"rows of action {action_id}", AUDIT_HEADINGS)

ids = list(changes["id"])
named_ids = dict(zip(ids, changes["row"], strict=True))
picked = st.selectbox(
    "Change to inspect",
    ids,
    ids.index(rows["id"].iloc[-1]),
    lambda i: f"Change {i} · {named_ids[i]}",
    key="inspect",
)
entry = changes[changes["id"] == picked].iloc[0].to_dict()
table_label = str(entry["table_name"]).replace("_", " ")
st.markdown(
    f"**Change {picked}**: {entry['action']} of {table_label} {plain(entry['row'])} "
    f"by {plain(entry['actor_email'])} at {entry['occurred_at']:%Y-%m-%d %H:%M:%S} UTC"
)
widgets.table(admin.change_diff(entry).rename(columns=str.title), f"change {picked}")
if note := admin.revert_note(entry):
    st.caption(note)

if widgets.confirmed("Revert this change", "revert", f"Yes, revert change {picked}"):
    try:
        saved = admin.revert_change(viewer, int(picked))
    except admin.RevertRefusedError as exc:
        widgets.show_refusal(exc)
    except admin.NotFoundError as exc:
        st.error(str(exc))
    else:
        widgets.flash(f"Reverted change {picked} (audited as change {saved.audit_ids[0]}).")
        st.rerun()

widgets.explain(AUDIT_HELP)
