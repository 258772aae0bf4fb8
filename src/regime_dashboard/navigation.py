"""The page registry: which page file belongs to which area, under which title and URL.

app.py builds the navigation from it for the signed-in viewer's roles; the benchmark and
the browser tests walk it too."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["PAGES", "PageSpec", "pages_for"]


@dataclass(frozen=True)
class PageSpec:
    area: str | None  # None: every signed-in viewer
    section: str
    path: str
    title: str
    icon: str
    slug: str


PAGES = (
    PageSpec("analyst", "Analysis", "views/regimes.py", "Regimes", "🧭", "regimes"),
    PageSpec("admin", "Admin", "views/admin_plans.py", "Plans", "🧾", "admin-plans"),
    PageSpec("admin", "Admin", "views/admin_tenants.py", "Tenants", "🏢", "admin-tenants"),
    PageSpec("admin", "Admin", "views/audit.py", "Audit", "📜", "audit"),
    PageSpec(None, "Account", "views/home.py", "Home", "🏠", "home"),
)


def pages_for(roles: frozenset[str]) -> list[PageSpec]:
    """The pages a viewer with `roles` may open, in navigation order."""
    from .viewer import AREAS

    return [p for p in PAGES if p.area is None or roles & AREAS[p.area]]
