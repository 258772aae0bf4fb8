"""`evaluate`: every alert rule against the outputs that arrived since it last looked
(docs/user-settings.md, "Evaluation").

For each rule of each readable settings document and each release of the document's asset
in its tenant, the window starts at `since` when given, else the day after the release's
mark in `alert_evaluations`, else the day after the rule's latest mark on another release
of the asset (a new release does not replay history), else the release's last output day (a
new rule starts from now). Firings go to `notifications` with a dedup key per (user, asset,
rule, release, date), so a second run adds nothing; `data_mismatch` re-hashes the release's
input bars (reproducibility.py) and fires once per differing hash. Everything runs under a
session advisory lock: a second run at the same time (another host) does nothing and says
so. Firings of documents with a webhook are then POSTed (webhook.py) and the outcome
recorded."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from sqlalchemy import Connection, Engine

from ..queries import alerts as q
from ..queries.market import BAR_COLUMNS, bars
from ..queries.versions import bump_data_version
from ..reproducibility import bars_sha256
from ..scope import TenantScope
from ..user_settings import AlertRule, AssetSettings, parse, rule_key, rule_label
from .rules import Firing, firings
from .webhook import Delivery, post_json

__all__ = ["NAMESPACE", "RulePlan", "Summary", "evaluate"]

NAMESPACE = uuid.UUID("5b0d3c4e-7a51-4c1e-9f0a-2d6b8e4f1a93")  # notification ids from keys
EVERYTHING = TenantScope.everything()
INSERT_CHUNK = 1000


@dataclass
class Summary:
    """What one run did."""

    documents: int = 0
    unreadable: int = 0
    rules: int = 0
    firings: int = 0
    written: int = 0
    delivered: int = 0
    failed: int = 0
    locked_out: bool = False
    written_ids: list[str] = field(default_factory=list)

    def line(self) -> str:
        if self.locked_out:
            return "another alerts run holds the lock; nothing done"
        return (
            f"{self.rules} rule(s) in {self.documents} document(s) "
            f"({self.unreadable} unreadable skipped): {self.firings} firing(s), "
            f"{self.written} new notification(s) ({self.firings - self.written} already "
            f"recorded); webhooks: {self.delivered} delivered, {self.failed} failed"
        )


@dataclass(frozen=True)
class RulePlan:
    """One rule of one document."""

    tenant_id: str
    user_id: str
    asset_id: str
    rule: AlertRule
    key: str
    webhook: bool


def _plans(documents: pd.DataFrame, summary: Summary) -> list[RulePlan]:
    plans: dict[tuple[str, str, str, str], RulePlan] = {}
    for doc in documents.itertuples(index=False):
        settings = parse(doc.settings_json)
        summary.documents += 1
        if not isinstance(settings, AssetSettings):
            summary.unreadable += 1
            continue
        for rule in settings.alerts:
            plan = RulePlan(
                str(doc.tenant_id),
                str(doc.user_id),
                str(doc.asset_id),
                rule,
                rule_key(rule),
                settings.webhook_url is not None,
            )
            plans.setdefault((plan.tenant_id, plan.user_id, plan.asset_id, plan.key), plan)
    summary.rules = len(plans)
    return list(plans.values())


class _Marks:
    """The marks of `alert_evaluations`: per (rule, release) and per rule."""

    def __init__(self, marks: pd.DataFrame) -> None:
        self.release: dict[tuple[str, ...], dt.date] = {}
        self.rule: dict[tuple[str, ...], dt.date] = {}
        for m in marks.itertuples(index=False):
            rule = (str(m.tenant_id), str(m.user_id), str(m.asset_id), str(m.rule_key))
            self.release[(*rule, str(m.release_id))] = m.evaluated_until
            self.rule[rule] = max(self.rule.get(rule, m.evaluated_until), m.evaluated_until)

    def start(
        self, plan: RulePlan, release_id: str, last: dt.date, since: dt.date | None
    ) -> dt.date:
        rule = (plan.tenant_id, plan.user_id, plan.asset_id, plan.key)
        day = dt.timedelta(days=1)
        if since is not None:
            return since
        if (mark := self.release.get((*rule, release_id))) is not None:
            return mark + day
        if (mark := self.rule.get(rule)) is not None:
            return mark + day
        return last


def _text(plan: RulePlan, release: Any, when: dt.date, low: object, high: object) -> str:
    """An alert's text for people: a data_mismatch alert says the input data changed (its
    hashes stay in the payload's from/to), any other names the change from `low` to `high`."""
    where = f"{plan.asset_id} ({release.tenant_name}, release {release.version})"
    if plan.rule.kind == "data_mismatch":
        return f"{where}: input data changed since release (checked {when.isoformat()})"
    return f"{where}: {rule_label(plan.rule)} on {when.isoformat()}: {low} → {high}"


