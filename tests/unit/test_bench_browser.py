"""The browser benchmark's pure parts: a probe record turned into a visit, the medians and
maxima per page and way, and the report's rows (hand-worked small cases)."""

from __future__ import annotations

import json

from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from benchmarks.browser import (
    BREAKDOWN_HEADING,
    BROWSER_HEADING,
    BrowserRun,
    Visit,
    breakdown_section,
    browser_section,
    summarise,
    visit_from_probe,
)


def _figure_frame(traces: int) -> bytes:
    msg = ForwardMsg()
    spec = json.dumps({"data": [{"type": "scatter"}] * traces, "layout": {}})
    msg.delta.new_element.plotly_chart.spec = spec
    return msg.SerializeToString()


def _finished() -> bytes:
    msg = ForwardMsg()
    msg.script_finished = ForwardMsg.ScriptFinishedStatus.Value("FINISHED_SUCCESSFULLY")
    return msg.SerializeToString()


def _visit(slug: str, way: str, repeat: int, first: float, done: float) -> Visit:
    return Visit("analyst", slug, way, repeat, first, done)


def test_a_probe_record_is_timed_from_the_click() -> None:
    probe = {
        "t0": 1000.0,
        "state": [[1010.0, "running"], [1400.0, "notRunning"]],
        "chart": 1600.0,
        "table": 1500.0,
        "lastChart": 1700.0,
        "sends": [900.0, 1005.0],
        "recvs": [[1020.0, 1024], [1390.0, 2048]],
        "longTasks": [[800.0, 90.0], [1450.0, 120.0], [1620.0, 60.0]],
    }
    frames = [
        ("sent", 10.0, b""),
        ("received", 10.1, _figure_frame(3)),
        ("received", 10.2, _figure_frame(1)),
        ("sent", 10.25, b""),
        ("received", 10.3, _finished()),
    ]
    visit = visit_from_probe(probe, frames, "admin", "x", "sidebar", 0)
    assert visit.first_ms == 600  # the chart, not the earlier table
    assert visit.first_kind == "chart"
    assert visit.done_ms == 700  # the last chart is drawn after the script finished
    assert round(visit.server_ms) == 300  # first request to "script finished", network clock
    assert visit.draw_ms == 1700 - 1390
    assert visit.long_task_ms == 180  # the task at 800 ran before the click
    assert (visit.messages, visit.message_kb) == (2, 3.0)
    assert (visit.figures, visit.traces) == (2, 4)


def test_a_page_without_charts_is_timed_to_its_first_table_else_to_the_end() -> None:
    probe = {
        "t0": 0.0,
        "state": [[100.0, "running"], [300.0, "notRunning"]],
        "chart": None,
        "table": 250.0,
        "lastChart": None,
        "sends": [50.0],
        "recvs": [[280.0, 10]],
        "longTasks": [],
    }
    assert visit_from_probe(probe, [], "admin", "x", "url", 1).first_ms == 250
    probe["table"] = None
    visit = visit_from_probe(probe, [], "admin", "x", "url", 1)
    assert (visit.first_ms, visit.first_kind, visit.done_ms) == (300, "none", 300)


def test_medians_and_maxima_per_page_and_way() -> None:
    visits = [
        _visit("regimes", "sidebar", 0, 3000, 3500),
        _visit("regimes", "sidebar", 0, 1000, 1200),  # another role's first visit
        _visit("regimes", "sidebar", 1, 400, 500),
        _visit("regimes", "sidebar", 2, 600, 900),
        _visit("regimes", "sidebar", 2, 800, 700),
        _visit("regimes", "url", 0, 2000, 2100),
        _visit("regimes", "tab", 0, 2600, 2700),
    ]
    rows = summarise(visits)
    ways = [(r["slug"], r["way"]) for r in rows]
    assert ways == [("regimes", "sidebar"), ("regimes", "url"), ("regimes", "tab")]
    sidebar, url, tab = rows
    assert sidebar["first_chart"] == (2000, 3000)
    assert sidebar["first_done"] == (2350, 3500)
    assert sidebar["repeat_chart"] == (600, 800)
    assert sidebar["repeat_done"] == (700, 900)
    assert sidebar["samples"] == 5
    assert sidebar["meets_goal"] is False  # a first visit took 3.0 s > 1.5 s
    assert url["meets_goal"] is True  # 2.0 s <= 2.5 s; no repeats to hold it back
    assert tab["meets_goal"] is False  # a new tab is held to the URL's 2.5 s


def test_the_report_sections_show_seconds_and_the_verdict() -> None:
    run = BrowserRun(
        [_visit("prices", "sidebar", 0, 1250, 1500), _visit("prices", "sidebar", 1, 500, 750)],
        startup_s=[4.0],
        first_response_s=[0.5],
        machine="2 cores; reference loop 0.30 s",
        database="database `demo`",
    )
    lines = browser_section(run)
    assert lines[0] == BROWSER_HEADING
    assert (
        "| prices | sidebar | 1.25 / 1.25 | 1.50 / 1.50 | 0.50 / 0.50 | 0.75 / 0.75 | 2 | yes |"
        in lines
    )
    assert any("reference loop 0.30 s" in line for line in lines)
    assert any("median 4.0 s" in line for line in lines)
    breakdown = breakdown_section(run)
    assert breakdown[0] == BREAKDOWN_HEADING
    # no request or chart recorded: a dash, not "nan"
    assert breakdown[-1] == "| prices | – | 0 | 0 | 0 | 0 | 0 | 0 | 0 | 0 | – | 500 | 750 |"
