"""The viewer's tenant scope: which tenants' rows a query may return.

It comes from the signed-in session (never from a widget or the URL), is passed to every
query as a keyword parameter, and is part of every cache key."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, true

__all__ = ["TenantScope"]


@dataclass(frozen=True)
class TenantScope:
    """`tenant_ids` None means every tenant (admin, leadership); otherwise only these."""

    tenant_ids: tuple[str, ...] | None

    @classmethod
    def everything(cls) -> TenantScope:
        return cls(None)

    @classmethod
    def only(cls, tenant_ids: list[str] | tuple[str, ...]) -> TenantScope:
        return cls(tuple(sorted(str(t) for t in tenant_ids)))

    @property
    def is_all(self) -> bool:
        return self.tenant_ids is None

    def allows(self, tenant_id: object) -> bool:
        return self.tenant_ids is None or str(tenant_id) in self.tenant_ids

    def cache_key(self) -> str:
        return "*" if self.tenant_ids is None else ",".join(self.tenant_ids)

    def clause(self, column: Any) -> ColumnElement[bool]:
        """SQL condition restricting `column` (a tenant_id column) to the scope."""
        if self.tenant_ids is None:
            return true()
        return column.in_(self.tenant_ids)
