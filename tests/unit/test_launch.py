"""The launcher: the once-per-process work (imports, figure validators, heap freeze) is done
before Streamlit's server starts, so the first page view finds it done; `run` and `demo`
start the server through it."""

from __future__ import annotations

import gc
import sys
from typing import Any

import pytest

from regime_dashboard import gc_freeze, launch


def test_the_heap_is_frozen_before_streamlit_starts(
    fresh_process: None, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from streamlit.web import cli as streamlit_cli

    seen: dict[str, Any] = {}

    def fake_streamlit_main(prog_name: str) -> None:
        seen.update(argv=list(sys.argv), frozen=gc_freeze._FROZEN, count=gc.get_freeze_count())

    monkeypatch.setattr(streamlit_cli, "main", fake_streamlit_main)
    monkeypatch.setattr(sys, "argv", list(sys.argv))
    launch.main(["app.py", "--server.port", "8599"])
    assert seen["argv"] == ["streamlit", "run", "app.py", "--server.port", "8599"]
    assert seen["frozen"] is True and seen["count"] > 0
    assert gc_freeze.freeze_startup_heap() is False  # app.py's own call finds the work done
    assert capsys.readouterr().out.startswith("start-up: imports, figure validators")


def test_run_starts_the_server_through_the_launcher(monkeypatch: pytest.MonkeyPatch) -> None:
    from regime_dashboard import cli

    started: list[list[str]] = []

    class Child:
        def __init__(self, cmd: list[str], **_: object) -> None:
            started.append(cmd)

        def wait(self) -> int:
            return 0

    monkeypatch.setattr(cli.subprocess, "Popen", Child)
    assert cli._serve("postgresql+psycopg://nobody@127.0.0.1:1/never", 8599, demo=True) == 0
    assert started[0][1:4] == ["-m", "regime_dashboard.launch", "app.py"]
