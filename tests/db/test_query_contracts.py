"""Every query's result against its declared contract, on the seeded demo database.

A query module declares each result as a `{"column": "dtype"}` dict (queries/_frames.py);
this test runs every public query function (a `Connection` first, a keyword `scope`, a
DataFrame returned) with the parameters in CASES and asserts the columns, in order, and
their dtypes: those declared, but where frame()'s NULL rule explains the difference. Run
again with a scope of no tenant, each empty result must carry exactly the declared dtypes.
A new query function without a case fails `test_every_query_function_has_a_case`.
"""

from __future__ import annotations

import datetime as dt
import importlib
import inspect
import pkgutil
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from types import ModuleType
from typing import Any, NamedTuple

import pandas as pd
import pytest
from sqlalchemy import Engine
from sqlalchemy.engine import make_url

from regime_dashboard import queries
from regime_dashboard.db.engine import make_engine, read_only
from regime_dashboard.queries import (
    admin_reads,
    alerts,
    backtests,
    billing,
    market,
    ops,
    portfolio,
    regimes,
    usage,
    user_settings,
)
from regime_dashboard.scope import TenantScope
from tests.conftest import AS_OF, Server
from tests.helpers import sql

pytestmark = pytest.mark.db

ALL = TenantScope.everything()
YEAR_AGO = AS_OF - dt.timedelta(days=365)
FIRST_MONTH = dt.date(AS_OF.year, 1, 1)
MONTH_START = AS_OF.replace(day=1)
RATES: billing.Rates = (("EUR", 1.08), ("GBP", 1.27), ("USD", 1.0))


@dataclass(frozen=True)
class Seeded:
    """Ids of seeded rows the queries take, looked up once."""

    tenant_id: str  # the release's tenant
    release_id: str  # the release with the most outputs
    asset_id: str  # an asset with adjusted closes
    assets: tuple[str, ...]  # two assets with bars
    watcher_tenant_id: str  # a tenant where `watcher_id` has a watchlist
    watcher_id: str
    watched_asset_id: str  # an asset on that watchlist
    run_tenant_id: str  # the run's tenant
    run_id: str  # a run with equity
    book_tenant_id: str  # the portfolio's tenant
    portfolio_id: str  # the portfolio with the most orders
    usage_tenant_id: str  # a tenant with usage in AS_OF's month
    plan_id: str  # the plan with the most live subscriptions
    admin_tenant_id: str  # a tenant with members, a subscription and (added) an override


class Case(NamedTuple):
    """A query's declared contract, its parameters (but conn and scope) and whether the
    seeded data gives it rows."""

    contract: Mapping[str, str]
    params: Callable[[Seeded], dict[str, Any]]
    has_rows: bool = True


def _window(start: dt.date = YEAR_AGO, end: dt.date = AS_OF) -> dict[str, Any]:
    return {"start": start, "end": end}


