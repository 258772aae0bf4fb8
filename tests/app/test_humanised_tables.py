"""Every table of every page reads as a person would read it (docs/architecture.md, tables):
each page of the navigation registry opened in AppTest on the seeded database as the role
that sees it, and every `st.dataframe` on it checked for a raw column name as a heading
(`realized_pnl_cum`, `status`), a missing or infinite value shown as None / nan / NaT /
Infinity instead of `—`, a day shown with `00:00:00` or `+00:00`, money as `$-800`, an
internal id (a UUID) in a shown column, and a stored identifier shown as a value
(`paper_trade`, `api_calls`, `realized_vol`, or `price_cents: 4900 → 5000` in a text). The
failure lists every problem of the page. The admin pages are also walked after admin edits
(the audit log and a tenant's usage and overrides are empty on the seeded database)."""

from __future__ import annotations

import json
import math
import re
from typing import Any

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from regime_dashboard.config import get_settings
from regime_dashboard.navigation import PAGES, PageSpec
from regime_dashboard.services import admin
from regime_dashboard.ui.columns import COLUMNS
from tests.app.conftest import APP, DEMO_EMAILS, signed_in
from tests.app.test_admin_pages import page
from tests.helpers import sql, viewer

pytestmark = [pytest.mark.app, pytest.mark.db]

MISSING_SHOWN = "—"
RAW_NAME = re.compile(r"[a-z][a-z0-9]*(_[a-z0-9]+)+")  # realized_pnl_cum
# an identifier inside a text (not part of an email address, a path or a file name)
RAW_IN_TEXT = re.compile(r"(?<![\w@./-])[a-z][a-z0-9]*(_[a-z0-9]+)+(?![\w@/-])")
BAD_TEXT = {  # how Python and pandas print what is missing or infinite ("none" is a word)
    "None", "nan", "NaN", "NaT", "<NA>", "null", "inf", "-inf", "+inf", "Infinity", "-Infinity",
}  # fmt: skip
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.I)
CASES = [
    pytest.param(spec, role, id=f"{spec.slug}-{role}")
    for spec in PAGES
    for role in ((spec.area,) if spec.area else tuple(DEMO_EMAILS))
]


def _shown_columns(table: Any, frame: pd.DataFrame) -> list[tuple[str, str, dict]]:
    """(column, heading, config) of each column the table shows, in order."""
    config = json.loads(table.proto.columns or "{}")
    order = list(table.proto.column_order) or [str(c) for c in frame.columns]
    shown = []
    for column in order:
        settings = config.get(column, {})
        if settings.get("hidden") or column not in frame.columns.astype(str):
            continue
        shown.append((column, settings.get("label") or column, settings))
    return shown


def _heading_problem(heading: str) -> str | None:
    if RAW_NAME.fullmatch(heading) or heading in COLUMNS:
        return f"raw column name {heading!r} as a heading"
    return None


def _text_problem(text: str) -> str | None:
    stripped = text.strip()
    if stripped in BAD_TEXT or "Infinity" in stripped:
        return f"cell {text!r}"
    if stripped.endswith("00:00:00") or stripped.endswith("+00:00"):
        return f"date with its time or offset {text!r}"
    if re.search(r"\$-\d", stripped):
        return f"money with the sign after the symbol {text!r}"
    if UUID.fullmatch(stripped):
        return f"internal id {text!r}"
    if RAW_NAME.fullmatch(stripped):
        return f"raw identifier {text!r}"
    if m := RAW_IN_TEXT.search(stripped):
        return f"raw identifier {m.group(0)!r} in {text!r}"
    return None


def _cell_problems(values: pd.Series, settings: dict, placeholder: str) -> list[str]:
    """What is wrong with how a column's values read (at most one problem of each kind)."""
    problems: list[str] = []
    kind = settings.get("type_config", {})
    if values.isna().any() and placeholder != MISSING_SHOWN:
        problems.append(f"missing values shown as {placeholder or 'None'!r}, not —")
    if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
        numbers = values.astype("float64")
        if numbers.map(math.isinf).any():
            problems.append("an infinite number")
        fmt = str(kind.get("format") or "")
        if fmt.startswith("$%") and (numbers < 0).any():
            problems.append(f"negative money formatted {fmt!r} ($-800)")
    if pd.api.types.is_datetime64_any_dtype(values) and not kind.get("format"):
        problems.append("dates and times without a date format (00:00:00, +00:00)")
    if pd.api.types.is_object_dtype(values) or pd.api.types.is_string_dtype(values):
        texts = values.dropna().map(str)
        problems += sorted({p for p in map(_text_problem, texts) if p})[:5]
    return problems


def table_problems(table: Any) -> list[str]:
    """Every problem of one AppTest dataframe, each naming its column."""
    frame = table.value
    placeholder = table.proto.placeholder
    problems = []
    for column, heading, settings in _shown_columns(table, frame):
        if issue := _heading_problem(heading):
            problems.append(issue)
        values = frame.loc[:, frame.columns.astype(str) == column].iloc[:, 0]
        problems += [f"{heading}: {p}" for p in _cell_problems(values, settings, placeholder)]
    return problems


def _opened(spec: PageSpec, role: str) -> AppTest:
    """The page as the seeded demo account of `role` sees it after signing in: app.py's
    navigation, then the page itself (the default page is where app.py opens)."""
    at = signed_in(AppTest.from_file(APP, default_timeout=60), role).run()
    if not spec.default:
        at.switch_page(spec.path).run()
    return at


