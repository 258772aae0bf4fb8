"""The Backtests page in AppTest: the tearsheet's numbers against QuantStats on the same
stored equity series, the stale-metric warning, filters, URL state and scoping."""

from __future__ import annotations

import base64
import html
import json
import math
import warnings
from functools import partial
from types import ModuleType

import numpy as np
import pandas as pd
import psycopg
import pytest
from sqlalchemy.engine import make_url
from streamlit.testing.v1 import AppTest

from regime_dashboard.db.engine import libpq_dsn
from regime_dashboard.labels import regime_label
from regime_dashboard.viewer import Viewer
from tests.app.analyst_pages import LEADER, open_page
from tests.app.browser_url import change
from tests.helpers import sql as _sql

pytestmark = [pytest.mark.app, pytest.mark.db]

RTOL = 1e-9
QS_NAMES = {  # page metric -> quantstats.stats function
    "total_return": "comp",
    "cagr": "cagr",
    "annual_volatility": "volatility",
    "sharpe": "sharpe",
    "sortino": "sortino",
    "max_drawdown": "max_drawdown",
    "calmar": "calmar",
    "win_rate": "win_rate",
    "exposure": "exposure",
}


@pytest.fixture(scope="module")
def qs() -> ModuleType:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import quantstats

    return quantstats.stats


def _quiet(fn, *args, **kwargs):  # type: ignore[no-untyped-def]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fn(*args, **kwargs)


_page = partial(open_page, "backtests")


def _values(field) -> np.ndarray:  # type: ignore[no-untyped-def]
    if isinstance(field, dict) and "bdata" in field:
        flat = np.frombuffer(base64.b64decode(field["bdata"]), dtype=field["dtype"])
        shape = field.get("shape")
        return flat.reshape([int(n) for n in str(shape).split(",")]) if shape else flat
    return np.asarray(field, dtype=object)


def _specs(at: AppTest) -> list[dict]:
    return [json.loads(c.proto.spec) for c in at.get("plotly_chart")]


def _returns(url: str, run_id: str) -> pd.Series:
    """The run's simple daily returns, computed here with pandas from the stored equity."""
    rows = _sql(
        url,
        "SELECT date, equity FROM backtest_equity_daily WHERE backtest_run_id = %s ORDER BY date",
        run_id,
    )
    equity = pd.Series([e for _, e in rows], index=pd.DatetimeIndex([d for d, _ in rows]))
    return equity.pct_change().iloc[1:]


def _runs_by_sharpe_check(url: str, qs: ModuleType) -> tuple[str, str]:
    """(a run whose stored Sharpe matches QuantStats, one whose stored Sharpe is stale)."""
    good = stale = None
    for run_id, stored in _sql(
        url,
        "SELECT id, (metrics->>'sharpe')::float8 FROM backtest_runs WHERE status = 'succeeded' ORDER BY created_at DESC, id",
    ):
        ok = math.isclose(
            float(_quiet(qs.sharpe, _returns(url, str(run_id)))), stored, rel_tol=1e-6
        )
        good, stale = (good or str(run_id), stale) if ok else (good, stale or str(run_id))
        if good and stale:
            return good, stale
    raise AssertionError("the seeded data has no stale Sharpe")


def test_runs_table_lists_every_run(app_env: str) -> None:
    at = _page().run()
    assert not at.exception
    table = at.dataframe[0].value
    expected = _sql(app_env, "SELECT count(*) FROM backtest_runs")[0][0]
    assert len(table) == expected
    names = {n for (n,) in _sql(app_env, "SELECT coalesce(display_name, email) FROM users")}
    assert set(table["requested_by"].dropna()) <= names
    hashes = {
        h
        for (h,) in _sql(app_env, "SELECT password_hash FROM users WHERE password_hash IS NOT NULL")
    }
    assert not hashes & {str(v) for v in table.to_numpy().ravel()}
    assert f"{expected:,} of {expected:,} runs" == at.caption[0].value


