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
    default: bool = False  # served at "/" (its slug would not resolve)

    @property
    def url(self) -> str:
        """The path after the server's address: "" for the default page."""
        return "" if self.default else self.slug


PAGES = (
    PageSpec("analyst", "Analysis", "views/regimes.py", "Regimes", ":material/explore:", "regimes"),
    PageSpec(
        "analyst", "Analysis", "views/releases.py", "Releases", ":material/compare:", "releases"
    ),
    PageSpec(
        "analyst", "Analysis", "views/prices.py", "Prices", ":material/candlestick_chart:", "prices"
    ),
    PageSpec(
        "analyst", "Analysis", "views/backtests.py", "Backtests", ":material/science:", "backtests"
    ),
    PageSpec(
        "analyst",
        "Analysis",
        "views/portfolio.py",
        "Portfolio P&L",
        ":material/account_balance_wallet:",
        "portfolio",
    ),
    PageSpec(
        "leadership",
        "Business",
        "views/subscriptions.py",
        "Subscriptions",
        ":material/group:",
        "subscriptions",
    ),
    PageSpec(
        "leadership", "Business", "views/revenue.py", "Revenue", ":material/payments:", "revenue"
    ),
    PageSpec(
        "leadership",
        "Business",
        "views/usage.py",
        "Usage against limits",
        ":material/speed:",
        "usage",
    ),
    PageSpec(
        "leadership", "Business", "views/costs.py", "Cost and margin", ":material/balance:", "costs"
    ),
    PageSpec(
        "leadership",
        "Business",
        "views/operations.py",
        "Run operations",
        ":material/monitor_heart:",
        "operations",
    ),
    PageSpec("admin", "Admin", "views/admin_plans.py", "Plans", ":material/sell:", "admin-plans"),
    PageSpec(
        "admin", "Admin", "views/admin_tenants.py", "Tenants", ":material/domain:", "admin-tenants"
    ),
    PageSpec("admin", "Admin", "views/audit.py", "Audit", ":material/history:", "audit"),
    PageSpec(None, "Account", "views/home.py", "Home", ":material/home:", "home", default=True),
)


def pages_for(roles: frozenset[str]) -> list[PageSpec]:
    """The pages a viewer with `roles` may open, in navigation order."""
    from .viewer import AREAS

    return [p for p in PAGES if p.area is None or roles & AREAS[p.area]]
