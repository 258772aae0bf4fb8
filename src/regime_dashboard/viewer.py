"""The signed-in viewer: who, which dashboard roles, which tenants.

Areas: `analyst` pages (analyst, admin), `leadership` pages (leadership, admin) and `admin`
edits (admin only). Services call `viewer.require(area)` themselves: hiding a page is not
enough."""

from __future__ import annotations

from dataclasses import dataclass

from .scope import TenantScope

__all__ = ["AREAS", "PermissionDeniedError", "Viewer"]

AREAS = {
    "analyst": frozenset({"analyst", "admin"}),
    "leadership": frozenset({"leadership", "admin"}),
    "admin": frozenset({"admin"}),
}
ALL_TENANT_ROLES = frozenset({"admin", "leadership"})


class PermissionDeniedError(PermissionError):
    """The viewer's roles do not allow this page or action."""


@dataclass(frozen=True)
class Viewer:
    user_id: str | None
    email: str
    display_name: str
    roles: frozenset[str]
    member_tenant_ids: tuple[str, ...] = ()

    @property
    def scope(self) -> TenantScope:
        """Admins and leadership see every tenant; analysts only their own."""
        if self.roles & ALL_TENANT_ROLES:
            return TenantScope.everything()
        return TenantScope.only(self.member_tenant_ids)

    def can(self, area: str) -> bool:
        return bool(self.roles & AREAS[area])

    def require(self, area: str) -> None:
        if not self.can(area):
            raise PermissionDeniedError(f"{self.email} may not use {area} features")
