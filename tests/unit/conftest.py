"""Fixtures shared by the unit tests."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from regime_dashboard import gc_freeze


@pytest.fixture
def fresh_process(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """As if the process had just started (no page viewed, nothing frozen); everything
    frozen is released afterwards."""
    gc.unfreeze()
    monkeypatch.setattr(gc_freeze, "_FROZEN", False)
    yield
    gc.unfreeze()