@pytest.mark.parametrize(("spec", "role"), CASES)
def test_every_table_reads_as_a_person_would(
    app_env: str, monkeypatch: pytest.MonkeyPatch, spec: PageSpec, role: str
) -> None:
    monkeypatch.setenv("DEMO_MODE", "true")
    get_settings.cache_clear()
    at = _opened(spec, role)
    assert not at.exception, [e.value for e in at.exception]
    assert spec.default or at.title[0].value == spec.title, "not the page asked for"
    problems = [
        f"table {i + 1}: {problem}"
        for i, table in enumerate(at.dataframe)
        for problem in table_problems(table)
    ]
    assert not problems, f"{spec.title} ({role}):\n" + "\n".join(problems)


def _all_problems(at: AppTest) -> list[str]:
    return [
        f"table {i + 1}: {problem}"
        for i, table in enumerate(at.dataframe)
        for problem in table_problems(table)
    ]


def _edited(url: str) -> str:
    """Admin edits of every kind the audit log words: the starter plan's price (4900 ->
    5000 cents, its subscriptions moved: price_changed events), limits and a feature;
    a quota override of Aster Capital. Returns Aster Capital's tenant id."""
    adam = viewer(url, "admin@demo.local", "admin")
    cols = "name, price_monthly_cents, price_annual_cents, currency, features_json, limits_json"
    row = sql(url, f"SELECT {cols}, version FROM plans WHERE id = 'starter'")[0]
    changes = dict(zip(["name", "price_monthly_cents", "price_annual_cents", "currency",
                        "features", "limits"], row[:6], strict=True))  # fmt: skip
    changes |= {"price_monthly_cents": 5000, "limits": {**row[5], "api_calls": 25_000},
                "features": {**row[4], "paper_trading": True}}  # fmt: skip
    admin.update_plan(adam, "starter", expected_version=row[6], changes=changes,
                      price_policy="move")  # fmt: skip
    (tenant_id,) = sql(url, "SELECT id::text FROM tenants WHERE name = 'Aster Capital'")[0]
    for metric, limit in (("api_calls", 150_000), ("tokens", None)):  # None: unlimited
        override = {"metric": metric, "limit_value": limit, "reason": "pilot"}
        admin.set_quota_override(adam, tenant_id=tenant_id, override=override)
    return tenant_id


def test_admin_tables_after_edits_read_as_a_person_would(app_env_copy: str) -> None:
    _edited(app_env_copy)
    adam = viewer(app_env_copy, "admin@demo.local", "admin")
    tenant = page("admin_tenants", adam, tenant="Aster Capital", section="Quota overrides")
    assert not tenant.exception and len(tenant.dataframe) >= 3  # grid, usage, overrides
    audit = page("audit", adam)
    assert not audit.exception and len(audit.dataframe) == 3  # actions, rows, one change
    newest = _all_problems(audit)
    change, action = sql(
        app_env_copy, "SELECT id, action_id FROM audit_log WHERE table_name = 'plans'"
    )[0]
    audit.selectbox(key="action").set_value(action).run()  # the plan and what it moved
    audit.selectbox(key="inspect").set_value(change).run()
    diff = audit.dataframe[2].value
    problems = _all_problems(tenant) + newest + _all_problems(audit)
    assert not problems, "\n".join(problems)
    assert ("Monthly price", "$49.00", "$50.00") in set(diff.itertuples(index=False, name=None))


def _raw_tables() -> None:
    import pandas as pd
    import streamlit as st

    frame = pd.DataFrame(
        {
            "realized_pnl_cum": [1.5, None, float("inf")],
            "status": ["ok", "None", "nan"],
            "day": pd.to_datetime(["2025-01-01", "2025-01-02", None]),
            "Money": [-800.0, 1.0, 2.0],
            "Id": ["2b1e6f0c-55c1-4c1e-9d8e-0a1b2c3d4e5f", "x", "y"],
            "Kind": ["paper_trade", "Paper trade", "a file.csv by x_y@mail.com"],
            "Changes": ["price_cents: 4900 → 5000", "Price: $49.00 → $50.00", "—"],
        }
    )
    st.dataframe(frame, column_config={"Money": st.column_config.NumberColumn(format="$%.0f")})


def test_the_check_finds_what_it_looks_for() -> None:
    at = AppTest.from_function(_raw_tables).run()
    problems = table_problems(at.dataframe[0])
    assert "raw column name 'realized_pnl_cum' as a heading" in problems
    assert "raw column name 'status' as a heading" in problems
    assert "realized_pnl_cum: missing values shown as 'None', not —" in problems
    assert "realized_pnl_cum: an infinite number" in problems
    assert "status: cell 'None'" in problems and "status: cell 'nan'" in problems
    assert "day: dates and times without a date format (00:00:00, +00:00)" in problems
    assert "Money: negative money formatted '$%.0f' ($-800)" in problems
    assert any(p.startswith("Id: internal id") for p in problems)
    assert [p for p in problems if p.startswith(("Kind", "Changes"))] == [
        "Kind: raw identifier 'paper_trade'",
        "Changes: raw identifier 'price_cents' in 'price_cents: 4900 → 5000'",
    ]
