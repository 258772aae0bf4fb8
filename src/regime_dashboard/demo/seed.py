"""`regime-dashboard seed`: write a whole, internally consistent demo platform.

The same `seed` and `as_of` give the same rows, byte for byte (tests compare checksums).
Everything is written in one transaction: a failed seed leaves nothing behind.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd
import psycopg
from sqlalchemy.dialects.postgresql import psycopg as postgresql_psycopg
from sqlalchemy.engine import make_url

from ..db.engine import libpq_dsn, normalise_url
from ..queries.versions import data_version_bump
from .alerts import seed_alerts
from .billing import SCENARIOS, Lifecycle, simulate_lifecycle
from .ids import domain_rng, uuids
from .market import bars_frame, build_market, build_releases
from .ops import ops_frames
from .plans import plans_frame
from .progress import Progress
from .research import research_frames
from .scale import SCALES, Scale
from .tenants import DEMO_ACCOUNTS, dashboard_accounts, members, tenants_frame, watchlists
from .trading import PriceBook, trading_frames
from .usage import clip_to, daily_plan_status, usage_events
from .writer import copy_frame, truncate_all

__all__ = ["SeedRefusedError", "SeedSummary", "seed_database"]

_FORCED_PLANS = {
    0: "pro",
    1: "starter",
    2: "pro",
    3: "starter",
    4: "pro",
    5: "starter",
    6: "fund",
    7: "fund",
}


class SeedRefusedError(RuntimeError):
    """The database already holds data and --reset was not given."""


@dataclass
class SeedSummary:
    scale: str
    seed: int
    as_of: dt.date
    rows: dict[str, int]


def _existing_rows(conn: psycopg.Connection) -> dict[str, int]:
    counts = {}
    for table in ("tenants", "price_bars", "plans", "users"):
        row = conn.execute(
            f"SELECT count(*) FROM (SELECT 1 FROM {table} LIMIT 1000) t"  # noqa: S608 - constant names
        ).fetchone()
        counts[table] = row[0] if row else 0
    return {k: v for k, v in counts.items() if v}


def _follows(
    rng: np.random.Generator, tenants: pd.DataFrame, assets: pd.Series, k: int
) -> pd.DataFrame:
    """Which assets each tenant runs the engine on: the first tenants cover one of each class."""
    rows = []
    for i, tenant_id in enumerate(tenants["id"]):
        chosen = list(assets.iloc[:k]) if i < 3 else list(rng.choice(assets, k, replace=False))
        rows += [{"tenant_id": tenant_id, "asset_id": a} for a in chosen]
    return pd.DataFrame(rows)


def _billing(
    rng: np.random.Generator, tenants: pd.DataFrame, now: dt.datetime
) -> dict[str, pd.DataFrame]:
    subs, events, payments = [], [], []
    sub_ids = uuids(rng, len(tenants))
    for i, t in enumerate(tenants.itertuples()):
        plan = _FORCED_PLANS.get(i) or rng.choice(
            ["free", "starter", "pro", "fund"], p=[0.15, 0.4, 0.35, 0.1]
        )
        cycle = (
            "annual"
            if plan != "free" and i not in _FORCED_PLANS and rng.random() < 0.25
            else "monthly"
        )
        life = Lifecycle(
            t.id, sub_ids[i], t.currency, float(t.tax_rate), plan=str(plan), cycle=cycle
        )
        scenario = SCENARIOS[i] if i < len(SCENARIOS) else None
        simulate_lifecycle(life, rng, t.signup.to_pydatetime(), now, scenario)
        subs.append(_subscription_row(life, t, now))
        events += life.events
        payments += life.payments
    ev = pd.DataFrame(events).assign(id=uuids(rng, len(events)))
    pay = pd.DataFrame(payments)
    pay = pay.assign(
        id=uuids(rng, len(pay)),
        provider="stripe",
        payment_method="card",
        provider_payment_id=[f"pi_{u.hex[:24]}" for u in uuids(rng, len(pay))],
        created_at=pay["billed_at"],
    )
    return {"subscriptions": pd.DataFrame(subs), "subscription_events": ev, "payments": pay}


def _subscription_row(life: Lifecycle, tenant, now: dt.datetime) -> dict:
    last = life.events[-1]
    canceled = life.status == "canceled"
    return {
        "tenant_id": life.tenant_id,
        "id": life.subscription_id,
        "plan_id": life.plan,
        "status": life.status,
        "billing_cycle": life.cycle,
        "price_cents": life.price,
        "currency": life.currency,
        "started_at": life.events[0]["occurred_at"],
        "ends_at": last["occurred_at"] if canceled else None,
        "trial_ends_at": tenant.signup + dt.timedelta(days=14) if life.plan != "free" else None,
        "current_period_start": None if canceled else life.period_start,
        "current_period_end": None if canceled or life.period_start is None else life.period_end(),
        "cancel_at_period_end": life.cancel_at_period_end,
        "stripe_customer_id": f"cus_{life.tenant_id.hex[:14]}",
        "stripe_subscription_id": f"sub_{life.subscription_id.hex[:14]}",
        "created_at": tenant.signup,
        "updated_at": last["occurred_at"],
        "version": 1,
    }


def _usage(
    seed: int,
    scale: Scale,
    tenants: pd.DataFrame,
    links: pd.DataFrame,
    subscription_events: pd.DataFrame,
    now: dt.datetime,
) -> pd.DataFrame:
    """The usage events of every day from the first signup to the day before `now`, by the
    plan each tenant was on that day, none after `now`."""
    last_bar = now.date() - dt.timedelta(days=1)
    days = pd.date_range(tenants["signup"].min().normalize().tz_localize(None), last_bar, freq="D")
    states = daily_plan_status(subscription_events, days)
    rng = domain_rng(seed, "usage")
    return clip_to(now, usage_events(rng, states, tenants["id"], links, scale.usage_events))


def _price_book(bars: dict[str, pd.DataFrame]) -> PriceBook:
    """Each asset's bar dates and closes, for filling orders at market."""
    return PriceBook(
        {a: pd.to_datetime(b["date"]).to_numpy() for a, b in bars.items()},
        {a: b["close"].to_numpy() for a, b in bars.items()},
    )