def test_tearsheet_metrics_are_quantstats_values(app_env: str, qs: ModuleType) -> None:
    good, _ = _runs_by_sharpe_check(app_env, qs)
    at = _page(tab="Tearsheet", run=good).run()
    assert not at.exception
    returns = _returns(app_env, good)
    table = at.dataframe[0].value.set_index("metric")
    for ours, theirs in QS_NAMES.items():
        expected = float(_quiet(getattr(qs, theirs), returns))
        assert table.loc[ours, "computed"] == pytest.approx(expected, rel=RTOL), ours
    (trades,) = _sql(
        app_env, "SELECT (metrics->>'trades')::float8 FROM backtest_runs WHERE id = %s", good
    )[0]
    assert table.loc["trades", "computed"] == trades
    assert table["agrees"].all()
    assert not at.warning
    equity_fig, _, _, monthly_fig, rolling_fig = _specs(at)
    drawdown = _quiet(qs.to_drawdown_series, returns)
    np.testing.assert_allclose(
        _values(equity_fig["data"][-1]["y"])[1:].astype(float),
        drawdown.to_numpy(),
        rtol=RTOL,
        atol=1e-15,
    )
    monthly = _quiet(qs.monthly_returns, returns, eoy=False)
    z = np.nan_to_num(_values(monthly_fig["data"][0]["z"]).astype(float))
    np.testing.assert_allclose(z, monthly.to_numpy(), rtol=RTOL, atol=1e-15)
    rolling = _quiet(qs.rolling_sharpe, returns, rolling_period=63).dropna()
    np.testing.assert_allclose(
        _values(rolling_fig["data"][0]["y"]).astype(float), rolling.to_numpy(), rtol=RTOL
    )


def test_a_stale_stored_sharpe_is_flagged(app_env: str, qs: ModuleType) -> None:
    _, stale = _runs_by_sharpe_check(app_env, qs)
    at = _page(tab="Tearsheet", run=stale).run()
    table = at.dataframe[0].value.set_index("metric")
    expected = float(_quiet(qs.sharpe, _returns(app_env, stale)))
    assert table.loc["sharpe", "computed"] == pytest.approx(expected, rel=RTOL)
    assert not table.loc["sharpe", "agrees"]
    assert table.drop(index="sharpe")["agrees"].all()
    assert len(at.warning) == 1 and "Stored Sharpe" in at.warning[0].value


def test_filters_change_the_runs_table(app_env: str) -> None:
    at = _page().run()
    change(at, at.multiselect[2], ["failed"])
    table = at.dataframe[0].value
    assert set(table["status"]) == {"failed"}
    assert (
        len(table)
        == _sql(app_env, "SELECT count(*) FROM backtest_runs WHERE status = 'failed'")[0][0]
    )
    assert at.query_params["status"] in ("failed", ["failed"])
    change(at, at.button_group(key="tab"), "Tearsheet")
    assert "No finished run" in at.info[0].value
    change(at, at.button_group(key="tab"), "Runs")
    change(at, at.multiselect[2], [])
    change(at, at.multiselect[0], ["Aster Capital"])
    assert set(at.dataframe[0].value["tenant_name"]) == {"Aster Capital"}
    assert dict(at.query_params) == {"tenant": "Aster Capital"}


