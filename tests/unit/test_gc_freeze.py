"""gc_freeze.freeze_startup_heap: the libraries the pages use end up in the permanent generation
once per process, and garbage made afterwards is still collected."""

from __future__ import annotations

import gc
import sys

import plotly.graph_objects as go
from plotly.validator_cache import ValidatorCache

from regime_dashboard import gc_freeze


def _walked_by_the_collector(objects: list[object]) -> list[bool]:
    """Whether a full collection still looks at each object (frozen ones it skips)."""
    walked = {id(o) for o in gc.get_objects()}
    return [id(o) in walked for o in objects]


def test_the_libraries_and_plotly_validators_are_frozen_once(fresh_process: None) -> None:
    assert gc_freeze.freeze_startup_heap() is True
    frozen = gc.get_freeze_count()
    validators = ValidatorCache._cache
    used = [("candlestick", "open"), ("bar", "marker"), ("heatmap", "z"), ("layout", "shapes")]
    assert all(key in validators for key in used)  # loaded before the freeze
    modules = [vars(sys.modules[name]) for name in ("pandas", "regime_dashboard.charts.regimes")]
    assert _walked_by_the_collector([validators[key] for key in used] + modules) == [False] * 6
    late = go.Figure(go.Scatter(x=[1], y=[1]))  # made after the freeze: walked as usual
    assert _walked_by_the_collector([late]) == [True]
    assert gc_freeze.freeze_startup_heap() is False
    assert gc.get_freeze_count() == frozen


def test_garbage_made_after_the_freeze_is_still_collected(fresh_process: None) -> None:
    gc_freeze.freeze_startup_heap()
    gc.collect()
    for _ in range(3):
        figure = go.Figure(go.Scatter(x=[1, 2], y=[3, 4]))  # plotly objects form cycles
        figure.to_json()
        del figure
    assert gc.collect() > 0
