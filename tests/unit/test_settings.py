"""Every setting is documented in the README, and settings come from env then secrets.toml."""

from __future__ import annotations

from pathlib import Path

import pytest

from regime_dashboard.config import DEMO_COOKIE_KEY, CookieKeyError, Settings, estimated_key_bits

ROOT = Path(__file__).resolve().parents[2]


def test_every_setting_is_in_the_readme_configuration_table() -> None:
    readme = ROOT.joinpath("README.md").read_text()
    table = readme.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    missing = [name for name in Settings.model_fields if f"`{name.upper()}`" not in table]
    assert missing == []


def test_environment_wins_over_secrets_toml(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / ".streamlit").mkdir()
    (tmp_path / ".streamlit" / "secrets.toml").write_text(
        'DATABASE_URL = "postgresql://from-secrets/db"\nstatement_timeout_ms = 1234\n'
    )
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("STATEMENT_TIMEOUT_MS", raising=False)
    settings = Settings()
    assert (settings.database_url, settings.statement_timeout_ms) == (
        "postgresql://from-secrets/db",
        1234,
    )
    monkeypatch.setenv("DATABASE_URL", "postgresql://from-env/db")
    assert Settings().database_url == "postgresql://from-env/db"


GOOD_KEY = "Zq4w-kV9_t2LmR8xYpB3nC7hJ1sD6fG0aE5uI-oW2rT9yQ"
WEAK_KEYS = {
    "missing": "",
    "32 spaces": " " * 32,
    "32 x a": "a" * 32,
    "two letters repeated": "ab" * 16,
    "short": "Zq4w-kV9_t2LmR8x",
    "the demo key": DEMO_COOKIE_KEY,
    "the demo key upper-cased": DEMO_COOKIE_KEY.upper(),
    "the demo key with a space": " " + DEMO_COOKIE_KEY,
    "the demo key with a mark": DEMO_COOKIE_KEY + "!",
    "changeme repeated": "changeme-changeme-changeme-changeme",
    "a sentence": "your-secret-key-here-change-this-now",
    "hex digits twice": "0123456789abcdef0123456789abcdef",
}


@pytest.mark.parametrize("demo_mode", [False, True])
@pytest.mark.parametrize("name", sorted(WEAK_KEYS))
def test_the_production_rule_refuses_weak_and_demo_keys_whatever_the_mode(
    name: str, demo_mode: bool
) -> None:
    settings = Settings(cookie_key=WEAK_KEYS[name] or None, demo_mode=demo_mode)
    with pytest.raises(CookieKeyError) as refused:
        settings.production_cookie_key()
    assert "\n" not in str(refused.value) and "COOKIE_KEY" in str(refused.value)


def test_a_random_key_is_accepted_and_demo_mode_alone_falls_back_to_the_demo_key() -> None:
    assert Settings(cookie_key=GOOD_KEY).production_cookie_key() == GOOD_KEY
    hex_key = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
    assert Settings(cookie_key=hex_key).production_cookie_key() == hex_key
    assert Settings(demo_mode=True).app_cookie_key() == DEMO_COOKIE_KEY
    with pytest.raises(CookieKeyError):
        Settings(demo_mode=False).app_cookie_key()
    assert estimated_key_bits("a" * 32) == 0 and estimated_key_bits("ab" * 16) == 32


@pytest.mark.parametrize("key", [None, "a" * 32, " " * 32, DEMO_COOKIE_KEY])
def test_run_refuses_the_key_in_one_line_with_exit_1_even_in_demo_mode(
    key: str | None, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from regime_dashboard import cli
    from regime_dashboard.config import get_settings

    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://nobody@127.0.0.1:1/never")
    monkeypatch.setenv("DEMO_MODE", "true")
    if key is None:
        monkeypatch.delenv("COOKIE_KEY", raising=False)
    else:
        monkeypatch.setenv("COOKIE_KEY", key)
    monkeypatch.setattr(cli, "_serve", lambda *a, **k: pytest.fail("served"))
    get_settings.cache_clear()
    try:
        assert cli.main(["run", "--port", "8599"]) == 1
    finally:
        get_settings.cache_clear()
    err = capsys.readouterr().err
    assert err.startswith("error: COOKIE_KEY ") and err.count("\n") == 1
    assert "Traceback" not in err