def build_frames(
    scale: Scale, seed: int, as_of: dt.date, progress: Progress
) -> dict[str, pd.DataFrame]:
    """Every table's rows, in foreign-key order."""
    now = dt.datetime.combine(as_of, dt.time(12), tzinfo=dt.UTC)
    last_bar = as_of - dt.timedelta(days=1)
    progress.step("simulating price bars and engine outputs")
    market = build_market(
        domain_rng(seed, "prices"), scale.assets, scale.bar_years, scale.output_years, last_bar
    )
    progress.step("tenants, members and billing")
    tenants = tenants_frame(domain_rng(seed, "tenants"), scale.tenants, now, scale.history_months)
    users_rng = domain_rng(seed, "users")
    platform_users, links = members(users_rng, tenants)
    accounts, analyst_links = dashboard_accounts(users_rng, tenants, now)
    billing = _billing(domain_rng(seed, "billing"), tenants, now)
    follows = _follows(
        domain_rng(seed, "research"), tenants, market.assets["id"], scale.assets_per_tenant
    )
    releases, outputs = build_releases(domain_rng(seed, "research"), market, follows, last_bar)
    progress.step("usage events")
    usage = _usage(seed, scale, tenants, links, billing["subscription_events"], now)
    progress.step("strategies, backtests, portfolios and runs")
    owners = links[links["role"] == "owner"].set_index("tenant_id")["user_id"]
    research = research_frames(
        domain_rng(seed, "research"), tenants, owners, scale.strategies_per_tenant, now
    )
    book = _price_book(market.bars)
    crypto = set(market.assets.loc[market.assets["asset_class"] == "crypto", "id"])
    trading = trading_frames(
        domain_rng(seed, "trading"), tenants, follows, owners, book, crypto, scale.orders, now
    )
    ops = ops_frames(domain_rng(seed, "ops"), tenants, links, trading["orders"], scale.runs, now)
    analyst_follows = follows[follows["tenant_id"].isin(analyst_links["tenant_id"])]
    return {
        "plans": plans_frame(now - dt.timedelta(days=scale.history_months * 31)),
        "assets": market.assets.drop(columns=["start_price"]),
        "price_bars": bars_frame(market, now),
        "tenants": tenants[["id", "name", "settings_json", "created_at", "updated_at"]],
        "users": pd.concat([platform_users, accounts], ignore_index=True),
        "tenant_users": pd.concat([links, analyst_links], ignore_index=True),
        "user_asset_settings": watchlists(accounts["id"].iloc[0], analyst_follows, now),
        **billing,
        "usage_events": usage,
        "engine_releases": releases,
        "engine_outputs_daily": outputs,
        **research,
        **{
            k: trading[k]
            for k in ("broker_accounts", "portfolios", "signals", "orders", "fills", "holdings")
        },
        **ops,
    }


def _bump_data_version(conn: psycopg.Connection) -> None:
    """queries.versions' bump, run in the seed's own transaction: every cache sees new data."""
    bump = data_version_bump().compile(dialect=postgresql_psycopg.dialect())
    conn.execute(str(bump), bump.params)


def seed_database(
    url: str,
    *,
    scale: str = "small",
    seed: int = 7,
    as_of: dt.date | None = None,
    reset: bool = False,
    show_progress: bool = False,
) -> SeedSummary:
    """Seed the database at `url` (already migrated). Refuses a non-empty one unless `reset`."""
    as_of = as_of or dt.datetime.now(dt.UTC).date()
    spec = SCALES[scale]
    progress = Progress(6, enabled=show_progress)  # four building steps, writing, vacuuming
    with psycopg.connect(libpq_dsn(make_url(normalise_url(url)))) as conn:
        existing = _existing_rows(conn)
        if existing and not reset:
            found = ", ".join(
                f"{t} ({n}{'+' if n >= 1000 else ''} rows)" for t, n in existing.items()
            )
            raise SeedRefusedError(
                f"the database already holds data: {found}. "
                "Run again with --reset to replace it with demo data."
            )
        frames = build_frames(spec, seed, as_of, progress)
        progress.step(f"writing {sum(len(f) for f in frames.values()):,} rows")
        if reset:
            truncate_all(conn)
        rows = {table: copy_frame(conn, table, frame) for table, frame in frames.items()}
        _bump_data_version(conn)
        conn.commit()
        seed_alerts(url, as_of=as_of)  # demo rules and their firings, so Home lists some
        progress.step("vacuuming and analyzing tables")
        conn.autocommit = True
        # what autovacuum would do after a bulk load: statistics for the planner, and the
        # visibility map that lets index-only scans skip the heap
        conn.execute("VACUUM (ANALYZE)")
    return SeedSummary(scale=scale, seed=seed, as_of=as_of, rows=rows)


__all__ += ["DEMO_ACCOUNTS", "build_frames"]
