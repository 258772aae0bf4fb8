"""The Releases page in AppTest, on the seeded database."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from functools import partial

import psycopg
import pytest
from sqlalchemy.engine import make_url

from regime_dashboard.charts.releases import DIFFER_NAME
from regime_dashboard.db.engine import libpq_dsn
from regime_dashboard.viewer import Viewer
from tests.app.analyst_pages import LEADER, open_page
from tests.app.browser_url import change
from tests.helpers import plotly_values as _values
from tests.helpers import sql as _sql

pytestmark = [pytest.mark.app, pytest.mark.db]


_page = partial(open_page, "releases")


def _canonical_sha(url: str, asset: str, first: dt.date, last: dt.date) -> str:
    """The documented serialization, written out again: date,open,high,low,close,adj_close,
    volume with repr(float) numbers, empty when missing, one line per bar."""
    rows = _sql(
        url,
        "SELECT date, open, high, low, close, adj_close, volume FROM price_bars "
        "WHERE asset_id = %s AND date BETWEEN %s AND %s ORDER BY date",
        asset,
        first,
        last,
    )
    text = "".join(
        ",".join([d.isoformat(), *("" if v is None else repr(float(v)) for v in rest)]) + "\n"
        for d, *rest in rows
    )
    return hashlib.sha256(text.encode()).hexdigest()


def _outputs(url: str, tenant: str, asset: str, version: str) -> dict[dt.date, tuple]:
    rows = _sql(
        url,
        "SELECT o.date, o.regime, o.confidence FROM engine_outputs_daily o JOIN engine_releases r "
        "ON r.tenant_id = o.tenant_id AND r.id = o.release_id JOIN tenants t ON t.id = r.tenant_id "
        "WHERE t.name = %s AND r.asset_id = %s AND r.version = %s",
        tenant,
        asset,
        version,
    )
    return {d: (regime, conf) for d, regime, conf in rows}


def _stored_releases(url: str, tenant: str) -> dict[tuple[str, str], tuple]:
    """(asset, version) -> (stored data SHA-256, first and last output date) of `tenant`'s
    releases, read straight from the tables."""
    rows = _sql(
        url,
        "SELECT r.asset_id, r.version, r.data_sha256, min(o.date), max(o.date) "
        "FROM engine_releases r JOIN tenants t ON t.id = r.tenant_id "
        "JOIN engine_outputs_daily o ON o.tenant_id = r.tenant_id AND o.release_id = r.id "
        "WHERE t.name = %s GROUP BY 1, 2, 3",
        tenant,
    )
    return {(a, v): (sha, first, last) for a, v, sha, first, last in rows}


def test_reproducibility_flags_exactly_spy_v1(app_env: str) -> None:
    at = _page().run()
    assert not at.exception
    tenant = at.selectbox[0].options[at.selectbox[0].index]
    repro = at.dataframe[2].value
    stored = _stored_releases(app_env, tenant)
    assert len(repro) == len(stored) == 8
    for row in repro.itertuples():
        sha, first, last = stored[(row.asset_id, row.version)]
        assert row.recomputed_sha256 == _canonical_sha(app_env, row.asset_id, first, last)
        assert row.stored_sha256 == sha
        assert row.status == (
            "matches" if row.recomputed_sha256 == sha else "changed since release"
        )
    changed = repro[repro["status"] != "matches"]
    assert list(zip(changed["asset_id"], changed["version"], strict=True)) == [("SPY", "v1")]
    assert "SPY v1" in at.warning[0].value
    assert "data_sha256" not in at.warning[0].value  # said for people: "data hash"
    first = repro.iloc[0]
    env, commit = _sql(
        app_env,
        "SELECT r.env_json, r.git_commit FROM engine_releases r JOIN tenants t "
        "ON t.id = r.tenant_id WHERE t.name = %s AND r.asset_id = %s AND r.version = %s",
        tenant, first["asset_id"], first["version"],
    )[0]  # fmt: skip
    # a short readable environment and git's 7-character commit, not raw JSON / 40 chars
    major_minor = ".".join(env["python"].split(".")[:2])
    assert first["env"] == f"python {major_minor} · engine {env['engine']} · numpy {env['numpy']}"
    assert len(commit) > 7 and first["git_commit"] == commit[:7]
    fields = json.loads(at.dataframe[1].proto.columns)
    assert fields["max_abs_diff"]["type_config"]["format"] == "%.4g"


def test_comparison_matches_the_outputs(app_env: str) -> None:
    at = _page(tenant="Aster Capital", asset="BTCUSD", a="v1", b="v2").run()
    assert not at.exception
    a = _outputs(app_env, "Aster Capital", "BTCUSD", "v1")
    b = _outputs(app_env, "Aster Capital", "BTCUSD", "v2")
    common = sorted(set(a) & set(b))
    differ = [d for d in common if a[d][0] != b[d][0]]
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Days that agree"] == f"{1 - len(differ) / len(common):.1%}"
    assert metrics["Days compared"] == f"{len(common):,}"
    assert metrics["Days whose regime differs"] == f"{len(differ):,}"
    table = at.dataframe[0].value
    assert [d.date() for d in table["Date"]] == differ
    assert list(table["Regime A (v1)"]) == [a[d][0] for d in differ]
    fields = at.dataframe[1].value.set_index("field")  # shown: field labels, headings by config
    gaps = [abs(a[d][1] - b[d][1]) for d in common]
    assert fields.loc["Confidence", "days_differing"] == sum(g > 0 for g in gaps)  # by label
    assert fields.loc["Confidence", "max_abs_diff"] == pytest.approx(max(gaps), rel=1e-12)
    assert fields.loc["Regime", "days_differing"] == len(differ)
    lanes = json.loads(at.get("plotly_chart")[0].proto.spec)["data"]
    (differ_lane,) = [t for t in lanes if t["name"] == DIFFER_NAME]
    differing_days = _values(differ_lane["x"]).sum() / 86_400_000
    assert differing_days >= len(differ) > 0


def test_changing_releases_and_range_changes_the_comparison(app_env: str) -> None:
    at = _page(tenant="Aster Capital", asset="BTCUSD").run()
    before = {m.label: m.value for m in at.metric}
    change(at, at.selectbox[3], index=at.selectbox[3].options.index("v1"))  # A = B = v1
    same = {m.label: m.value for m in at.metric}
    assert same["Days that agree"] == "100.0%" and same["Days whose regime differs"] == "0"
    assert before["Days whose regime differs"] != "0"
    change(at, at.date_input[0], (dt.date(2026, 1, 1), dt.date(2026, 1, 31)))
    assert {m.label: m.value for m in at.metric}["Days compared"] == "31"
    assert at.query_params["b"] in ("v1", ["v1"])
    assert at.query_params["dates"] == ["2026-01-01", "2026-01-31"]


def test_a_url_with_parameters_reopens_the_same_view(app_env: str) -> None:
    params = {
        "tenant": "Zephyr Partners",
        "asset": "QQQ",
        "a": "v2",
        "b": "v1",
        "dates": ["2026-01-01", "2026-06-30"],
    }
    at = _page(**params).run()
    assert not at.exception
    assert [s.options[s.index] for s in at.selectbox] == ["Zephyr Partners", "QQQ", "v2", "v1"]
    assert at.date_input[0].value == (dt.date(2026, 1, 1), dt.date(2026, 6, 30))
    days = {m.label: m.value for m in at.metric}["Days compared"]
    a = _outputs(app_env, "Zephyr Partners", "QQQ", "v2")
    assert days == f"{sum(dt.date(2026, 1, 1) <= d <= dt.date(2026, 6, 30) for d in a):,}"
    assert list(at.dataframe[0].value.columns[1:3]) == ["Regime A (v2)", "Regime B (v1)"]


def test_a_restated_bar_breaks_both_releases(app_env_copy: str) -> None:
    with psycopg.connect(libpq_dsn(make_url(app_env_copy))) as conn:
        conn.execute(
            "UPDATE price_bars SET volume = volume + 1 WHERE asset_id = 'XAUUSD' AND date = '2025-06-02'"
        )
        conn.execute("UPDATE data_versions SET version = version + 1")
    repro = _page(tenant="Aster Capital").run().dataframe[2].value
    changed = repro[repro["status"] != "matches"]
    assert sorted(zip(changed["asset_id"], changed["version"], strict=True)) == [
        ("SPY", "v1"),
        ("XAUUSD", "v1"),
        ("XAUUSD", "v2"),
    ]


def test_an_analyst_of_one_tenant_sees_only_that_tenant(app_env: str) -> None:
    tenant_id, name = _sql(app_env, "SELECT id, name FROM tenants WHERE name = 'Cobalt Quant'")[0]
    viewer = Viewer(None, "one@x.test", "One", frozenset({"analyst"}), (str(tenant_id),))
    at = _page(viewer, tenant="Aster Capital").run()
    assert not at.exception
    assert at.selectbox[0].options == [name]
    assert at.subheader[-1].value == f"Reproducibility · {name}"
    assets = {
        a
        for (a,) in _sql(
            app_env, "SELECT asset_id FROM engine_releases WHERE tenant_id = %s", tenant_id
        )
    }
    assert set(at.dataframe[2].value["asset_id"]) == assets


def test_a_leadership_viewer_is_refused(app_env: str) -> None:
    at = _page(LEADER).run()
    assert "does not give access" in at.error[0].value
    assert not at.dataframe and not at.get("plotly_chart")


def _tinted_rows(styles: str) -> set[int]:
    """The rows of a Styler's CSS given a background colour (every rule's selectors)."""
    rows: set[int] = set()
    for selectors, body in re.findall(r"([^{}]+)\{([^}]*)\}", styles):
        if "background-color" in body:
            rows |= {int(r) for r in re.findall(r"_row(\d+)_col\d+", selectors)}
    return rows


def test_rows_that_no_longer_match_are_tinted_and_said_in_words(app_env_copy: str) -> None:
    """The reproducibility table tints exactly the releases whose bars, hashed again here,
    differ from their stored data_sha256 (SPY v1, and both XAUUSD releases once a bar is
    restated), and its Status column says "Changed" on those rows and "Matches" on the
    others, so the highlight is not colour-only."""
    with psycopg.connect(libpq_dsn(make_url(app_env_copy))) as conn:
        conn.execute(
            "UPDATE price_bars SET close = close + 1 WHERE asset_id = 'XAUUSD' AND date = '2025-06-03'"
        )
        conn.execute("UPDATE data_versions SET version = version + 1")
    at = _page(tenant="Aster Capital").run()
    assert not at.exception
    table = at.dataframe[2]
    repro = table.value.reset_index(drop=True)
    stored = _stored_releases(app_env_copy, "Aster Capital")
    changed = set()
    for i, row in enumerate(repro.itertuples()):
        sha, first, last = stored[(row.asset_id, row.version)]
        if _canonical_sha(app_env_copy, row.asset_id, first, last) != sha:
            changed.add(i)
    assert {(repro.loc[i, "asset_id"], repro.loc[i, "version"]) for i in changed} == {
        ("SPY", "v1"),
        ("XAUUSD", "v1"),
        ("XAUUSD", "v2"),
    }
    assert _tinted_rows(table.proto.arrow_data.styler.styles) == changed
    words = ["Changed" in text if i in changed else "Matches" in text
             for i, text in enumerate(repro["check"])]  # fmt: skip
    assert all(words)
    assert table.proto.column_order[0] == "check"
    status = json.loads(table.proto.columns)["check"]
    assert status["label"] == "Status"