def _row(plan: RulePlan, release: Any, firing: Firing, extra_key: str = "") -> dict[str, Any]:
    """The notification of one firing (id derived from its dedup key)."""
    key = f"{plan.user_id}|{plan.asset_id}|{plan.key}|{release.release_id}|{firing.date}"
    key += extra_key
    payload = {
        "kind": plan.rule.kind,
        "rule": plan.key,
        "threshold": plan.rule.threshold,
        "asset_id": plan.asset_id,
        "asset_name": release.asset_name,
        "tenant_name": release.tenant_name,
        "release_id": str(release.release_id),
        "version": release.version,
        "date": firing.date.isoformat(),
        "from": firing.from_value,
        "to": firing.to_value,
        "regime": firing.regime,
        "confidence": firing.confidence,
        "text": _text(plan, release, firing.date, firing.from_value, firing.to_value),
    }
    return {
        "id": uuid.uuid5(NAMESPACE, f"{plan.tenant_id}|{key}"),
        "tenant_id": plan.tenant_id,
        "user_id": plan.user_id,
        "type": plan.rule.kind,
        "payload": payload,
        "dedup_key": key,
        "delivery_status": "pending" if plan.webhook else None,
    }


class _Reader:
    """Outputs and bar hashes read once per run, whatever the number of rules on them."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.outputs: dict[tuple[str, dt.date], pd.DataFrame] = {}
        self.hashes: dict[str, str] = {}

    def outputs_from(self, release: Any, start: dt.date) -> pd.DataFrame:
        key = (str(release.release_id), start)
        if key not in self.outputs:
            self.outputs[key] = q.outputs_from(
                self.conn,
                scope=EVERYTHING,
                start=start,
                tenant_id=str(release.tenant_id),
                release_id=str(release.release_id),
            )
        return self.outputs[key]

    def bars_hash(self, release: Any) -> str:
        key = str(release.release_id)
        if key not in self.hashes:
            window = bars(
                self.conn,
                scope=EVERYTHING,
                asset_id=release.asset_id,
                start=release.first_date,
                end=release.last_date,
            )
            rows = window[list(BAR_COLUMNS)].itertuples(index=False, name=None)
            self.hashes[key] = bars_sha256(rows)
        return self.hashes[key]


def _mismatch(plan: RulePlan, release: Any, reader: _Reader) -> list[dict[str, Any]]:
    stored = release.data_sha256
    if not isinstance(stored, str):
        return []  # nothing to compare with
    digest = reader.bars_hash(release)
    if digest == stored:
        return []
    firing = Firing(release.last_date, stored[:12], digest[:12], "", float("nan"))
    row = _row(plan, release, firing, extra_key=f"|{digest[:16]}")
    row["payload"]["confidence"] = None
    return [row]


def _each_release(plans: list[RulePlan], releases: pd.DataFrame) -> Iterator[tuple[RulePlan, Any]]:
    by_asset: dict[tuple[str, str], list[Any]] = {}
    for release in releases.itertuples(index=False):
        if release.last_date is not None and not pd.isna(release.last_date):
            by_asset.setdefault((str(release.tenant_id), release.asset_id), []).append(release)
    for plan in plans:
        for release in by_asset.get((plan.tenant_id, plan.asset_id), []):
            yield plan, release


def _fire(conn: Connection, since: dt.date | None, summary: Summary) -> tuple[list, list]:
    """Every firing (notification rows) and the marks to save."""
    plans = _plans(q.rule_documents(conn, scope=EVERYTHING), summary)
    releases = q.rule_releases(conn, scope=EVERYTHING)
    marks = _Marks(q.evaluation_marks(conn, scope=EVERYTHING))
    reader, rows, new_marks = _Reader(conn), [], []
    for plan, release in _each_release(plans, releases):
        if plan.rule.kind == "data_mismatch":
            rows.extend(_mismatch(plan, release, reader))
            continue
        start = marks.start(plan, str(release.release_id), release.last_date, since)
        if start <= release.last_date:
            outputs = reader.outputs_from(release, start)
            rows.extend(_row(plan, release, f) for f in firings(plan.rule, outputs, start))
        new_marks.append(
            {
                "tenant_id": plan.tenant_id,
                "user_id": plan.user_id,
                "asset_id": plan.asset_id,
                "rule_key": plan.key,
                "release_id": str(release.release_id),
                "evaluated_until": release.last_date,
            }
        )
    return rows, new_marks


def _write(
    conn: Connection,
    rows: list[dict[str, Any]],
    marks: list,
    fired_at: dt.datetime | None,
    bump_version: bool,
) -> list[str]:
    if fired_at is not None:
        rows = [dict(r, created_at=fired_at) for r in rows]
    written = []
    for i in range(0, len(rows), INSERT_CHUNK):
        written += q.insert_alerts(conn, scope=EVERYTHING, rows=rows[i : i + INSERT_CHUNK])
    for i in range(0, len(marks), INSERT_CHUNK):
        q.save_marks(conn, scope=EVERYTHING, rows=marks[i : i + INSERT_CHUNK])
    if written and bump_version:
        bump_data_version(conn)  # every session shows the new alerts on its next rerun
    return written


def _send(item: Any, timeout: float, backoff: float) -> Delivery:
    """POST one pending alert to its document's webhook (attempts counted from before)."""
    settings = parse(item.settings_json)
    url = settings.webhook_url if isinstance(settings, AssetSettings) else None
    if url is None:
        return Delivery(False, int(item.attempts), "no webhook in the settings any more")
    body = {**item.payload, "notification_id": str(item.notification_id)}
    sent = post_json(url, body, timeout=timeout, backoff=backoff)
    return Delivery(sent.delivered, int(item.attempts) + sent.attempts, sent.error)