CASES: dict[str, Case] = {
    "admin_reads.audit_entries": Case(admin_reads.AUDIT_COLUMNS, lambda s: {}),
    "admin_reads.audit_filter_options": Case(admin_reads.OPTION_COLUMNS, lambda s: {}),
    "admin_reads.plan_mrr_change": Case(
        admin_reads.MRR_COLUMNS,
        lambda s: {"plan_id": s.plan_id, "new_monthly": 12_345, "new_annual": None},
    ),
    "admin_reads.plans_overview": Case(admin_reads.PLAN_ROW_COLUMNS, lambda s: {}),
    "admin_reads.quota_usage": Case(
        admin_reads.USAGE_COLUMNS,
        lambda s: {
            "month_start": MONTH_START,
            "through": AS_OF,
            "at": dt.datetime.combine(AS_OF, dt.time(), dt.UTC),
        },
    ),
    "admin_reads.tenant_members": Case(
        admin_reads.MEMBER_COLUMNS, lambda s: {"tenant_id": s.admin_tenant_id}
    ),
    "admin_reads.tenant_overrides": Case(
        admin_reads.OVERRIDE_COLUMNS, lambda s: {"tenant_id": s.admin_tenant_id}
    ),
    "admin_reads.tenant_subscription": Case(
        admin_reads.SUBSCRIPTION_COLUMNS, lambda s: {"tenant_id": s.admin_tenant_id}
    ),
    "admin_reads.tenant_grid": Case(admin_reads.TENANT_GRID_COLUMNS, lambda s: {"rates": RATES}),
    "admin_reads.tenants_overview": Case(admin_reads.TENANT_COLUMNS, lambda s: {}),
    "alerts.evaluation_marks": Case(alerts.MARK_COLUMNS, lambda s: {}),
    "alerts.outputs_from": Case(
        alerts.OUTPUT_COLUMNS,
        lambda s: {"tenant_id": s.tenant_id, "release_id": s.release_id, "start": YEAR_AGO},
    ),
    # the demo seeds no webhook: its empty result is checked, typed as declared
    "alerts.pending_deliveries": Case(alerts.DELIVERY_COLUMNS, lambda s: {}, has_rows=False),
    "alerts.rule_documents": Case(alerts.RULE_DOCUMENT_COLUMNS, lambda s: {}),
    "alerts.rule_releases": Case(alerts.RELEASE_COLUMNS, lambda s: {}),
    "alerts.unread_alerts": Case(
        alerts.ALERT_COLUMNS, lambda s: {"user_id": s.watcher_id, "limit": 50}
    ),
    "alerts.unread_count": Case(alerts.COUNT_COLUMNS, lambda s: {"user_id": s.watcher_id}),
    "backtests.equity": Case(
        backtests.EQUITY_COLUMNS,
        lambda s: {"tenant_id": s.run_tenant_id, "run_id": s.run_id},
    ),
    "backtests.list_runs": Case(backtests.RUN_COLUMNS, lambda s: {}),
    "backtests.paper_runs": Case(backtests.PAPER_COLUMNS, lambda s: {}),
    "billing.failed_payments": Case(
        billing.FAILED_PAYMENT_COLUMNS,
        lambda s: {"first_month": FIRST_MONTH, "as_of": AS_OF, "rates": RATES, "limit": 50},
    ),
    "billing.movement_customers": Case(
        billing.MOVEMENT_CUSTOMER_COLUMNS,
        lambda s: {"month": dt.date(2026, 2, 1), "as_of": AS_OF, "rates": RATES},
    ),
    "billing.mrr_by_currency": Case(
        billing.CURRENCY_COLUMNS, lambda s: {"as_of": AS_OF, "rates": RATES}
    ),
    "billing.mrr_movements": Case(
        billing.MOVEMENT_COLUMNS,
        lambda s: {"first_month": FIRST_MONTH, "as_of": AS_OF, "rates": RATES},
    ),
    "billing.past_due_subscriptions": Case(
        billing.PAST_DUE_COLUMNS, lambda s: {"as_of": AS_OF, "rates": RATES}
    ),
    "billing.payments_by_month": Case(
        billing.PAYMENT_COLUMNS,
        lambda s: {"first_month": FIRST_MONTH, "as_of": AS_OF, "rates": RATES},
    ),
    "billing.plan_month_ends": Case(
        billing.PLAN_MONTH_END_COLUMNS,
        lambda s: {"first_month": FIRST_MONTH, "as_of": AS_OF, "rates": RATES},
    ),
    "billing.status_month_ends": Case(
        billing.STATUS_COLUMNS, lambda s: {"first_month": FIRST_MONTH, "as_of": AS_OF}
    ),
    "billing.tenant_revenue": Case(
        billing.TENANT_REVENUE_COLUMNS,
        lambda s: {"first_month": FIRST_MONTH, "as_of": AS_OF, "rates": RATES},
    ),
    "billing.trial_conversions": Case(
        billing.TRIAL_COLUMNS, lambda s: {"first_month": FIRST_MONTH, "as_of": AS_OF}
    ),
    "billing.upcoming_period_ends": Case(
        billing.UPCOMING_COLUMNS, lambda s: {"as_of": AS_OF, "days": 30, "rates": RATES}
    ),
    "market.bars": Case(market.BAR_COLUMNS, lambda s: {"asset_id": s.asset_id, **_window()}),
    "market.bars_bucketed": Case(
        market.BUCKET_COLUMNS,
        lambda s: {"asset_id": s.asset_id, **_window(), "max_points": 50, "adjusted": True},
    ),
    "market.closes": Case(market.CLOSE_COLUMNS, lambda s: {"asset_ids": s.assets, **_window()}),
    "market.last_closes": Case(
        market.CLOSE_COLUMNS, lambda s: {"asset_ids": s.assets, "on_or_before": AS_OF}
    ),
    "market.list_assets": Case(market.ASSET_COLUMNS, lambda s: {}),
    "market.return_histogram": Case(
        market.HISTOGRAM_COLUMNS,
        lambda s: {"asset_id": s.asset_id, **_window(), "adjusted": False, "bins": 20},
    ),
    "ops.activity_bounds": Case(ops.BOUNDS_COLUMNS, lambda s: {}),
    "ops.frequent_errors": Case(ops.ERROR_COLUMNS, lambda s: {**_window(), "limit": 10}),
    "ops.run_costs_by_tenant": Case(ops.COST_COLUMNS, lambda s: _window()),
    "ops.run_timings": Case(ops.TIMING_COLUMNS, lambda s: _window()),
    "ops.runs_per_day": Case(ops.RUNS_PER_DAY_COLUMNS, lambda s: _window()),
    "portfolio.confidence_bands": Case(
        portfolio.BAND_COLUMNS,
        lambda s: {
            "orders": portfolio.Orders(
                s.book_tenant_id, s.portfolio_id, **_window(dt.date(2020, 1, 1))
            )
        },
    ),
    "portfolio.fills": Case(
        portfolio.FILL_COLUMNS,
        lambda s: {"tenant_id": s.book_tenant_id, "portfolio_id": s.portfolio_id, "until": AS_OF},
    ),
    "portfolio.list_portfolios": Case(portfolio.PORTFOLIO_COLUMNS, lambda s: {}),
    "portfolio.orders_with_signals": Case(
        portfolio.ORDER_COLUMNS,
        lambda s: {
            "orders": portfolio.Orders(
                s.book_tenant_id, s.portfolio_id, **_window(dt.date(2020, 1, 1))
            )
        },
    ),
    "regimes.list_releases": Case(regimes.RELEASE_COLUMNS, lambda s: {}),
    "regimes.regime_series": Case(
        regimes.SERIES_COLUMNS,
        lambda s: {"tenant_id": s.tenant_id, "release_id": s.release_id, **_window()},
    ),
    "regimes.release_labels": Case(
        regimes.LABEL_COLUMNS, lambda s: {"tenant_id": s.tenant_id, "release_id": s.release_id}
    ),
    "regimes.release_spans": Case(regimes.SPAN_COLUMNS, lambda s: {"tenant_id": s.tenant_id}),
    "regimes.watchlist": Case(
        regimes.WATCHLIST_COLUMNS,
        lambda s: {"tenant_id": s.watcher_tenant_id, "user_id": s.watcher_id},
    ),
    "regimes.watchlist_tails": Case(
        regimes.CARD_COLUMNS,
        lambda s: {"tenant_id": s.watcher_tenant_id, "user_id": s.watcher_id, "window": 30},
    ),
    "user_settings.documents_of": Case(
        user_settings.USER_DOCUMENT_COLUMNS, lambda s: {"user_id": s.watcher_id}
    ),
    "user_settings.scope_tenants": Case(user_settings.TENANT_COLUMNS, lambda s: {}),
    "user_settings.settings_document": Case(
        user_settings.DOCUMENT_COLUMNS,
        lambda s: {
            "tenant_id": s.watcher_tenant_id,
            "user_id": s.watcher_id,
            "asset_id": s.watched_asset_id,
        },
    ),
    "usage.monthly_usage": Case(
        usage.MONTHLY_USAGE_COLUMNS,
        lambda s: {
            "first_month": AS_OF - dt.timedelta(days=365),
            "as_of": AS_OF,
            "metrics": ("api_calls", "tokens"),
        },
    ),
    "usage.tenant_daily_usage": Case(
        usage.DAILY_USAGE_COLUMNS, lambda s: {"tenant_id": s.usage_tenant_id, "as_of": AS_OF}
    ),
    "usage.usage_against_limits": Case(
        usage.LIMIT_COLUMNS, lambda s: {"as_of": AS_OF, "metrics": ("api_calls", "seats")}
    ),
}


