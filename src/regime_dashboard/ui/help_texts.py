"""The words of the admin pages: what their numbers mean, the help under fields and the
headings of their tables (text only; the pages and forms lay it out)."""

from __future__ import annotations

from typing import Any

from ..metered import LIMITED_METRICS, METRIC_UNITS

__all__ = [
    "ACTION_HEADINGS",
    "AUDIT_HEADINGS",
    "AUDIT_HELP",
    "FEATURES_HELP",
    "GRID_HEADINGS",
    "LIMITS_HELP",
    "LIMIT_FIELD",
    "LIMIT_UNITS",
    "MEMBER_HEADINGS",
    "MRR_HEADINGS",
    "NEW_PLAN",
    "OVERRIDE_HEADINGS",
    "OVER_HEADINGS",
    "PER",
    "PICK_PLAN",
    "PICK_TENANT",
    "PLANS_HELP",
    "PLAN_HEADINGS",
    "POLICIES",
    "POLICY_QUESTION",
    "PRICE_HELP",
    "RETIRE_TEXT",
    "SETTINGS_HELP",
    "SUBSCRIPTION",
    "TENANTS_HELP",
    "TENANT_HEADINGS",
    "USAGE_HEADINGS",
]

PLANS_HELP = """\
- **Prices** are per billing cycle in the plan's currency; subscriptions pay in their own \
currency, the same amount.
- **Limits** are per calendar month; `null` means unlimited. A tenant's quota override \
replaces the plan's limit for that metric.
- **Live subscriptions**: trialing, active or past due.
- **Tenants newly over quota**: tenants on the plan whose usage this calendar month (seats: \
members now) is above a new limit but not above today's.
- **MRR**: monthly recurring revenue of active and past-due subscriptions (annual price / \
12). *MRR change if moved* is the change if every live subscription paid the new price; \
grandfathered subscriptions keep theirs, so MRR does not change.
- **Version**: every save increments it; if someone saved since you opened the plan, you \
see both versions and nothing is overwritten.
- **Retired** plans keep their subscriptions but are offered to nobody new."""

TENANTS_HELP = """\
- **Grid**: **MRR (USD)** = the subscription's price per month (annual / 12) in US dollars \
when it is active or past due; **Usage vs limit** = the highest used / limit among the \
metered metrics (API calls, backtests, tokens) in the month named above the grid (the month \
so far from its 7th, else the whole last month), — when all are unlimited \
or there is no live subscription. Search filters by name, plan or status; click a heading to \
sort, a row to open the tenant.
- **Used**: usage in the month named above the grid (UTC); for **seats**, the \
tenant's members now.
- **Limit**: the tenant's quota override when it has an active one, else its plan's monthly \
limit; empty = unlimited. **Used share** = used / limit.
- **Plan change**: the subscription moves to the new plan's price for its billing cycle (in \
its own currency) and gets an upgraded or downgraded event dated at the effective date \
(today: now; earlier days: 00:00 UTC, after the latest event).
- **Version**: each save increments it; if someone saved since you opened the page, you see \
both versions and nothing is overwritten.
- A tenant always keeps at least one **owner**."""

AUDIT_HELP = """\
- Every admin edit writes one row per changed database row, in the same transaction as the \
edit: who, when, which table and row, and the row before and after. The rows of one edit \
(e.g. a plan's new price and the subscriptions it moves) are one **action**: open it to see \
its rows.
- **Changes** lists the fields that differ (`before → after`; `—` = none, the row was \
created or deleted); versions and timestamps are left out.
- **Revert** restores the row as it was before the change and is itself audited (action \
*revert*). It is refused when the row changed since, so a later edit is never overwritten. \
Subscription events are an append-only ledger: revert the subscription change instead, \
which appends a new event."""

