"""The declared dependencies admit only versions the code is safe on."""

from __future__ import annotations

import tomllib
from importlib.metadata import version

from packaging.requirements import Requirement
from packaging.version import Version

from tests.conftest import ROOT


def _requirement(name: str) -> Requirement:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    found = [Requirement(r) for r in project["dependencies"] if Requirement(r).name == name]
    assert len(found) == 1, f"{name} must be declared once"
    return found[0]


def test_pandas_is_required_at_a_copy_on_write_version() -> None:
    """The shared cache hands sessions shallow copies of one stored frame; only pandas 3's
    copy-on-write keeps a session's change from reaching the others (on 2.2.3 it does)."""
    pandas = _requirement("pandas")
    assert Version("2.2.3") not in pandas.specifier
    assert Version(version("pandas")) in pandas.specifier
    assert Version(version("pandas")).major >= 3


def test_the_exchange_calendars_package_is_declared() -> None:
    assert Version(version("exchange-calendars")) in _requirement("exchange-calendars").specifier