def _deliver(conn: Connection, summary: Summary, timeout: float, backoff: float) -> None:
    """POST every pending alert to its document's webhook; record each outcome."""
    for item in q.pending_deliveries(conn, scope=EVERYTHING).itertuples(index=False):
        conn.commit()  # no transaction open while waiting for a webhook
        outcome = _send(item, timeout, backoff)
        with conn.begin():
            q.record_delivery(
                conn,
                scope=EVERYTHING,
                tenant_id=str(item.tenant_id),
                notification_id=str(item.notification_id),
                status="delivered" if outcome.delivered else "failed",
                attempts=outcome.attempts,
                error=outcome.error,
            )
        summary.delivered += outcome.delivered
        summary.failed += not outcome.delivered
    conn.commit()


def evaluate(
    engine: Engine,
    since: dt.date | None = None,
    *,
    fired_at: dt.datetime | None = None,
    deliver: bool = True,
    webhook_timeout: float = 5.0,
    webhook_backoff: float = 0.5,
    bump_version: bool = True,
) -> Summary:
    """Evaluate every rule (see the module), write each firing once, then deliver webhooks.
    `since` re-reads outputs dated on or after it (already recorded firings are not written
    again); `fired_at` stamps the new notifications (the demo seed; default: now); the data
    version is bumped when something was written, unless `bump_version` is False (the demo
    seed bumps it once for everything it writes)."""
    summary = Summary()
    with engine.connect() as conn:
        locked = q.try_evaluation_lock(conn)
        conn.commit()
        if not locked:
            summary.locked_out = True
            return summary
        try:
            with conn.begin():
                rows, marks = _fire(conn, since, summary)
                summary.firings = len(rows)
                summary.written_ids = _write(conn, rows, marks, fired_at, bump_version)
                summary.written = len(summary.written_ids)
            if deliver:
                _deliver(conn, summary, webhook_timeout, webhook_backoff)
        finally:
            conn.rollback()
            q.release_evaluation_lock(conn)
            conn.commit()
    return summary
