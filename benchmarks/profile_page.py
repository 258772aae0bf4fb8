"""Where a page's cold render spends its time: `python -m benchmarks.profile_page SLUG [RUNS]`.

Renders the page cold RUNS times (data cache cleared before each), as the benchmark does,
under yappi (AppTest runs the script in its own thread, which cProfile does not follow), and
prints the functions with the most cumulative wall time. yappi is not a dependency:
`uv pip install yappi` into the venv first. For a sampled
flame graph instead: `py-spy record -f raw -o out.txt -- python -m benchmarks.profile_page
SLUG 20 --no-profile`. Needs DATABASE_URL (a database seeded with --scale large).
"""

from __future__ import annotations

import sys
import time

from regime_dashboard import cache
from regime_dashboard.navigation import PAGES

from .harness import open_page


def _cold_renders(slug: str, runs: int) -> list[float]:
    at = open_page(next(p for p in PAGES if p.slug == slug))
    at.run()
    times = []
    for _ in range(runs):
        cache.clear()
        started = time.perf_counter()
        at.run()
        times.append((time.perf_counter() - started) * 1000)
    if at.exception:
        raise SystemExit(f"{slug} raised: {at.exception[0].value}")
    return times


def _print_top(stats: object, runs: int, count: int = 70) -> None:
    """The `count` functions with the most cumulative wall time, in ms per render."""
    for entry in list(stats)[:count]:  # type: ignore[call-overload]
        where = f"{entry.module.rsplit('site-packages/', 1)[-1]}:{entry.lineno}"
        per_render_ms, calls = entry.ttot * 1000 / runs, entry.ncall / runs
        print(f"{per_render_ms:9.1f} ms {calls:9.1f}x  {entry.name}  {where}")


def main(argv: list[str]) -> None:
    positional = [a for a in argv if not a.startswith("--")]
    slug, runs = positional[0], int(positional[1]) if len(positional) > 1 else 10
    if "--no-profile" in argv:
        times = _cold_renders(slug, runs)
    else:
        import yappi

        yappi.set_clock_type("wall")
        yappi.start()
        times = _cold_renders(slug, runs)
        yappi.stop()
        _print_top(yappi.get_func_stats().sort("ttot"), runs)
    print(f"{slug}: cold ms {sorted(round(t) for t in times)}")


if __name__ == "__main__":
    main(sys.argv[1:])
