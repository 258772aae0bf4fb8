"""`regime-dashboard run` on a seeded database: serves with demo mode off whatever the
environment says, and warns that the demo accounts exist."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from regime_dashboard import cli
from regime_dashboard.config import get_settings

pytestmark = pytest.mark.db
GOOD_KEY = "Zq4w-kV9_t2LmR8xYpB3nC7hJ1sD6fG0aE5uI-oW2rT9yQ"


class _Child:
    def wait(self) -> int:
        return 0


@pytest.fixture
def started(seeded_copy: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[list[dict]]:
    """`run` up to starting Streamlit: the command and environment it would start it with."""
    calls: list[dict] = []

    def popen(cmd: list[str], cwd: object, env: dict[str, str]) -> _Child:
        calls.append({"cmd": cmd, "env": env})
        return _Child()

    monkeypatch.setattr(cli.subprocess, "Popen", popen)
    monkeypatch.setenv("DATABASE_URL", seeded_copy)
    monkeypatch.setenv("COOKIE_KEY", GOOD_KEY)
    get_settings.cache_clear()
    yield calls
    get_settings.cache_clear()


def test_run_serves_with_demo_mode_off_even_when_the_environment_asks_for_it(
    started: list[dict], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DEMO_MODE", "true")
    get_settings.cache_clear()
    assert cli.main(["run", "--port", "8598"]) == 0
    (call,) = started
    assert call["env"]["DEMO_MODE"] == "false" and call["env"]["COOKIE_KEY"] == GOOD_KEY
    assert "DEMO_MODE is ignored" in capsys.readouterr().err


def test_run_warns_when_the_demo_accounts_exist(
    started: list[dict], capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["run", "--port", "8598"]) == 0
    warning = [line for line in capsys.readouterr().err.splitlines() if "demo accounts" in line]
    assert warning == [
        "warning: demo accounts exist (admin@demo.local, analyst@demo.local, "
        "leadership@demo.local); they cannot sign in here (demo mode is off), "
        "but delete them from production databases"
    ]
