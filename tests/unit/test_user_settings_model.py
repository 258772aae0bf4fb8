"""The settings_json model (docs/user-settings.md): the documented example reads back the
same, unknown keys survive a round trip, and a malformed document is a marker, never an
exception."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from regime_dashboard.user_settings import (
    AlertRule,
    AssetSettings,
    ChartDefaults,
    Unreadable,
    dump,
    parse,
    range_start,
    rule_key,
    rule_label,
)

EXAMPLE = {
    "watchlist": True,
    "chart": {"range": "1Y", "log_scale": False, "adjusted": True, "panels": ["risk", "components"]},
    "alerts": [{"kind": "regime_change"}, {"kind": "confidence_below", "threshold": 0.6},
               {"kind": "conviction_change"}],
    "webhook_url": None,
}  # fmt: skip


def test_the_documented_example_reads_and_writes_back() -> None:
    settings = parse(EXAMPLE)
    assert isinstance(settings, AssetSettings)
    assert settings.watchlist and settings.chart.range == "1Y"
    assert [rule_key(r) for r in settings.alerts] == [
        "regime_change", "confidence_below:0.6", "conviction_change"]  # fmt: skip
    written = dump(settings)
    assert parse(written) == settings
    assert {k: v for k, v in written.items() if k != "alerts"} == {
        k: v for k, v in EXAMPLE.items() if k != "alerts"}  # fmt: skip
    assert [{k: v for k, v in r.items() if v is not None} for r in written["alerts"]] == EXAMPLE[
        "alerts"
    ]


def test_unknown_keys_survive_a_round_trip_at_every_level() -> None:
    document = {**EXAMPLE, "crm": {"owner": "x"}, "chart": {**EXAMPLE["chart"], "theme": "dark"},
                "alerts": [{"kind": "regime_change", "channel": "sms"}]}  # fmt: skip
    settings = parse(document)
    assert isinstance(settings, AssetSettings)
    changed = dump(settings.model_copy(update={"watchlist": False}))
    assert changed["crm"] == {"owner": "x"} and changed["chart"]["theme"] == "dark"
    assert changed["alerts"][0]["channel"] == "sms" and changed["watchlist"] is False
    json.dumps(changed)  # JSON values only


@pytest.mark.parametrize(
    "document",
    [
        "{not json", "[1, 2]", 42, "\"text\"", ["watchlist"],
        {"watchlist": "maybe"}, {"chart": {"range": "2Y"}}, {"chart": {"panels": ["Risk!"]}},
        {"chart": "1Y"}, {"alerts": {"kind": "regime_change"}}, {"alerts": [{"kind": "sometimes"}]},
        {"alerts": [{"kind": "confidence_below"}]},
        {"alerts": [{"kind": "confidence_above", "threshold": 1.2}]},
        {"alerts": [{"kind": "confidence_above", "threshold": float("nan")}]},
        {"alerts": [{"kind": "regime_change", "threshold": 0.5}]},
        {"webhook_url": "ftp://example.com/x"}, {"webhook_url": "javascript:alert(1)"},
        {"webhook_url": "https://"}, {"webhook_url": "https://exa mple.com"},
        {"webhook_url": "https://example.com/" + "x" * 2000},
    ],
)  # fmt: skip
def test_a_malformed_document_is_the_unreadable_marker(document: object) -> None:
    found = parse(document)
    assert isinstance(found, Unreadable) and not found
    assert found.reason.startswith("settings unreadable")


def test_missing_and_empty_documents_are_the_defaults() -> None:
    assert parse(None) == parse({}) == parse("{}") == AssetSettings()
    assert AssetSettings().chart == ChartDefaults(range="1Y", log_scale=False, adjusted=True,
                                                  panels=("risk", "components"))  # fmt: skip
    assert parse({"webhook_url": "http://127.0.0.1:8080/hook"}).webhook_url == (  # type: ignore[union-attr]
        "http://127.0.0.1:8080/hook")  # fmt: skip


def test_rules_have_stable_keys_and_labels() -> None:
    below = AlertRule(kind="confidence_below", threshold=0.55)
    assert rule_key(below) == "confidence_below:0.55"
    assert rule_label(below) == "confidence falls below 55%"
    assert rule_label(AlertRule(kind="data_mismatch")).startswith("input bars")


@pytest.mark.parametrize(
    ("preset", "start"),
    [("1M", dt.date(2026, 10, 20)), ("3M", dt.date(2026, 8, 20)), ("YTD", dt.date(2026, 1, 1)),
     ("1Y", dt.date(2025, 11, 20)), ("All", dt.date(2020, 1, 1)), ("bogus", dt.date(2025, 11, 20))],
)  # fmt: skip
def test_range_presets(preset: str, start: dt.date) -> None:
    assert range_start(preset, dt.date(2020, 1, 1), dt.date(2026, 11, 20)) == start
    assert range_start(preset, dt.date(2026, 11, 1), dt.date(2026, 11, 20)) >= dt.date(2026, 11, 1)