def _query_modules() -> list[ModuleType]:
    """Every module of the queries package but the private ones."""
    names = (m.name for m in pkgutil.iter_modules(queries.__path__) if not m.name.startswith("_"))
    return [importlib.import_module(f"{queries.__name__}.{name}") for name in names]


def _is_query(fn: Callable[..., Any]) -> bool:
    """A Connection as first parameter, a keyword `scope` and a DataFrame returned: a
    scoped read with a contract."""
    signature = inspect.signature(fn)
    params = list(signature.parameters.values())
    first_is_connection = bool(params) and "Connection" in str(params[0].annotation)
    scoped = any(p.name == "scope" and p.kind is p.KEYWORD_ONLY for p in params)
    return first_is_connection and scoped and "DataFrame" in str(signature.return_annotation)


def query_functions() -> dict[str, Callable[..., pd.DataFrame]]:
    """Every public query function, by "module.function"."""
    found: dict[str, Callable[..., pd.DataFrame]] = {}
    for module in _query_modules():
        short = module.__name__.rsplit(".", 1)[-1]
        for name, fn in inspect.getmembers(module, inspect.isfunction):
            if fn.__module__ == module.__name__ and not name.startswith("_") and _is_query(fn):
                found[f"{short}.{name}"] = fn
    return found


