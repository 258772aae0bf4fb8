"""An analyst's alert rules per (tenant, asset) and their own unread alerts
(docs/user-settings.md). The viewer comes first; analysts and admins only; rules only for
tenants in the viewer's scope; a user reads and marks only their own notifications (their
user id is a bound parameter of every statement). Writes run in one transaction on the
primary that also bumps the data version."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import pandas as pd
from pydantic import ValidationError

from ..cache import get_engine, run_query
from ..queries import alerts as q
from ..queries.versions import bump_data_version
from ..user_settings import AlertRule, AssetSettings, Unreadable
from ..viewer import PermissionDeniedError, Viewer
from .user_settings import asset_settings, change_settings, check_editable

__all__ = [
    "ALERT_COLUMNS",
    "LIST_LIMIT",
    "InvalidRuleError",
    "alert_rules",
    "mark_read",
    "save_alert_settings",
    "set_alert_rules",
    "set_webhook",
    "unread_alerts",
    "unread_count",
]

LIST_LIMIT = 200
ALERT_COLUMNS = q.ALERT_COLUMNS


class InvalidRuleError(ValueError):
    """A rule or webhook does not fit docs/user-settings.md (nothing was written)."""


def _user(viewer: Viewer) -> str:
    viewer.require("analyst")
    if viewer.user_id is None:
        raise PermissionDeniedError(f"{viewer.email} has no account to receive alerts")
    return viewer.user_id


def _rules(rules: Iterable[AlertRule | Mapping[str, Any]]) -> tuple[AlertRule, ...]:
    """Validated rules, duplicates (same kind and threshold) dropped, order kept."""
    try:
        parsed = [AlertRule.model_validate(r) for r in rules]
    except ValidationError as exc:
        raise InvalidRuleError(exc.errors()[0]["msg"]) from exc
    unique = {(r.kind, r.threshold): r for r in reversed(parsed)}
    return tuple(r for r in parsed if unique[(r.kind, r.threshold)] is r)


def alert_rules(
    viewer: Viewer, tenant_id: str, asset_id: str
) -> tuple[AlertRule, ...] | Unreadable:
    """The viewer's rules on `asset_id` in `tenant_id`, or the unreadable marker."""
    settings = asset_settings(viewer, tenant_id, asset_id)
    return settings.alerts if isinstance(settings, AssetSettings) else settings


def set_alert_rules(
    viewer: Viewer, tenant_id: str, asset_id: str, rules: Sequence[AlertRule | Mapping[str, Any]]
) -> AssetSettings | Unreadable:
    """Replace the viewer's rules on `asset_id` in `tenant_id` (a tenant outside their
    scope: PermissionDeniedError; a rule that does not fit: InvalidRuleError)."""
    check_editable(viewer, tenant_id)
    chosen = _rules(rules)
    return change_settings(
        viewer, tenant_id, asset_id, lambda s: s.model_copy(update={"alerts": chosen})
    )


def _webhook(url: str | None) -> str | None:
    url = (url or "").strip() or None
    try:
        AssetSettings.model_validate({"webhook_url": url})
    except ValidationError as exc:
        raise InvalidRuleError(exc.errors()[0]["msg"]) from exc
    return url


def set_webhook(
    viewer: Viewer, tenant_id: str, asset_id: str, url: str | None
) -> AssetSettings | Unreadable:
    """Where the alerts of this document are POSTed (None or blank: nowhere)."""
    check_editable(viewer, tenant_id)
    chosen = _webhook(url)
    return change_settings(
        viewer, tenant_id, asset_id, lambda s: s.model_copy(update={"webhook_url": chosen})
    )


def save_alert_settings(
    viewer: Viewer,
    tenant_id: str,
    asset_id: str,
    rules: Sequence[AlertRule | Mapping[str, Any]],
    webhook_url: str | None,
) -> AssetSettings | Unreadable:
    """The rules and the webhook of one document, in one transaction (the rules panel)."""
    check_editable(viewer, tenant_id)
    update = {"alerts": _rules(rules), "webhook_url": _webhook(webhook_url)}
    return change_settings(viewer, tenant_id, asset_id, lambda s: s.model_copy(update=update))


def unread_alerts(viewer: Viewer) -> pd.DataFrame:
    """The viewer's unread alerts in their scope, newest first (at most LIST_LIMIT).
    Columns ALERT_COLUMNS (queries/alerts.py)."""
    return run_query(q.unread_alerts, scope=viewer.scope, user_id=_user(viewer), limit=LIST_LIMIT)


def unread_count(viewer: Viewer) -> int:
    """How many unread alerts the viewer has in their scope."""
    found = run_query(q.unread_count, scope=viewer.scope, user_id=_user(viewer))
    return int(found["unread"].iloc[0]) if len(found) else 0


def _is_uuid(text: str) -> bool:
    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return True


def mark_read(viewer: Viewer, ids: Iterable[str]) -> int:
    """Mark the viewer's own alerts among `ids` read (others' ids change nothing); returns
    how many were marked."""
    user_id = _user(viewer)
    chosen = sorted({str(i) for i in ids if _is_uuid(str(i))})
    if not chosen:
        return 0
    with get_engine().begin() as conn:
        marked = q.mark_read(conn, scope=viewer.scope, user_id=user_id, notification_ids=chosen)
        if marked:
            bump_data_version(conn)
    return marked
