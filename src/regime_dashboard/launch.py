"""Start the app's server with the once-per-process work already done.

`python -m regime_dashboard.launch app.py [streamlit options]` is `streamlit run app.py
[options]`, except that before the server opens its port it imports every module the
pages use, loads Plotly's figure validators and freezes the heap
(`gc_freeze.freeze_startup_heap`). Without it the first page view after a start pays for all
of that (about 4–5 s on a 2-core machine); with it app.py's own call finds the work done.
The time it took is printed as the server's start-up time. `regime-dashboard run` and
`demo` start the server this way (cli.py).
"""

from __future__ import annotations

import sys
import time

__all__ = ["main", "prepare_process"]


def prepare_process() -> float:
    """The once-per-process work: imports, figure validators, heap freeze; seconds taken."""
    started = time.perf_counter()
    from .gc_freeze import freeze_startup_heap

    freeze_startup_heap()
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> None:
    """Prepare this process, then hand over to `streamlit run` with `argv`."""
    args = sys.argv[1:] if argv is None else argv
    seconds = prepare_process()
    print(f"start-up: imports, figure validators and heap freeze took {seconds:.1f} s", flush=True)
    from streamlit.web import cli

    sys.argv = ["streamlit", "run", *args]
    cli.main(prog_name="streamlit")


if __name__ == "__main__":
    main()
