"""Validated, audited, conflict-safe admin edits of plans, tenants and quotas (no Streamlit:
the forms live in `ui/forms/`).

Every service takes the acting viewer first and refuses anyone but an admin
(PermissionDeniedError); writes go through `cache.write_transaction` and
`queries.audited_writes`, so an edit, its audit rows and the data-version bump commit
together or not at all."""

from .audit import audit_filters, change_diff, list_changes, revert_change, revert_note
from .errors import (
    AdminError,
    ConflictError,
    InvalidInputError,
    NotFoundError,
    RevertRefusedError,
)
from .models import (
    MemberAdd,
    MemberRole,
    PlanChange,
    PlanCreate,
    PlanRetire,
    PlanUpdate,
    PricePolicy,
    QuotaOverride,
    Saved,
    TenantRename,
    TenantSettings,
    errors_of,
    parse,
    validated,
)
from .plans import (
    PlanImpact,
    create_plan,
    list_plans,
    plan_impact,
    restore_plan,
    retire_plan,
    update_plan,
)
from .tenants import (
    Loaded,
    TenantDetail,
    add_member,
    change_member_role,
    change_tenant_plan,
    clear_quota_override,
    list_tenants,
    loaded_state,
    remove_member,
    rename_tenant,
    set_quota_override,
    tenant_detail,
    update_tenant_settings,
)

__all__ = [
    "AdminError",
    "ConflictError",
    "InvalidInputError",
    "Loaded",
    "MemberAdd",
    "MemberRole",
    "NotFoundError",
    "PlanChange",
    "PlanCreate",
    "PlanImpact",
    "PlanRetire",
    "PlanUpdate",
    "PricePolicy",
    "QuotaOverride",
    "RevertRefusedError",
    "Saved",
    "TenantDetail",
    "TenantRename",
    "TenantSettings",
    "add_member",
    "audit_filters",
    "change_diff",
    "change_member_role",
    "change_tenant_plan",
    "clear_quota_override",
    "create_plan",
    "errors_of",
    "list_changes",
    "list_plans",
    "list_tenants",
    "loaded_state",
    "parse",
    "plan_impact",
    "remove_member",
    "rename_tenant",
    "restore_plan",
    "retire_plan",
    "revert_change",
    "revert_note",
    "set_quota_override",
    "tenant_detail",
    "update_plan",
    "update_tenant_settings",
    "validated",
]