def test_a_url_with_parameters_reopens_the_same_view(app_env: str, qs: ModuleType) -> None:
    ids = [
        str(r)
        for (r,) in _sql(
            app_env, "SELECT id FROM backtest_runs WHERE status = 'succeeded' ORDER BY id LIMIT 3"
        )
    ]
    at = _page(status=["succeeded"], tab="Tearsheet", run=ids[1]).run()
    assert not at.exception
    assert at.multiselect[2].value == ["succeeded"]
    assert at.selectbox[0].value == ids[1]
    change(at, at.button_group(key="tab"), "Compare")
    change(at, at.multiselect(key="compare"), ids)
    at = _page(**dict(at.query_params)).run()  # the link the browser shows now
    assert at.multiselect[2].value == ["succeeded"]
    assert at.multiselect[3].value == ids
    compared = at.dataframe[0].value.set_index("metric")
    assert len(compared.columns) == 1 + 3
    for column, run_id in zip(compared.columns[1:], ids, strict=True):
        assert run_id[:8] in column
        expected = float(_quiet(qs.sharpe, _returns(app_env, run_id)))
        assert compared.loc["sharpe", column] == pytest.approx(expected, rel=RTOL)
    growth = _specs(at)[0]["data"]
    assert len(growth) == 3
    _assert_common_start(app_env, ids, growth)


def _equity(url: str, run_id: str) -> pd.Series:
    rows = _sql(
        url,
        "SELECT date, equity FROM backtest_equity_daily WHERE backtest_run_id = %s ORDER BY date",
        run_id,
    )
    return pd.Series([e for _, e in rows], index=pd.DatetimeIndex([d for d, _ in rows]))


def _assert_common_start(url: str, run_ids: list[str], traces: list[dict]) -> None:
    """Every curve starts at 1.0 on the latest first date of the runs and ends at its last
    equity / its equity on that date (read here from the stored series)."""
    curves = [_equity(url, run_id) for run_id in run_ids]
    start = max(curve.index[0] for curve in curves)
    for curve, trace in zip(curves, traces, strict=True):
        dates = pd.DatetimeIndex(_values(trace["x"]).astype(str))
        assert dates[0] == start and dates.min() == start
        growth = _values(trace["y"]).astype(float)
        assert growth[0] == 1.0
        base = curve[curve.index <= start].iloc[-1]
        assert growth[-1] == pytest.approx(curve.iloc[-1] / base, rel=RTOL)


def test_paper_trade_runs_show_their_snapshot(app_env: str) -> None:
    at = _page(tab="Paper trading").run()
    paper = at.dataframe[0].value
    rows = _sql(
        app_env,
        "SELECT status, (performance_snapshot->>'equity')::float8, (performance_snapshot->>'open_positions')::int FROM paper_trade_runs",
    )
    assert sorted(
        zip(paper["status"], paper["snapshot_equity"], paper["open_positions"], strict=True)
    ) == sorted(rows)


def test_an_analyst_of_one_tenant_sees_only_that_tenant(app_env: str) -> None:
    tenant_id, name = _sql(app_env, "SELECT id, name FROM tenants WHERE name = 'Harbor Capital'")[0]
    viewer = Viewer(None, "one@x.test", "One", frozenset({"analyst"}), (str(tenant_id),))
    at = _page(viewer, tenant=["Aster Capital"]).run()
    assert not at.exception
    assert at.multiselect[0].options == [name]
    assert set(at.dataframe[0].value["tenant_name"]) == {name}
    assert (
        len(at.dataframe[0].value)
        == _sql(app_env, "SELECT count(*) FROM backtest_runs WHERE tenant_id = %s", tenant_id)[0][0]
    )
    change(at, at.button_group(key="tab"), "Paper trading")
    assert set(at.dataframe[0].value["tenant_name"]) <= {name}


def test_a_leadership_viewer_is_refused(app_env: str) -> None:
    at = _page(LEADER).run()
    assert "does not give access" in at.error[0].value
    assert not at.dataframe


