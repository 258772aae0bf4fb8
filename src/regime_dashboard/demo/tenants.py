"""Tenants, their members, the dashboard accounts and their watchlists."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

import bcrypt
import numpy as np
import pandas as pd

from .ids import uuids

__all__ = ["DEMO_ACCOUNTS", "DemoAccount", "dashboard_accounts", "members", "tenants_frame"]

_FIRST = [
    "Aster",
    "Birch",
    "Cobalt",
    "Dune",
    "Ember",
    "Fjord",
    "Granite",
    "Harbor",
    "Iris",
    "Juniper",
    "Kestrel",
    "Linden",
    "Meridian",
    "Nimbus",
    "Onyx",
    "Pine",
    "Quarry",
    "Rowan",
    "Sable",
    "Tidal",
    "Umber",
    "Vale",
    "Willow",
    "Yarrow",
    "Zephyr",
]
_SECOND = [
    "Capital",
    "Partners",
    "Macro",
    "Quant",
    "Research",
    "Asset Management",
    "Trading",
    "Advisors",
    "Holdings",
    "Analytics",
    "Investments",
    "Labs",
    "Markets",
    "Securities",
    "Funds",
    "Strategies",
    "Ventures",
    "Group",
    "Global",
    "Systems",
]


@dataclass(frozen=True)
class DemoAccount:
    email: str
    password: str
    role: str
    display_name: str


DEMO_ACCOUNTS = (
    DemoAccount("analyst@demo.local", "analyst-demo-pass", "analyst", "Ana Analyst"),
    DemoAccount("admin@demo.local", "admin-demo-pass", "admin", "Adam Admin"),
    DemoAccount("leadership@demo.local", "leadership-demo-pass", "leadership", "Lea Leader"),
)
# Their passwords are public (README): they sign in only where DEMO_MODE is on.
DEMO_EMAILS = frozenset(a.email for a in DEMO_ACCOUNTS)
ANALYST_TENANTS = 3  # the demo analyst belongs to the first three tenants


def tenant_names(n: int) -> list[str]:
    names = [f"{a} {b}" for b in _SECOND for a in _FIRST]
    return [names[(i * 7) % len(names)] if i < len(names) else f"Tenant {i:04d}" for i in range(n)]


def tenants_frame(
    rng: np.random.Generator, n: int, as_of: dt.datetime, months: int
) -> pd.DataFrame:
    """Columns id, name, settings_json, created_at, updated_at, region, currency, tax_rate,
    signup (the last four feed the billing simulation, not the table)."""
    history_days = int(months * 30.4)
    offsets = np.sort(rng.integers(20, history_days, n))[::-1]
    region = np.where(rng.random(n) < 0.3, "eu", "us")
    us_tax = np.where(rng.random(n) < 0.4, 0.0825, 0.0)
    frame = pd.DataFrame(
        {
            "id": uuids(rng, n),
            "name": tenant_names(n),
            "region": region,
            "currency": np.where(region == "eu", "EUR", "USD"),
            "tax_rate": np.where(region == "eu", 0.20, us_tax),
            "signup": [
                as_of - dt.timedelta(days=int(d), hours=int(h))
                for d, h in zip(offsets, rng.integers(0, 20, n), strict=True)
            ],
        }
    )
    frame.loc[n - 1, "signup"] = as_of - dt.timedelta(days=5, hours=3)  # one fresh trial
    frame["settings_json"] = [
        {
            "region": r,
            "timezone": "Europe/Berlin" if r == "eu" else "America/New_York",
            "report_currency": c,
        }
        for r, c in zip(frame["region"], frame["currency"], strict=True)
    ]
    frame["created_at"] = frame["signup"]
    frame["updated_at"] = frame["signup"]
    return frame


def members(rng: np.random.Generator, tenants: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Platform users of each tenant. Returns (users, tenant_users) frames."""
    counts = rng.integers(2, 6, len(tenants))
    user_ids = uuids(rng, int(counts.sum()))
    users, links, k = [], [], 0
    for tenant, count in zip(tenants.itertuples(), counts, strict=True):
        slug = tenant.name.lower().replace(" ", "-")
        for j in range(count):
            uid = user_ids[k]
            k += 1
            users.append(
                {
                    "id": uid,
                    "email": f"user{j + 1}@{slug}.example",
                    "display_name": f"{tenant.name} user {j + 1}",
                    "dashboard_roles": [],
                    "created_at": tenant.signup,
                }
            )
            role = "owner" if j == 0 else ("admin" if j == 1 else "member")
            links.append(
                {"tenant_id": tenant.id, "user_id": uid, "role": role, "created_at": tenant.signup}
            )
    return pd.DataFrame(users), pd.DataFrame(links)


_BCRYPT_ALPHABET = "./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"


def _hash(password: str, rng: np.random.Generator) -> str:
    """bcrypt at cost 12 with a salt drawn from `rng`, so the same seed gives the same hash."""
    body = "".join(rng.choice(list(_BCRYPT_ALPHABET), 21)) + rng.choice(list(".Oeu"))
    return bcrypt.hashpw(password.encode(), f"$2b$12${body}".encode()).decode()


def dashboard_accounts(
    rng: np.random.Generator, tenants: pd.DataFrame, as_of: dt.datetime
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One account per dashboard role; the analyst is a member of the first tenants.
    Returns (users, tenant_users)."""
    ids = uuids(rng, len(DEMO_ACCOUNTS))
    created = as_of - dt.timedelta(days=400)
    users = pd.DataFrame(
        [
            {
                "id": uid,
                "email": a.email,
                "display_name": a.display_name,
                "password_hash": _hash(a.password, rng),
                "dashboard_roles": [a.role],
                "created_at": created,
            }
            for uid, a in zip(ids, DEMO_ACCOUNTS, strict=True)
        ]
    )
    analyst = ids[0]
    links = pd.DataFrame(
        [
            {"tenant_id": t, "user_id": analyst, "role": "member", "created_at": created}
            for t in tenants["id"].iloc[:ANALYST_TENANTS]
        ]
    )
    return users, links


def watchlists(analyst_id: uuid.UUID, follows: pd.DataFrame, as_of: dt.datetime) -> pd.DataFrame:
    """The analyst's watchlist in each of their tenants: every asset the tenant follows.
    `follows` has columns tenant_id, asset_id. Columns tenant_id, user_id, asset_id,
    settings_json, created_at."""
    frame = follows.copy()
    frame["user_id"] = analyst_id
    frame["settings_json"] = [{"watchlist": True, "default_range_days": 365}] * len(frame)
    frame["created_at"] = as_of - dt.timedelta(days=300)
    return frame


__all__ += ["ANALYST_TENANTS", "DEMO_EMAILS", "tenant_names", "watchlists"]
