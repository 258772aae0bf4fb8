"""Who is looking: the viewer's tenant scope, taken from the signed-in session only.

Until sign-in exists every viewer sees all tenants; the scope is already threaded through
every query and cache key so that sign-in only has to set it here."""

from __future__ import annotations

import streamlit as st

from .scope import TenantScope

__all__ = ["SCOPE_KEY", "viewer_scope"]

SCOPE_KEY = "_viewer_scope"


def viewer_scope() -> TenantScope:
    scope = st.session_state.get(SCOPE_KEY)
    return scope if isinstance(scope, TenantScope) else TenantScope.everything()
