"""`python3 dev.py demo` on a fresh checkout says what it is doing before the long install."""

from __future__ import annotations

import importlib.util
import subprocess
from pathlib import Path
from types import ModuleType

import pytest

from tests.conftest import ROOT


def _dev() -> ModuleType:
    spec = importlib.util.spec_from_file_location("dev_under_test", ROOT / "dev.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_first_setup_prints_each_step_before_running_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    dev = _dev()
    monkeypatch.setattr(dev, "VENV", tmp_path / ".venv")
    monkeypatch.setattr(dev, "STAMP", tmp_path / ".venv" / ".installed-from")
    monkeypatch.setattr(dev, "_uv", lambda: "/usr/bin/uv")
    seen: list[tuple[str, str]] = []

    def run(command: list[str], check: bool) -> subprocess.CompletedProcess:
        seen.append((command[1], capsys.readouterr().err))  # what was printed before it ran
        (tmp_path / ".venv").mkdir(exist_ok=True)
        return subprocess.CompletedProcess(command, 0)

    monkeypatch.setattr(dev.subprocess, "run", run)
    dev.setup()
    done = capsys.readouterr().err
    assert [step for step, _ in seen] == ["venv", "pip"]
    assert "dev.py: setting up" in seen[0][1] and "looking for uv" in seen[0][1]
    assert "dev.py: installing the project and its dependencies with uv" in seen[0][1]
    assert ".venv is ready" in done


def test_a_ready_venv_prints_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    dev = _dev()
    venv = tmp_path / ".venv"
    (venv / "bin").mkdir(parents=True)
    (venv / "bin" / "python").touch()
    monkeypatch.setattr(dev, "VENV", venv)
    monkeypatch.setattr(dev, "STAMP", venv / ".installed-from")
    dev.STAMP.write_text(dev._fingerprint())
    dev.setup()
    assert capsys.readouterr().err == ""
