"""Start the app's server with the once-per-process work already done.

`python -m regime_dashboard.launch app.py [streamlit options]` is `streamlit run app.py
[options]`, except that before the server opens its port it imports every module the
pages use, loads Plotly's figure validators and freezes the heap
(`gc_freeze.freeze_startup_heap`), then draws the analyst and leadership pages once
headless (`ui.warm_pages`). Without it the first page view after a start pays for all of that
(about 4–5 s on a 2-core machine for the first, then 1.2–1.4 s more for each page's first
view); with it app.py's own call finds the work done. The time each part took is printed
as the server's start-up time. `regime-dashboard run` and
`demo` start the server this way (cli.py).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

__all__ = ["main", "prepare_process"]


def prepare_process() -> float:
    """The once-per-process work: imports, figure validators, heap freeze; seconds taken."""
    started = time.perf_counter()
    from .gc_freeze import freeze_startup_heap

    freeze_startup_heap()
    return time.perf_counter() - started


def _warm_pages(app_script: Path) -> None:
    """The pages drawn once (ui.warm_pages), with the time it took and what failed."""
    from .ui.warm_pages import warm_pages

    warmed = warm_pages(app_script)
    seconds = sum(page.seconds for page in warmed)
    print(f"start-up: {len(warmed)} pages drawn once in {seconds:.1f} s", flush=True)
    for page in (page for page in warmed if page.error):
        print(f"start-up: {page.path} failed, left to its first view: {page.error}", flush=True)


def main(argv: list[str] | None = None) -> None:
    """Prepare this process, then hand over to `streamlit run` with `argv`."""
    args = sys.argv[1:] if argv is None else argv
    seconds = prepare_process()
    print(f"start-up: imports, figure validators and heap freeze took {seconds:.1f} s", flush=True)
    _warm_pages(Path(args[0]).resolve() if args else Path("app.py").resolve())
    from streamlit.web import cli

    sys.argv = ["streamlit", "run", *args]
    cli.main(prog_name="streamlit")


if __name__ == "__main__":
    main()
