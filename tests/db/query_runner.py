"""How the query tests run a query function: on the database at a URL, in a viewer scope
(every tenant unless a test passes `scope=`)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pandas as pd
from sqlalchemy import create_engine

from regime_dashboard.scope import TenantScope

__all__ = ["ALL", "Run", "query_runner"]

ALL = TenantScope.everything()
Run = Callable[..., pd.DataFrame]


@contextmanager
def query_runner(url: str) -> Iterator[Run]:
    """`run(fn, scope=ALL, **params)`: `fn(conn, scope=scope, **params)` on a fresh
    connection to `url`; the engine is disposed on leaving."""
    engine = create_engine(url)

    def run(
        fn: Callable[..., pd.DataFrame], scope: TenantScope = ALL, **params: object
    ) -> pd.DataFrame:
        with engine.connect() as conn:
            return fn(conn, scope=scope, **params)

    try:
        yield run
    finally:
        engine.dispose()