def test_a_long_equity_series_is_thinned(
    empty_db: str, monkeypatch: pytest.MonkeyPatch, qs: ModuleType
) -> None:
    from tests.app.conftest import _reset_caches

    days = pd.bdate_range("1980-01-01", periods=12_000)
    equity = 100_000 * np.cumprod(1 + np.random.default_rng(3).normal(0.0003, 0.01, len(days)))
    with psycopg.connect(libpq_dsn(make_url(empty_db))) as conn:
        conn.execute(
            "INSERT INTO tenants (id, name) VALUES ('11111111-1111-1111-1111-111111111111', 'Longview')"
        )
        conn.execute(
            "INSERT INTO strategies (tenant_id, id, title, slug) VALUES ('11111111-1111-1111-1111-111111111111', '22222222-2222-2222-2222-222222222222', 'Long', 'long')"
        )
        conn.execute(
            "INSERT INTO strategy_versions (tenant_id, id, strategy_id, version, graph_json) VALUES ('11111111-1111-1111-1111-111111111111', '33333333-3333-3333-3333-333333333333', '22222222-2222-2222-2222-222222222222', 1, '{}')"
        )
        conn.execute(
            "INSERT INTO backtest_runs (tenant_id, id, strategy_version_id, status, metrics) VALUES ('11111111-1111-1111-1111-111111111111', '44444444-4444-4444-4444-444444444444', '33333333-3333-3333-3333-333333333333', 'succeeded', '{\"trades\": 10}')"
        )
        with conn.cursor().copy(
            "COPY backtest_equity_daily (tenant_id, backtest_run_id, date, equity) FROM STDIN"
        ) as copy:
            for d, e in zip(days.date, equity, strict=True):
                copy.write_row(
                    (
                        "11111111-1111-1111-1111-111111111111",
                        "44444444-4444-4444-4444-444444444444",
                        d,
                        float(e),
                    )
                )
    monkeypatch.setenv("DATABASE_URL", empty_db)
    _reset_caches()
    at = _page(tab="Tearsheet").run()
    assert not at.exception
    sizes = [
        len(_values(t[k])) for s in _specs(at) for t in s["data"] for k in ("x", "y") if k in t
    ]
    assert max(sizes) <= 5000
    assert any("12,000 equity points" in c.value for c in at.caption)
    returns = pd.Series(equity, index=days).pct_change().iloc[1:]
    table = at.dataframe[0].value.set_index("metric")
    assert table.loc["sharpe", "computed"] == pytest.approx(
        float(_quiet(qs.sharpe, returns)), rel=RTOL
    )
    assert pd.isna(table.loc["sharpe", "agrees"])  # nothing stored to compare with
    _reset_caches()


def _held(url: str, asset_id: str, dates: pd.DatetimeIndex) -> pd.Series:
    """Buy and hold of `asset_id` on `dates`, from price_bars: each date's last close on or
    before it."""
    rows = _sql(url, "SELECT date, close FROM price_bars WHERE asset_id = %s", asset_id)
    closes = pd.Series([c for _, c in rows], index=pd.DatetimeIndex([d for d, _ in rows]))
    return closes.sort_index().reindex(closes.index.union(dates)).ffill().loc[dates].dropna()