QUERIES = query_functions()


def test_every_query_function_has_a_case() -> None:
    assert sorted(set(QUERIES) - set(CASES)) == [], "add a case to CASES for each"
    assert sorted(set(CASES) - set(QUERIES)) == [], "a case names no query function"


LIVE = "status IN ('trialing', 'active', 'past_due')"
# Seeded's fields, by the statement that finds them (one row, text columns)
LOOKUPS = {
    ("tenant_id", "release_id"): "SELECT r.tenant_id, r.id FROM engine_releases r "
    "JOIN engine_outputs_daily o ON o.release_id = r.id "
    "GROUP BY 1, 2 ORDER BY count(*) DESC, 2 LIMIT 1",
    ("asset_id",): "SELECT min(asset_id) FROM price_bars WHERE adj_close IS NOT NULL "
    "HAVING count(*) > 0",
    ("watcher_tenant_id", "watcher_id", "watched_asset_id"): "SELECT tenant_id, user_id, "
    "asset_id FROM user_asset_settings WHERE settings_json->>'watchlist' = 'true' "
    "ORDER BY 1, 2, 3 LIMIT 1",
    ("run_tenant_id", "run_id"): "SELECT r.tenant_id, r.id FROM backtest_runs r "
    "JOIN backtest_equity_daily e ON e.backtest_run_id = r.id ORDER BY r.id LIMIT 1",
    ("book_tenant_id", "portfolio_id"): "SELECT tenant_id, portfolio_id FROM orders "
    "GROUP BY 1, 2 ORDER BY count(*) DESC, 2 LIMIT 1",
    ("usage_tenant_id",): "SELECT tenant_id FROM usage_daily "
    f"WHERE day >= '{AS_OF.replace(day=1)}' GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1",
    ("plan_id",): f"SELECT plan_id FROM subscriptions WHERE {LIVE} "
    "GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1",
    ("admin_tenant_id",): "SELECT s.tenant_id FROM subscriptions s "
    f"JOIN tenant_users m USING (tenant_id) WHERE s.{LIVE} "
    "GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1",
}


def _first(url: str, query: str, *params: object) -> tuple:
    rows = sql(url, query, *params)
    assert rows, f"the seeded database has no row for: {query}"
    return rows[0]


def _seeded(url: str) -> Seeded:
    found: dict[str, Any] = {}
    for fields, query in LOOKUPS.items():
        found |= zip(fields, (str(value) for value in _first(url, query)), strict=True)
    assets = sql(url, "SELECT DISTINCT asset_id FROM price_bars ORDER BY asset_id LIMIT 2")
    return Seeded(**found, assets=tuple(a for (a,) in assets))