SETTINGS_HELP = "A JSON object. timezone: an IANA zone; report_currency: an allowed currency."
LIMIT_FIELD = {
    "placeholder": "e.g. 100000",
    "help": "A whole number (digits only); 0 allows no use. Tick Unlimited for no limit.",
}
SUBSCRIPTION = "**{plan_id}** · {status} · {billing_cycle} · {price} per {per} · version {version}"
PER = {"annual": "year", "monthly": "month"}
PICK_TENANT = "Choose a tenant to edit."
PRICE_HELP = "In the plan's currency, e.g. 49 or 49.90 (digits and a decimal point)."
FEATURES_HELP = "A JSON object: feature name -> true/false, a whole number or a text."
LIMITS_HELP = (
    f"A JSON object with every metric ({', '.join(LIMITED_METRICS)}) -> a whole number >= 0, "
    "or null for unlimited."
)
LIMIT_UNITS = METRIC_UNITS  # metric -> the unit its plan limit counts (metered.py)
RETIRE_TEXT = {  # by whether the plan is offered now
    True: "Retiring stops offering the plan. Its **{live:,}** live subscription(s) stay on it "
    "at their price.",
    False: "This plan is retired: existing subscriptions keep it, nobody new gets it.",
}
PICK_PLAN = "Choose a plan to edit, or “+ Create a new plan”."
POLICY_QUESTION = "The price changes. Existing subscriptions should…"
POLICIES = {
    "grandfather": "Keep their current price (grandfathered: only new ones pay the new price)",
    "move": "Move them to the new price (one price_changed event per subscription)",
}
NEW_PLAN: dict[str, Any] = {
    "name": "",
    "currency": "USD",
    "price_monthly_cents": None,
    "price_annual_cents": None,
    "features_json": {},
    "limits_json": dict.fromkeys(LIMITED_METRICS),
}

PLAN_HEADINGS = {
    "id": "Plan",
    "name": "Name",
    "currency": "Currency",
    "price_monthly_cents": "Monthly price",
    "price_annual_cents": "Annual price",
    "is_active": "Offered",
    "live_subscriptions": "Live subscriptions",
    "limits_json": "Limits",
    "features_json": "Features",
}
OVER_HEADINGS = {
    "tenant_name": "Tenant",
    "metric": "Metric",
    "used": "Used in the month",
    "limit_now": "Limit now",
    "limit_after": "Limit after",
    "has_override": "Override",
    "already_over": "Over already",
}
MRR_HEADINGS = {
    "currency": "Currency",
    "subscriptions": "Live",
    "paying": "Paying",
    "repriced": "Would be repriced",
    "mrr_now_cents": "MRR now",
    "mrr_if_moved_cents": "MRR if moved",
    "mrr_change_cents": "MRR change",
}
GRID_HEADINGS = {
    "name": "Tenant",
    "plan_name": "Plan",
    "mrr_usd_cents": "MRR (USD)",
    "usage_share": "Usage vs limit",
    "usage_metric": "Highest metric",
    "subscription_status": "Status",
    "members": "Members",
}
TENANT_HEADINGS = {
    "name": "Tenant",
    "plan_id": "Plan",
    "subscription_status": "Status",
    "members": "Members",
}
USAGE_HEADINGS = {
    "metric": "Metric",
    "used": "Used in the month",
    "plan_limit": "Plan limit",
    "has_override": "Override",
    "override_limit": "Override limit",
    "limit": "Limit",
    "used_share": "Used share",
    "over": "Over",
}
OVERRIDE_HEADINGS = {
    "metric": "Metric",
    "limit_value": "Limit per month",
    "reason": "Reason",
    "expires_at": "Expires (UTC)",
    "created_by_email": "Set by",
}
MEMBER_HEADINGS = {
    "email": "Email",
    "display_name": "Name",
    "role": "Tenant role",
    "created_at": "Member since (UTC)",
}
AUDIT_HEADINGS = {
    "id": "Change",
    "occurred_at": "When (UTC)",
    "actor_email": "By",
    "action": "Action",
    "table_name": "Table",
    "tenant_name": "Tenant",
    "row": "Row",
    "changes": "Changes",
}
ACTION_HEADINGS = {
    "occurred_at": "When (UTC)",
    "actor_email": "By",
    "what": "What",
    "tenants": "Tenants",
    "rows": "Rows",
}
