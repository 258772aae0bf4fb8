"""A page opened by its URL runs its script once (issue 17): the cookie component is not
drawn in a signed-in run, so a new document does not mount it and its report of the
browser's cookies does not rerun the page (every URL open ran the page twice). And the
browser starts loading Plotly.js with the run's first element (ui/preload.py)."""

from __future__ import annotations

from typing import Any

import pytest
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


def test_the_plotly_preload_is_drawn_hidden_before_the_page(page: Any, server: str) -> None:
    sign_in(page, server, "analyst")
    open_signed_in(page, f"{server}/regimes")
    preload = page.locator(f".st-key-{PRELOAD_KEY}")
    assert preload.count() == 1 and preload.is_hidden()
    assert preload.locator("[data-testid='stPlotlyChart']").count() == 1
    # it is the page's first chart element, ahead of the page's own, which are shown
    first = page.locator("[data-testid='stPlotlyChart']").first
    assert first.evaluate(f"e => e.closest('.st-key-{PRELOAD_KEY}') !== null")
    assert page.locator(".js-plotly-plot:visible").count() >= 3
