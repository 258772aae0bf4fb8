"""Validated inputs of admin edits (pydantic v2). Every field has one rule (`rules.py`), and
`parse` turns a broken rule into InvalidInputError with a message per field, so a page can
show it next to that field. JSON fields accept the text of a text area and are parsed and
checked, never stored as free text. Numbers an admin types (prices in currency units, quota
limits) arrive as that text and are read here, once: the page shows what was typed and the
rule it breaks, and the service writes only what the same model accepted. The page
validates a form once and hands the model to both the impact preview and the save."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated, Any, TypeVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, ValidationError, model_validator

from ...queries.audited_writes import OverrideValues, PlanValues, Written, jsonable
from . import rules
from .errors import InvalidInputError

__all__ = [
    "MemberAdd",
    "MemberRole",
    "PlanChange",
    "PlanCreate",
    "PlanRetire",
    "PlanUpdate",
    "PricePolicy",
    "QuotaOverride",
    "Saved",
    "TenantRename",
    "TenantSettings",
    "errors_of",
    "field_errors",
    "parse",
    "validated",
]

M = TypeVar("M", bound=BaseModel)

Name = Annotated[str, BeforeValidator(rules.check_name)]
PlanId = Annotated[str, BeforeValidator(rules.check_plan_id)]
Cents = Annotated[int, BeforeValidator(rules.check_cents)]
OptionalCents = Annotated[int | None, BeforeValidator(rules.check_optional_cents)]
Currency = Annotated[str, BeforeValidator(rules.check_currency)]
Features = Annotated[dict[str, bool | int | str], BeforeValidator(rules.check_features)]
Limits = Annotated[dict[str, int | None], BeforeValidator(rules.check_limits)]
Role = Annotated[str, BeforeValidator(rules.check_role)]


class PricePolicy(StrEnum):
    """What happens to existing subscriptions when a plan's price changes."""

    GRANDFATHER = "grandfather"  # they keep the price they pay (subscriptions untouched)
    MOVE = "move"  # they move to the new price (one price_changed event each)


class _Input(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class PlanUpdate(_Input):
    """Every editable field of a plan (a full replacement, not a patch). Prices are integer
    cents, or the text typed in currency units ("49.90"); no annual price is None. Limits: a
    JSON object, or one value per metric: a number, the digits typed, or None (unlimited).
    Features: a JSON object or the typed fields' values; `more_features` the rest (JSON)."""

    name: Name
    price_monthly_cents: Cents
    price_annual_cents: OptionalCents = None
    currency: Currency
    features: Features
    limits: Limits
    more_features: Features = {}

    @model_validator(mode="after")
    def _features_once(self) -> PlanUpdate:
        both = sorted(set(self.features) & set(self.more_features))
        if both:
            raise ValueError(f"Feature {both[0]!r} is set twice: remove it from other features.")
        return self

    def values(self) -> PlanValues:
        """The plan's columns as the typed write takes them; `features` (the typed fields)
        and `more_features` (the JSON of keys the form has no field for) are one object."""
        return PlanValues(
            name=self.name,
            price_monthly_cents=self.price_monthly_cents,
            price_annual_cents=self.price_annual_cents,
            currency=self.currency,
            features_json={**self.more_features, **self.features},
            limits_json=dict(self.limits),
        )

    def same_as(self, plan: Mapping[str, Any]) -> bool:
        """Whether saving this edit would leave the stored `plan` (a list_plans row) as it is."""
        return self.values() == PlanValues.of(plan)


class PlanCreate(PlanUpdate):
    id: PlanId


class PlanRetire(_Input):
    """Retiring a plan: the number of its live subscriptions, typed to confirm."""

    confirmed_live_subscriptions: Annotated[int, BeforeValidator(rules.check_count)] = 0


class TenantRename(_Input):
    name: Annotated[str, BeforeValidator(rules.check_tenant_name)]


class TenantSettings(_Input):
    settings: Annotated[dict[str, Any], BeforeValidator(rules.check_settings)]


class PlanChange(_Input):
    plan_id: PlanId
    effective_date: Annotated[dt.date, BeforeValidator(rules.check_past_or_today)]


class QuotaOverride(_Input):
    """`limit_value`: a whole number or the digits typed; None means unlimited."""

    metric: Annotated[str, BeforeValidator(rules.check_metric)]
    limit_value: Annotated[int | None, BeforeValidator(rules.check_quota_limit)]
    reason: Annotated[str, BeforeValidator(rules.check_reason)]
    expires_at: Annotated[dt.datetime | None, BeforeValidator(rules.check_expiry)] = None

    def values(self) -> OverrideValues:
        return {
            "limit_value": self.limit_value,
            "reason": self.reason,
            "expires_at": self.expires_at,
        }


class MemberAdd(_Input):
    email: Annotated[str, BeforeValidator(rules.check_email)]
    role: Role = "member"


class MemberRole(_Input):
    role: Role


@dataclass(frozen=True)
class Saved:
    """The outcome of an edit: the row as saved (JSON values, None when deleted) and the
    audit_log ids written, the edited row's own first."""

    table: str
    key: dict[str, Any]
    row: dict[str, Any] | None
    audit_ids: tuple[int, ...]

    @classmethod
    def of(cls, key: Mapping[str, Any], written: Written, *more_audit_ids: int) -> Saved:
        table = written.table
        return cls(table, jsonable(key), written.json, (written.audit_id, *more_audit_ids))

    @property
    def version(self) -> int | None:
        return None if self.row is None else self.row.get("version")


_GENERIC = {
    "missing": "This field is required.",
    "extra_forbidden": "Unknown field.",
}


def _message(error: Any) -> str:
    if error["type"] == "value_error":
        return str(error["ctx"]["error"])
    return _GENERIC.get(error["type"], str(error["msg"]))


def field_errors(exc: ValidationError) -> dict[str, str]:
    """The first message for each field of a pydantic ValidationError."""
    found: dict[str, str] = {}
    for error in exc.errors():
        field = str(error["loc"][0]) if error["loc"] else "form"
        found.setdefault(field, _message(error))
    return found


def parse(model: type[M], data: M | Mapping[str, Any]) -> M:
    """`data` as a valid `model`, or InvalidInputError naming each broken field."""
    if isinstance(data, model):
        return data
    if not isinstance(data, Mapping):
        raise InvalidInputError.one("form", f"Expected the fields of {model.__name__}.")
    try:
        return model.model_validate(dict(data))
    except ValidationError as exc:
        raise InvalidInputError(field_errors(exc)) from None


def validated(model: type[M], data: Mapping[str, Any]) -> tuple[M | None, dict[str, str]]:
    """`data` read once as `model`: the model (None when invalid) and the broken rules
    (empty when valid). A page validates a form with this and passes the model on."""
    try:
        return parse(model, data), {}
    except InvalidInputError as exc:
        return None, exc.errors


def errors_of(model: type[BaseModel], data: Mapping[str, Any]) -> dict[str, str]:
    """The broken rules of `data` as `model` (empty when valid); for live form feedback."""
    return validated(model, data)[1]
