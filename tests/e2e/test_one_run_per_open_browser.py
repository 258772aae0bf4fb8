"""A page opened by its URL runs its script once (issue 17): the cookie component is not
drawn in a signed-in run, so a new document does not mount it and its report of the
browser's cookies does not rerun the page (every URL open ran the page twice). And the
browser loads Plotly.js while the viewer signs in (ui/preload.py), but a signed-in page
without charts never loads it."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from regime_dashboard.ui.preload import PRELOAD_KEY

from .helpers import assert_no_error, open_signed_in, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.db]


def _script_runs(frames: list[bytes]) -> int:
    """The script runs the server reported finished (any status) in these messages."""
    runs = 0
    for payload in frames:
        msg = ForwardMsg()
        try:
            msg.ParseFromString(payload)
        except Exception:  # not a ForwardMsg
            continue
        runs += msg.WhichOneof("type") == "script_finished"
    return runs


def _record(page: Any, frames: list[bytes]) -> None:
    def on_socket(ws: Any) -> None:
        if ws.url.endswith("/_stcore/stream"):
            ws.on("framereceived", lambda p: frames.append(p if isinstance(p, bytes) else b""))

    page.on("websocket", on_socket)


@pytest.mark.parametrize("path", ["regimes", "portfolio", ""])
def test_a_page_opened_by_its_url_runs_once(page: Any, server: str, path: str) -> None:
    sign_in(page, server, "analyst")
    frames: list[bytes] = []
    _record(page, frames)
    for _ in range(3):  # three opens in a row, each a new document and session
        frames.clear()
        open_signed_in(page, f"{server}/{path}")
        page.wait_for_timeout(1500)  # a late component report would rerun within this
        assert_no_error(page)
        assert _script_runs(frames) == 1


def test_plotly_loads_during_the_sign_in_and_never_for_a_page_without_charts(
    page: Any, server: str
) -> None:
    plotly_chunks: list[str] = []
    page.on("request", lambda r: "PlotlyChart" in r.url and plotly_chunks.append(r.url))
    page.goto(server)
    preload = page.locator(f".st-key-{PRELOAD_KEY}")
    expect(preload.locator("[data-testid='stPlotlyChart']")).to_have_count(1)
    assert preload.is_hidden() and plotly_chunks  # the form's run drew it: the chunk came
    sign_in(page, server, "analyst")
    page.goto("about:blank")
    plotly_chunks.clear()
    open_signed_in(page, f"{server}/")  # Home: a new document, cards and a table
    assert page.locator("[data-testid='stPlotlyChart']").count() == 0
    assert plotly_chunks == []
    open_signed_in(page, f"{server}/regimes")  # a chart page loads it with its charts
    assert preload.count() == 0 and plotly_chunks
    assert page.locator(".js-plotly-plot:visible").count() >= 3