def test_benchmark_yearly_drawdowns_and_distribution_are_quantstats_values(
    app_env: str, qs: ModuleType
) -> None:
    good, _ = _runs_by_sharpe_check(app_env, qs)
    name = _sql(app_env, "SELECT name FROM assets WHERE id = 'SPY'")[0][0]
    at = _page(tab="Tearsheet", run=good, benchmark=name).run()
    assert not at.exception
    equity = _equity(app_env, good)
    returns = equity.pct_change().iloc[1:]
    held = _held(app_env, "SPY", equity.index)
    bench = held.pct_change().iloc[1:]
    table = at.dataframe[0].value.set_index("metric")
    for ours, theirs in QS_NAMES.items():
        expected = float(_quiet(getattr(qs, theirs), bench))
        assert table.loc[ours, "benchmark"] == pytest.approx(expected, rel=RTOL), ours
    assert table.loc["trades", "benchmark"] == 1  # buy and hold: the purchase
    cumulative, yearly, distribution, _, _ = _specs(at)
    strategy_line, bench_line = cumulative["data"][:2]
    assert bench_line["name"] == html.escape(name, quote=False)  # "S&P" as Plotly shows it
    last = _values(bench_line["y"]).astype(float)[-1]
    assert last == pytest.approx(float(_quiet(qs.comp, bench)), rel=RTOL)
    last = _values(strategy_line["y"]).astype(float)[-1]
    assert last == pytest.approx(float(_quiet(qs.comp, returns)), rel=RTOL)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from quantstats import utils
    for trace, series in zip(yearly["data"], (returns, bench), strict=True):
        expected = _quiet(utils.aggregate_returns, series, "year")
        assert [int(y) for y in _values(trace["x"])] == list(expected.index)
        np.testing.assert_allclose(_values(trace["y"]).astype(float), expected, rtol=RTOL)
    worst = _quiet(qs.drawdown_details, _quiet(qs.to_drawdown_series, returns))
    worst = worst.sort_values("max drawdown", kind="stable").head(5).reset_index(drop=True)
    shown = at.dataframe[1].value
    for column in ("start", "valley", "end"):
        assert [f"{d:%Y-%m-%d}" for d in shown[column]] == list(worst[column]), column
    assert list(shown["days"]) == list(worst["days"])
    np.testing.assert_allclose(shown["depth"] * 100, worst["max drawdown"], rtol=RTOL)
    edges = np.histogram_bin_edges(np.concatenate([returns, bench]), bins=50)
    for trace, series in zip(distribution["data"], (returns, bench), strict=True):
        counts = _values(trace["y"]).astype(int)
        assert list(counts) == list(np.histogram(series, bins=edges)[0])


def _attributed(url: str, release_id: str, returns: pd.Series) -> pd.Series:
    """Each return's regime, worked out here: the release's latest output dated strictly
    before the return's date (None before the first output)."""
    rows = _sql(
        url, "SELECT date, regime FROM engine_outputs_daily WHERE release_id = %s", release_id
    )
    outputs = sorted((pd.Timestamp(d), r) for d, r in rows)
    labels = []
    for day in returns.index:
        earlier = [regime for date, regime in outputs if date < day]
        labels.append(earlier[-1] if earlier else None)
    return pd.Series(labels, index=returns.index)


def test_split_by_regime_is_worked_out_from_the_stored_rows(app_env: str, qs: ModuleType) -> None:
    good, _ = _runs_by_sharpe_check(app_env, qs)
    (tenant_id,) = _sql(app_env, "SELECT tenant_id FROM backtest_runs WHERE id = %s", good)[0]
    release_id, asset_name, version = _sql(
        app_env,
        "SELECT r.id, a.name, r.version FROM engine_releases r JOIN assets a ON a.id = r.asset_id"
        " WHERE r.tenant_id = %s ORDER BY r.asset_id, r.version LIMIT 1",
        tenant_id,
    )[0]
    at = _page(tab="By regime", run=good, asset=asset_name, release=version).run()
    assert not at.exception
    assert at.selectbox(key="release").value == str(release_id)
    returns = _returns(app_env, good)
    labels = _attributed(app_env, str(release_id), returns)
    shown = at.dataframe[0].value.set_index("regime")
    attributed = labels.notna().sum()
    assert shown.loc["All days", "days"] == attributed
    for regime in labels.dropna().unique():
        part = returns[labels == regime]
        row = shown.loc[regime_label(regime)]  # shown as the legends name it: bear -> Bear
        assert row["days"] == len(part)
        assert row["share_of_time"] == pytest.approx(len(part) / attributed, rel=RTOL)
        assert row["total_return"] == pytest.approx(float(_quiet(qs.comp, part)), rel=RTOL)
        assert row["annualised_return"] == pytest.approx(float(_quiet(qs.cagr, part)), rel=RTOL)
        assert row["sharpe"] == pytest.approx(float(_quiet(qs.sharpe, part)), rel=RTOL)
        assert row["hit_rate"] == pytest.approx((part > 0).mean(), rel=RTOL)
        assert row["max_drawdown"] == pytest.approx(float(_quiet(qs.max_drawdown, part)), rel=RTOL)
    assert any("known at the previous close" in c.value for c in at.caption)
