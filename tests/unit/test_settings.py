"""Every setting is documented in the README, and settings come from env then secrets.toml."""

from __future__ import annotations

from pathlib import Path

import pytest

from regime_dashboard.config import Settings

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
