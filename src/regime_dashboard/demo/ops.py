"""The job ledger (runs of every kind, with tokens and cost), notifications and
compliance events."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from .ids import uuids

__all__ = ["ops_frames"]

_KIND_P = {
    "backtest": 0.3,
    "agent": 0.3,
    "engine_release": 0.1,
    "paper_trade": 0.15,
    "training": 0.05,
    "import": 0.1,
}
_ERRORS = [
    "TimeoutError: engine step exceeded 300 s",
    "ValueError: missing bars for window",
    "RateLimitError: upstream model provider 429",
    "MemoryError: worker OOM",
    "ConnectionError: broker API unreachable",
]
TOKEN_PRICE_USD = {"input": 3e-6, "output": 15e-6}
COMPUTE_PRICE_USD_PER_SECOND = 0.0004


def _statuses(rng: np.random.Generator, queued: pd.Series, now: dt.datetime) -> np.ndarray:
    status = rng.choice(["succeeded", "failed", "canceled"], len(queued), p=[0.86, 0.11, 0.03])
    age = (pd.Timestamp(now) - queued).dt.total_seconds().to_numpy()
    status = np.where(age < 600, "processing", status)
    return np.where(age < 120, "queued", status)


def runs_frame(
    rng: np.random.Generator,
    tenants: pd.DataFrame,
    links: pd.DataFrame,
    heavy: pd.Series,
    n: int,
    now: dt.datetime,
) -> pd.DataFrame:
    """`heavy` weights tenants (agent-heavy tenants cost more than they pay)."""
    weights = heavy.to_numpy() / heavy.sum()
    idx = rng.choice(len(tenants), n, p=weights)
    tenant_ids = tenants["id"].to_numpy()[idx]
    signup = pd.to_datetime(tenants["signup"], utc=True).dt.tz_localize(None).to_numpy()[idx]
    span = (np.datetime64(now.replace(tzinfo=None)) - signup) / np.timedelta64(1, "s")
    queued = pd.Series(signup + (rng.random(n) * span).astype("timedelta64[s]")).dt.tz_localize(
        "UTC"
    )
    kind = rng.choice(list(_KIND_P), n, p=list(_KIND_P.values()))
    status = _statuses(rng, queued, now)
    wait = rng.lognormal(np.log(8), 1.0, n)
    run_s = rng.lognormal(np.log(np.where(kind == "training", 900, 45)), 0.8)
    started = queued + pd.to_timedelta(np.where(status == "queued", np.nan, wait), unit="s")
    finished_ok = np.isin(status, ["succeeded", "failed", "canceled"])
    finished = started + pd.to_timedelta(np.where(finished_ok, run_s, np.nan), unit="s")
    agentic = np.isin(kind, ["agent", "backtest"]) & finished_ok
    tok_in = np.where(agentic, rng.lognormal(np.log(20_000), 1.0, n), 0).astype(np.int64)
    tok_out = (tok_in * rng.uniform(0.05, 0.3, n)).astype(np.int64)
    compute = np.where(finished_ok, run_s, 0.0).round(3)
    cost = (
        tok_in * TOKEN_PRICE_USD["input"]
        + tok_out * TOKEN_PRICE_USD["output"]
        + compute * COMPUTE_PRICE_USD_PER_SECOND
    ).round(6)
    ids = uuids(rng, n)
    return pd.DataFrame(
        {
            "tenant_id": tenant_ids,
            "id": ids,
            "user_id": _members_of(rng, tenant_ids, links),
            "kind": kind,
            "status": status,
            "queued_at": queued,
            "started_at": started,
            "finished_at": finished,
            "error": np.where(status == "failed", rng.choice(_ERRORS, n), None),  # type: ignore[call-overload]
            "tokens_input": tok_in,
            "tokens_output": tok_out,
            "compute_seconds": compute,
            "cost_usd": cost,
            "request_id": [f"req-{u.hex[:16]}" for u in ids],
            "idempotency_key": [f"idem-{u.hex}" for u in ids],
        }
    )


def _members_of(rng: np.random.Generator, tenant_ids: np.ndarray, links: pd.DataFrame) -> list:
    grouped = links.groupby("tenant_id", sort=False)["user_id"].apply(list).to_dict()
    picks = rng.random(len(tenant_ids))
    return [grouped[t][int(p * len(grouped[t]))] for t, p in zip(tenant_ids, picks, strict=True)]


def notifications_frame(
    rng: np.random.Generator, links: pd.DataFrame, now: dt.datetime
) -> pd.DataFrame:
    sample = links.sample(n=min(len(links), 200), random_state=rng.integers(1 << 31))
    created = [now - dt.timedelta(hours=int(h)) for h in rng.integers(1, 2000, len(sample))]
    return pd.DataFrame(
        {
            "tenant_id": sample["tenant_id"].to_numpy(),
            "id": uuids(rng, len(sample)),
            "user_id": sample["user_id"].to_numpy(),
            "type": rng.choice(["regime_change", "quota_warning", "backtest_done"], len(sample)),
            "payload": [{"message": "demo notification"}] * len(sample),
            "channel": "in_app",
            "read_at": [c + dt.timedelta(hours=2) if rng.random() < 0.6 else None for c in created],
            "created_at": created,
        }
    )


def compliance_frame(
    rng: np.random.Generator, orders: pd.DataFrame, now: dt.datetime
) -> pd.DataFrame:
    rejected = orders[orders["status"] == "REJECTED"].head(100)
    return pd.DataFrame(
        {
            "tenant_id": rejected["tenant_id"].to_numpy(),
            "id": uuids(rng, len(rejected)),
            "entity_type": "order",
            "entity_id": rejected["id"].to_numpy(),
            "event_type": "order_rejected",
            "payload": [{"reason": "insufficient margin"}] * len(rejected),
            "status": rng.choice(["open", "resolved"], len(rejected)),
            "created_at": rejected["order_timestamp"].to_numpy(),
            "resolved_at": None,
        }
    )


def ops_frames(
    rng: np.random.Generator,
    tenants: pd.DataFrame,
    links: pd.DataFrame,
    orders: pd.DataFrame,
    n_runs: int,
    now: dt.datetime,
) -> dict[str, pd.DataFrame]:
    heavy = pd.Series(rng.lognormal(0, 0.6, len(tenants)))
    heavy.iloc[5 % len(tenants)] *= 8  # one tenant whose agents cost more than it pays
    return {
        "runs": runs_frame(rng, tenants, links, heavy, n_runs, now),
        "notifications": notifications_frame(rng, links, now),
        "compliance_events": compliance_frame(rng, orders, now),
    }
