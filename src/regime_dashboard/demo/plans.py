"""The plan catalogue of the demo: prices, features and monthly limits."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict

import pandas as pd

from ..queries.audited_writes import PlanValues

__all__ = ["PLAN_LADDER", "USAGE_METRICS", "plans_frame"]

USAGE_METRICS = ("api_calls", "backtests", "tokens")
PLAN_LADDER = ("free", "starter", "pro", "fund")
_FEATURES: dict[str, dict[str, bool | int | str]] = {
    "free": {
        "regime_engine": True,
        "backtests": True,
        "paper_trading": False,
        "api_access": False,
        "support": "community",
    },
    "starter": {
        "regime_engine": True,
        "backtests": True,
        "paper_trading": False,
        "api_access": True,
        "support": "email",
    },
    "pro": {
        "regime_engine": True,
        "backtests": True,
        "paper_trading": True,
        "api_access": True,
        "support": "email",
    },
    "fund": {
        "regime_engine": True,
        "backtests": True,
        "paper_trading": True,
        "api_access": True,
        "support": "priority",
    },
}
_LIMITS: dict[str, dict[str, int | None]] = {
    "free": {"api_calls": 1_000, "backtests": 5, "tokens": 50_000, "seats": 1},
    "starter": {"api_calls": 20_000, "backtests": 50, "tokens": 1_000_000, "seats": 3},
    "pro": {"api_calls": 100_000, "backtests": 300, "tokens": 5_000_000, "seats": 10},
    "fund": {"api_calls": 1_000_000, "backtests": None, "tokens": 50_000_000, "seats": None},
}
_PRICES = {
    "free": (0, None),
    "starter": (4_900, 49_000),
    "pro": (19_900, 199_000),
    "fund": (99_900, 999_000),
}


def plan_price(plan_id: str, cycle: str) -> int:
    """Price in cents per billing cycle."""
    monthly, annual = _PRICES[plan_id]
    return annual if cycle == "annual" and annual is not None else monthly


def plan_limits(plan_id: str) -> dict[str, int | None]:
    return dict(_LIMITS[plan_id])


def plans_frame(created_at: dt.datetime) -> pd.DataFrame:
    """Columns id, the PlanValues fields (queries.audited_writes), is_active, created_at,
    updated_at."""
    rows = [
        {
            "id": pid,
            **asdict(PlanValues(pid.title(), *_PRICES[pid], "USD", _FEATURES[pid], _LIMITS[pid])),
            "is_active": True,
        }
        for pid in PLAN_LADDER
    ]
    frame = pd.DataFrame(rows).astype({"price_annual_cents": "Int64"})
    return frame.assign(created_at=created_at, updated_at=created_at)


__all__ += ["plan_limits", "plan_price"]
