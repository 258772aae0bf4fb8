"""Every page drawn once in the server's process before it opens its port.

A server's first view of a page cost 1.2–1.4 s more than the same page for another viewer
a moment later (docs/performance.md): the first compile of each SQL statement
(SQLAlchemy keeps compiled statements per process), the pandas and Plotly paths a page
takes for the first time, Streamlit's first use of each element, the modules a page
imports on first use. The launcher (`launch.py`) runs the pages here first, through
Streamlit's own headless runner (`AppTest`), as a start-up viewer: the sign-in form, Home
and every analyst and leadership page, over every tenant, with no account. It reads and
never writes (page loads do not write; writes follow a button). The results it caches
are under the every-tenant scope, the one admins and leadership read with, so their first
view also finds its data; an analyst's scope is another cache key, whose queries are then
already compiled. It takes 6–7 s on a 2-core machine, demo data or `--scale large`.

A page that fails here is reported and skipped: start-up goes on, and the page's first
viewer meets the error as before."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from streamlit.testing.v1 import AppTest

from ..navigation import pages_for
from ..session import VIEWER_KEY
from ..viewer import Viewer

__all__ = ["WARM_UP_VIEWER", "PageWarmed", "warm_pages"]

# analyst and leadership: every tenant, every analyst and leadership page. Not admin: its
# Home section re-hashes every release's input bars (51 s at --scale large), which an
# admin's own first Home view does while the rest of Home is already shown
WARM_UP_VIEWER = Viewer(
    user_id=None,
    email="start-up@localhost",
    display_name="Start-up",
    roles=frozenset({"analyst", "leadership"}),
)


@dataclass(frozen=True)
class PageWarmed:
    """One page's start-up run: its path, seconds, and the error it raised (None: drawn)."""

    path: str
    seconds: float
    error: str | None = None


def _run(script: Path, timeout_s: float, viewer: Viewer | None) -> str | None:
    tester = AppTest.from_file(str(script), default_timeout=timeout_s)
    if viewer is not None:
        tester.session_state[VIEWER_KEY] = viewer
    tester.run()
    return tester.exception[0].message if tester.exception else None


def warm_pages(app_script: Path, timeout_s: float = 120) -> list[PageWarmed]:
    """The sign-in form (app.py with nobody signed in), then Home and every analyst and
    leadership page as WARM_UP_VIEWER; the seconds each took and what failed."""
    scripts: list[tuple[Path, Viewer | None]] = [(app_script, None)]
    pages = pages_for(WARM_UP_VIEWER.roles)  # Home and the viewer's areas, as its menu
    scripts += [(app_script.parent / spec.path, WARM_UP_VIEWER) for spec in pages]
    warmed = []
    for script, viewer in scripts:
        started = time.perf_counter()
        try:
            error = _run(script, timeout_s, viewer)
        except Exception as exc:  # start-up goes on; the page's first viewer meets it
            error = f"{type(exc).__name__}: {exc}"
        warmed.append(PageWarmed(script.name, time.perf_counter() - started, error))
    return warmed
