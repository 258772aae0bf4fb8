"""The shape of `user_asset_settings.settings_json` (docs/user-settings.md): one document per
(tenant, user, asset) holding the watchlist flag, the chart defaults, the alert rules and an
optional webhook. Streamlit-free and database-free, so every writer can share it.

Keys this model does not know (written by the platform's other services) are kept: every
model allows extra keys and `dump` writes them back. A document that does not fit the model
is never an exception for a page: `parse` returns `UNREADABLE` instead."""

from __future__ import annotations

import datetime as dt
import json
from typing import Annotated, Any, Final, Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

__all__ = [
    "ALERT_KINDS",
    "CHART_RANGES",
    "THRESHOLD_KINDS",
    "UNREADABLE",
    "AlertRule",
    "AssetSettings",
    "ChartDefaults",
    "Unreadable",
    "dump",
    "parse",
    "range_start",
    "rule_key",
    "rule_label",
]

CHART_RANGES = ("1M", "3M", "YTD", "1Y", "All")
ALERT_KINDS = (
    "regime_change",
    "confidence_below",
    "confidence_above",
    "conviction_change",
    "data_mismatch",
)
THRESHOLD_KINDS = ("confidence_below", "confidence_above")
MAX_URL_LENGTH = 2000
PanelName = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,31}$")]


class _Open(BaseModel):
    """Unknown keys are kept (and written back), so other services' keys survive a save."""

    model_config = ConfigDict(extra="allow", frozen=True)


class ChartDefaults(_Open):
    """How an asset's charts open: range preset, log scale, adjusted prices, shown panels."""

    range: Literal["1M", "3M", "YTD", "1Y", "All"] = "1Y"
    log_scale: bool = False
    adjusted: bool = True
    panels: tuple[PanelName, ...] = ("risk", "components")


class AlertRule(_Open):
    """One alert rule. `threshold` (0..1) is required by the confidence kinds and refused
    by the others."""

    kind: Literal[
        "regime_change",
        "confidence_below",
        "confidence_above",
        "conviction_change",
        "data_mismatch",
    ]
    threshold: float | None = Field(default=None, ge=0.0, le=1.0, allow_inf_nan=False)

    @model_validator(mode="after")
    def _threshold_fits_kind(self) -> AlertRule:
        if self.kind in THRESHOLD_KINDS and self.threshold is None:
            raise ValueError(f"{self.kind} needs a threshold between 0 and 1")
        if self.kind not in THRESHOLD_KINDS and self.threshold is not None:
            raise ValueError(f"{self.kind} takes no threshold")
        return self


class AssetSettings(_Open):
    """One settings_json document."""

    watchlist: bool = False
    chart: ChartDefaults = ChartDefaults()
    alerts: tuple[AlertRule, ...] = ()
    webhook_url: str | None = None

    @field_validator("webhook_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        parts = urlsplit(value)
        if len(value) > MAX_URL_LENGTH or parts.scheme not in ("http", "https"):
            raise ValueError("the webhook must be an http:// or https:// address")
        if not parts.hostname or any(c.isspace() for c in value):
            raise ValueError("the webhook address has no host or contains spaces")
        return value


class Unreadable:
    """The marker of a stored document that does not fit AssetSettings ("settings
    unreadable, reset?"); `reason` says what is wrong, for the page."""

    __slots__ = ("reason",)

    def __init__(self, reason: str) -> None:
        self.reason = reason

    def __repr__(self) -> str:
        return f"Unreadable({self.reason!r})"

    def __bool__(self) -> bool:
        return False


UNREADABLE: Final = Unreadable("settings unreadable")


def parse(document: object) -> AssetSettings | Unreadable:
    """The stored document as AssetSettings (None or {} give the defaults), or an
    `Unreadable` marker when it is not a JSON object of that shape. Never raises."""
    if document is None:
        return AssetSettings()
    if isinstance(document, str | bytes):
        try:
            document = json.loads(document)
        except ValueError:
            return Unreadable("settings unreadable: not JSON")
    if not isinstance(document, dict):
        return Unreadable("settings unreadable: not a JSON object")
    try:
        return AssetSettings.model_validate(document)
    except (ValidationError, ValueError, TypeError) as exc:
        first = exc.errors()[0]["msg"] if isinstance(exc, ValidationError) else str(exc)
        return Unreadable(f"settings unreadable: {first}")


def dump(settings: AssetSettings) -> dict[str, Any]:
    """The document to store: every known field and every unknown key, as JSON values."""
    return settings.model_dump(mode="json")


def rule_key(rule: AlertRule) -> str:
    """A rule's stable name within its document (`kind` or `kind:threshold`): the key of its
    evaluation state and part of each firing's dedup key."""
    if rule.threshold is None:
        return rule.kind
    return f"{rule.kind}:{rule.threshold:g}"


def rule_label(rule: AlertRule) -> str:
    """A rule in words, for pages and messages."""
    return {
        "regime_change": "regime changes",
        "confidence_below": f"confidence falls below {rule.threshold or 0:.0%}",
        "confidence_above": f"confidence rises above {rule.threshold or 0:.0%}",
        "conviction_change": "conviction changes",
        "data_mismatch": "input bars no longer match the release's data_sha256",
    }[rule.kind]


def range_start(preset: str, first: dt.date, last: dt.date) -> dt.date:
    """The first date a range preset shows, ending at `last` and never before `first`."""
    starts = {
        "1M": last - dt.timedelta(days=31),
        "3M": last - dt.timedelta(days=92),
        "YTD": dt.date(last.year, 1, 1),
        "1Y": last - dt.timedelta(days=365),
        "All": first,
    }
    return max(first, starts.get(preset, starts["1Y"]))