def _add_admin_rows(url: str, tenant_id: str) -> None:
    """What the demo does not seed: two quota overrides of `tenant_id` (one expiring) and
    an audited edit of one of them with its revert."""
    user_id, email = _first(url, "SELECT id::text, email FROM users ORDER BY email LIMIT 1")
    sql(
        url,
        "INSERT INTO tenant_quota_overrides "
        "(tenant_id, metric, limit_value, reason, expires_at, created_by) VALUES "
        "(%s, 'api_calls', 5000, 'contract test', %s, %s), "
        "(%s, 'seats', 40, 'contract test', NULL, %s)",
        *(tenant_id, dt.datetime.combine(AS_OF, dt.time(), dt.UTC), user_id),
        *(tenant_id, user_id),
    )
    edit = (user_id, email, '{"metric": "seats"}', tenant_id)
    (edit_id,) = sql(
        url,
        "INSERT INTO audit_log (actor_user_id, actor_email, table_name, row_key, tenant_id, "
        "action, before, after) VALUES (%s, %s, 'tenant_quota_overrides', %s, %s, 'update', "
        "'{\"limit_value\": 30}', '{\"limit_value\": 40}') RETURNING id",
        *edit,
    )[0]
    sql(
        url,
        "INSERT INTO audit_log (actor_user_id, actor_email, table_name, row_key, tenant_id, "
        "action, before, after, reverts_audit_id) VALUES (%s, %s, 'tenant_quota_overrides', "
        "%s, %s, 'update', '{\"limit_value\": 40}', '{\"limit_value\": 30}', %s)",
        *edit,
        edit_id,
    )


@pytest.fixture(scope="module")
def contracts_url(pg_server: Server, seeded_url: str) -> Iterator[str]:
    """A copy of the seeded database with the admin rows the demo leaves out."""
    url = pg_server.create("contracts", template=make_url(seeded_url).database)
    _add_admin_rows(url, _seeded(url).admin_tenant_id)
    yield url
    pg_server.drop(url)


@pytest.fixture(scope="module")
def seeded(contracts_url: str) -> Seeded:
    return _seeded(contracts_url)


@pytest.fixture(scope="module")
def engine(contracts_url: str) -> Iterator[Engine]:
    engine = make_engine(contracts_url, statement_timeout_ms=60_000)
    yield engine
    engine.dispose()


def _dtypes(data: pd.DataFrame) -> dict[str, str]:
    return {str(name): str(dtype) for name, dtype in data.dtypes.items()}


# what NULLs do to a declared dtype (queries/_frames.py): pandas stores an int64 column
# holding a NULL as float64 and a bool one as object; a column of NULLs only is object
NULL_DTYPES = {("int64", "float64"), ("bool", "object")}


def _unexplained(result: pd.DataFrame, contract: Mapping[str, str]) -> dict[str, str]:
    """Columns whose dtype differs from the declared one, beyond what NULLs explain:
    name -> "declared != actual"."""
    differing = {}
    for name, declared in contract.items():
        actual = str(result[name].dtype)
        nulls = result[name].isna()
        if actual == declared or (nulls.any() and (declared, actual) in NULL_DTYPES):
            continue
        if actual == "object" and len(result) and nulls.all():
            continue
        differing[name] = f"{declared} != {actual}"
    return differing


def _run(engine: Engine, name: str, scope: TenantScope, seeded: Seeded) -> pd.DataFrame:
    with read_only(engine) as conn:
        return QUERIES[name](conn, scope=scope, **CASES[name].params(seeded))


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_result_matches_its_contract(name: str, engine: Engine, seeded: Seeded) -> None:
    case = CASES[name]
    result = _run(engine, name, ALL, seeded)
    assert list(result.columns) == list(case.contract)
    if case.has_rows:
        assert len(result) > 0, "the seeded data should give rows"
    assert _unexplained(result, case.contract) == {}


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_empty_results_carry_the_declared_dtypes(name: str, engine: Engine, seeded: Seeded) -> None:
    """A scope of no tenant empties every tenant query (market data is shared: it keeps
    its rows, and its contract)."""
    result = _run(engine, name, TenantScope.only([]), seeded)
    assert list(result.columns) == list(CASES[name].contract)
    if result.empty:
        assert _dtypes(result) == dict(CASES[name].contract)
    else:
        assert _unexplained(result, CASES[name].contract) == {}
