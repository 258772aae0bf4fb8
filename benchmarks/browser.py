"""What a viewer waits for in a real browser: Debian's Chromium, driven by Playwright,
against `streamlit run` on a loopback port (8590-8599).

For each demo role and way, a fresh server (so the first visits are the first after a
start), then every page of the role, reached by a sidebar click (from Home, after a
sign-in through the form), by opening its URL in the tab that shows the app ("url": typed,
a bookmark, a reload), or by opening its URL in a new tab ("tab": a shared link), the last
two as a viewer who signed in before the server started (the session cookie is set, so the
first page is the server's first view), once ("first visit") and then `repeats` times
("repeat").
Each visit is timed in the page's own clock (an init script, `PROBE`): from the click, or
from the start of the navigation, to the first visible chart (`.js-plotly-plot
.main-svg`; on a page without charts the first table, else the script's end) and to the
page's last element (the app's script state back at "notRunning", once settled).

The same visits give the breakdown of where the time goes: websocket messages (count,
bytes, the first request to the last message), the Plotly figures the server sent (count,
traces, JSON size), tables, and the browser's main-thread long tasks.

`python -m benchmarks.browser` runs only this part (DATABASE_URL: a seeded database) and
writes its sections into docs/benchmarks.md and docs/performance.md; `--plain` starts the
server with plain `streamlit run` instead of the launcher (`regime_dashboard.launch`),
which shows what the first visit pays without the start-up work.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from regime_dashboard.config import DEMO_COOKIE_KEY
from regime_dashboard.navigation import PageSpec, pages_for

from .load import ROOT, session_cookie, streamlit_server

__all__ = [
    "BrowserRun",
    "Visit",
    "breakdown_section",
    "browser_section",
    "run_browser",
    "summarise",
]

CHROMIUM = "/usr/bin/chromium"
FLAGS = [  # as tests/e2e/conftest.py
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--no-first-run",
]  # fmt: skip
PORTS = range(8590, 8600)
TIMEOUT_MS = 90_000
ROLES = {
    "analyst": "analyst-demo-pass",
    "leadership": "leadership-demo-pass",
    "admin": "admin-demo-pass",
}
# sidebar: a click in the menu; url: the page's URL opened in the tab that shows the app
# (typed, a bookmark, a reload); tab: the URL opened in a new tab (a shared link)
WAYS = ("sidebar", "url", "tab")
GOAL_MS = {"sidebar": 1500, "url": 2500, "tab": 2500}
# a returning viewer's earlier visits: Chromium keeps a script's compiled code (not only
# its file) once the script has run in two page loads
VISITS_BEFORE_RESTART = 2
IDLE_APP = "[data-testid='stApp'][data-test-script-state='notRunning']"
# every chart drawn, and no element still a skeleton: while the browser loads an element's
# code (Plotly.js on a new document) Streamlit shows a skeleton, not the chart element
DRAWN = """() => !document.querySelector("[data-testid='stSkeleton']")
  && Array.from(document.querySelectorAll("[data-testid='stPlotlyChart']"))
  .every(e => e.querySelector('.main-svg'))"""
Frame = tuple[str, float, bytes]  # "sent" | "received", time.perf_counter(), payload
BROWSER_HEADING = "## In the browser: time to the first chart"
BREAKDOWN_HEADING = "## Where the browser's time goes, per page"

# Runs in every document before the app: timestamps (performance.now()) of the script
# state's changes (every one, by a MutationObserver: a fast rerun is over within a frame),
# of the first visible chart and table not on the page before the
# click, of the last chart drawn, of websocket frames, and the main thread's long tasks.
PROBE = """
(() => {
  const b = window.__bench = {t0: 0, armed: false, state: [], chart: null, table: null,
    lastChart: null, charts: 0, sends: [], recvs: [], longTasks: []};
  const OLD = 'data-bench-old';
  const STATE = 'data-test-script-state';
  const TABLES = "[data-testid='stDataFrame'], [data-testid='stTable']";
  const reset = (t0) => {
    Object.assign(b, {t0, state: [], chart: null, table: null, lastChart: null, charts: 0,
      sends: [], recvs: [], longTasks: []});
    document.querySelectorAll('.js-plotly-plot, ' + TABLES).forEach(e => e.setAttribute(OLD, '1'));
  };
  document.addEventListener('click', (e) => {
    if (b.armed) { b.armed = false; reset(performance.now()); }
  }, true);
  const shown = (sel) => Array.from(document.querySelectorAll(sel)).filter(e => {
    if (e.closest('[' + OLD + ']')) return false;
    const r = e.getBoundingClientRect();
    return r.width > 0 && r.height > 0;
  }).length;
  new MutationObserver((records) => records.forEach((r, i) => {
    const next = records[i + 1];
    b.state.push([performance.now(), next ? next.oldValue : r.target.getAttribute(STATE)]);
  })).observe(document,
    {subtree: true, attributes: true, attributeOldValue: true, attributeFilter: [STATE]});
  const poll = () => {
    const now = performance.now();
    const charts = shown('.js-plotly-plot .main-svg');
    if (charts > 0 && b.chart === null) b.chart = now;
    if (charts > b.charts) { b.charts = charts; b.lastChart = now; }
    if (b.table === null && shown(TABLES) > 0) b.table = now;
    requestAnimationFrame(poll);
  };
  requestAnimationFrame(poll);
  new PerformanceObserver((list) => list.getEntries().forEach(
    e => b.longTasks.push([e.startTime, e.duration]))).observe({type: 'longtask', buffered: true});
  const Native = window.WebSocket;
  window.WebSocket = class extends Native {
    constructor(...args) {
      super(...args);
      this.addEventListener('message', (ev) => {
        const d = ev.data;
        b.recvs.push([performance.now(), d.byteLength ?? d.size ?? d.length ?? 0]);
      });
    }
    send(data) { b.sends.push(performance.now()); return super.send(data); }
  };
})();
"""


@dataclass
class Visit:
    """One page view. Times in ms from the click (sidebar) or navigation start (url):
    first_ms to the first visible chart (else table, else done), done_ms to the page
    complete (the script's last "notRunning", and every chart drawn); server_ms from the
    first websocket request to "script finished", at the network; draw_ms from the last
    message the page handled to the last chart drawn; long_task_ms the main thread's long
    tasks (>= 50 ms each)."""

    role: str
    slug: str
    way: str
    repeat: int  # 0: the first visit after the server started
    first_ms: float
    done_ms: float
    first_kind: str = "chart"  # chart | table | none
    server_ms: float = float("nan")
    draw_ms: float = float("nan")
    long_task_ms: float = 0.0
    messages: int = 0
    message_kb: float = 0.0
    figures: int = 0
    traces: int = 0
    figure_kb: float = 0.0
    tables: int = 0
    table_kb: float = 0.0


@dataclass
class BrowserRun:
    """The visits, each server's start-up (Popen to health check) and its first response
    (the sign-in form drawn), seconds; how the servers were started; the machine line."""

    visits: list[Visit]
    startup_s: list[float] = field(default_factory=list)
    first_response_s: list[float] = field(default_factory=list)
    launcher: bool = True
    machine: str = ""
    cached_browser: bool = True  # URL visits: the browser has visited the app before
    database: str = ""


# ---- pure summaries -------------------------------------------------------------------


def _stats(values: list[float]) -> tuple[float, float]:
    return (statistics.median(values), max(values)) if values else (float("nan"),) * 2


def summarise(visits: list[Visit]) -> list[dict[str, Any]]:
    """Per page and way (in the order first seen): median and maximum of first_ms and
    done_ms over first visits (every role that has the page) and over repeats."""
    keys = list(dict.fromkeys((v.slug, v.way) for v in visits))
    rows = []
    for slug, way in keys:
        mine = [v for v in visits if v.slug == slug and v.way == way]
        first = [v for v in mine if v.repeat == 0]
        repeat = [v for v in mine if v.repeat > 0]
        row: dict[str, Any] = {"slug": slug, "way": way, "samples": len(mine)}
        for label, group in (("first", first), ("repeat", repeat)):
            row[f"{label}_chart"] = _stats([v.first_ms for v in group])
            row[f"{label}_done"] = _stats([v.done_ms for v in group])
        row["kind"] = statistics.mode(v.first_kind for v in mine)
        worst = max(row["first_chart"][1], row["repeat_chart"][0])
        row["meets_goal"] = worst <= GOAL_MS[way]
        rows.append(row)
    return rows


def _s(pair: tuple[float, float]) -> str:
    median, most = pair
    if median != median:  # nan: no such visits
        return "–"
    return f"{median / 1000:.2f} / {most / 1000:.2f}"


def _url_visitor(run: BrowserRun) -> str:
    """Who opens the URLs: a returning viewer after a server restart, or a browser that
    never opened the app (`--empty-cache`)."""
    who = (
        "a returning viewer after a server restart: the browser opened the app before, so "
        "its cache holds Streamlit's and Plotly's scripts"
        if run.cached_browser
        else "a browser that never opened the app: nothing cached"
    )
    return (
        f"{who}; it holds the session cookie of an earlier sign-in, and the first page "
        "opened is the fresh server's first view; *url* opens each page in the tab already "
        "showing the app, *tab* each in a new tab"
    )


def browser_section(run: BrowserRun) -> list[str]:
    """The docs/benchmarks.md section: one row per page and way."""
    rows = summarise(run.visits)
    repeats = max((v.repeat for v in run.visits), default=0)
    starter = "the launcher (`regime_dashboard.launch`)" if run.launcher else "`streamlit run`"
    lines = [
        BROWSER_HEADING,
        "",
        f"Debian's Chromium driven by Playwright (`python -m benchmarks.browser`) against "
        f"{starter} on 127.0.0.1, on {run.database}. Machine: {run.machine}. One fresh server per "
        f"role and way; each page of the role once (first visit) and {repeats} more times "
        "(repeat), by a click in the sidebar (from Home, after a sign-in through the form) or "
        f"by opening its URL ({_url_visitor(run)}). "
        "Seconds, median / maximum over the roles that have the page (and repeats): to the "
        "first visible chart (a table on pages without charts, marked *) and to the last "
        "element (the script finished and every chart drawn). Goal: first chart ≤ 1.5 s "
        "after a click, ≤ 2.5 s from the URL, first visit and repeat median.",
        "",
        f"Server start-up (start to health check): {_seconds(run.startup_s)}; its first "
        f"response (sign-in form drawn): {_seconds(run.first_response_s)}.",
        "",
        "| page | way | first visit: chart | first visit: done | repeat: chart | repeat: done "
        "| visits | within goal |",
        "|---|---|---:|---:|---:|---:|---:|---|",
    ]
    for r in rows:
        mark = {"chart": "", "table": " *", "none": " (no chart or table)"}[r["kind"]]
        lines.append(
            f"| {r['slug']}{mark} | {r['way']} | {_s(r['first_chart'])} | {_s(r['first_done'])} | "
            f"{_s(r['repeat_chart'])} | {_s(r['repeat_done'])} | {r['samples']} | "
            f"{'yes' if r['meets_goal'] else '**no**'} |"
        )
    return lines


def _seconds(values: list[float]) -> str:
    if not values:
        return "–"
    return f"median {statistics.median(values):.1f} s, max {max(values):.1f} s"


def _median(values: list[float]) -> float:
    values = [x for x in values if x == x]
    return statistics.median(values) if values else float("nan")


def breakdown_section(run: BrowserRun) -> list[str]:
    """The docs/performance.md section: per page, repeat visits by sidebar click (medians),
    what the server sent and how long the browser spent drawing it."""
    lines = [
        BREAKDOWN_HEADING,
        "",
        "Written by `python -m benchmarks.browser` from the same visits as the browser table in "
        "`docs/benchmarks.md`: repeat visits by a sidebar click, medians. *server*: the page's "
        "websocket request to the server's \"script finished\" message, as the browser's network "
        "layer saw them (script time plus transport); "
        "*messages*: websocket messages and their size; *figures*: Plotly charts sent, their "
        "traces and JSON size; *tables*: dataframes sent and their Arrow size; *long tasks*: "
        "the browser's main thread busy in tasks of 50 ms or more (Plotly.js parse, layout and "
        "draw, React); *draw*: last message to last chart drawn; *chart* and *done*: to the "
        "first visible chart and the last element.",
        "",
        "| page | server ms | messages | message KB | figures | traces | figure KB | tables "
        "| table KB | long tasks ms | draw ms | chart ms | done ms |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    visits = [v for v in run.visits if v.way == "sidebar" and v.repeat > 0]
    for slug in dict.fromkeys(v.slug for v in visits):
        mine = [v for v in visits if v.slug == slug]

        def m(name: str, group: list[Visit] = mine) -> str:
            value = _median([float(getattr(v, name)) for v in group])
            return "–" if value != value else f"{value:,.0f}"

        names: tuple[str, ...] = ("server_ms", "messages", "message_kb", "figures", "traces")
        names += ("figure_kb", "tables", "table_kb", "long_task_ms", "draw_ms", "first_ms")
        names += ("done_ms",)
        lines.append(f"| {slug} | " + " | ".join(m(name) for name in names) + " |")
    return lines


def visit_from_probe(
    probe: dict[str, Any], frames: list[Frame], role: str, slug: str, way: str, repeat: int
) -> Visit:
    """A Visit from the probe's record (times relative to its t0) and the websocket frames
    of the visit as the browser's network layer saw them (direction, seconds, payload)."""
    t0 = probe["t0"]
    idle = [t for t, s in probe["state"] if s == "notRunning"]
    arrived = [t for t, _ in probe["recvs"]]
    done = (idle[-1] if idle else max(arrived, default=t0)) - t0
    if probe["chart"] is not None:
        first, kind = probe["chart"] - t0, "chart"
    elif probe["table"] is not None:
        first, kind = probe["table"] - t0, "table"
    else:
        first, kind = done, "none"
    recvs = [t for t, _ in probe["recvs"] if not idle or t <= idle[-1]]
    last_recv = max(recvs, default=float("nan"))
    if probe["lastChart"] is not None:  # Plotly draws after the script's last message
        done = max(done, probe["lastChart"] - t0)
    visit = Visit(role, slug, way, repeat, first, done, kind)
    if probe["lastChart"] is not None and recvs:
        visit.draw_ms = max(0.0, probe["lastChart"] - last_recv)
    visit.long_task_ms = sum(d for s, d in probe["longTasks"] if s >= t0)
    visit.messages = len(probe["recvs"])
    visit.message_kb = sum(n for _, n in probe["recvs"]) / 1024
    _add_frames(visit, frames)
    return visit


def _add_frames(visit: Visit, frames: list[Frame]) -> None:
    """Count the figures (traces, JSON size) and tables (Arrow size) the server sent; time
    the first request to the last "script finished" (network time, not held up by the
    browser's main thread as page-side timestamps are)."""
    requests = [t for way, t, _ in frames if way == "sent"]
    for way, at, raw in frames:
        if way != "received":
            continue
        msg = ForwardMsg()
        try:
            msg.ParseFromString(raw)
        except Exception:  # not a ForwardMsg: not counted
            continue
        if msg.WhichOneof("type") == "script_finished" and requests:
            visit.server_ms = (at - requests[0]) * 1000
        if msg.WhichOneof("type") != "delta":
            continue
        element = msg.delta.new_element
        kind = element.WhichOneof("type")
        if kind == "plotly_chart":
            spec = element.plotly_chart.spec
            visit.figures += 1
            visit.figure_kb += len(spec.encode()) / 1024
            visit.traces += len(json.loads(spec).get("data", [])) if spec else 0
        elif kind in ("dataframe", "table"):
            visit.tables += 1
            visit.table_kb += element.ByteSize() / 1024


# ---- the browser run ------------------------------------------------------------------


def _port() -> int:
    for port in PORTS:
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port in {PORTS.start}-{PORTS.stop - 1}")


@contextmanager
def app_server(
    env: dict[str, str], launcher: bool, log: Path | None, port: int | None = None
) -> Iterator[tuple[str, float]]:
    """The app on `port` (else a free port of 8590-8599), by the launcher or plain
    `streamlit run`; yields (base URL, seconds from start to health check) and stops it
    afterwards."""
    started = time.perf_counter()
    port = port or _port()
    with streamlit_server(env, log, launcher=launcher, port=port, health_timeout_s=120) as (
        port,
        _,
    ):
        yield f"http://127.0.0.1:{port}", time.perf_counter() - started


def _settle(page: Any) -> None:
    """The script has run and stays idle: "notRunning" twice, 250 ms apart, after the
    probe saw it leave that state or a message arrive (a fast run can start and end
    within one React update); as tests/e2e/helpers.py settle. Then every chart drawn."""
    page.wait_for_function(
        "() => window.__bench && (__bench.state.some("
        "([t, s]) => t >= __bench.t0 && s && s !== 'notRunning') || __bench.recvs.length > 0)",
        timeout=TIMEOUT_MS,
    )
    running = page.locator("[data-testid='stStatusWidget']")
    for _ in range(2):
        page.wait_for_timeout(250)
        page.wait_for_selector(IDLE_APP, timeout=TIMEOUT_MS)
        if running.count():
            running.first.wait_for(state="detached", timeout=TIMEOUT_MS)
    page.wait_for_function(DRAWN, timeout=TIMEOUT_MS)  # Plotly draws after the run ends


def _sign_in(page: Any, base: str, role: str) -> float:
    """Sign in through the form; seconds until the form was drawn (the first response)."""
    started = time.perf_counter()
    page.goto(base)
    page.get_by_role("button", name="Sign in").wait_for(state="visible", timeout=TIMEOUT_MS)
    first = time.perf_counter() - started
    _settle(page)
    page.get_by_role("textbox", name="Email").fill(f"{role}@demo.local")
    page.get_by_role("textbox", name="Password").fill(ROLES[role])
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("button", name="Sign out").wait_for(state="visible", timeout=TIMEOUT_MS)
    for _ in range(150):  # the cookie component writes the session cookie after the run
        if any(c["name"] == "regime_dashboard_session" for c in page.context.cookies()):
            break
        page.wait_for_timeout(200)
    _settle(page)
    return first


def _record(frames: list[Frame], way: str, payload: str | bytes) -> None:
    frames.append((way, time.perf_counter(), payload if isinstance(payload, bytes) else b""))


def _session_cookie(base: str, role: str) -> dict[str, str]:
    """The cookie a password sign-in leaves (benchmarks/load.py), for a viewer who comes
    back after the server was restarted."""
    key = os.environ.get("COOKIE_KEY") or DEMO_COOKIE_KEY
    name, value = session_cookie(f"{role}@demo.local", key).split("=", 1)
    return {"name": name, "value": value, "url": base}


def _link(page: Any, spec: PageSpec) -> Any:
    links = page.locator("[data-testid='stSidebar'] a[data-testid='stPageLink-NavLink']")
    return links.filter(has_text=spec.title).first


def _open(page: Any, base: str, spec: PageSpec, way: str) -> None:
    if way in ("url", "tab"):
        page.goto(f"{base}/{spec.url}")
    else:
        page.evaluate("() => { __bench.armed = true; }")
        _link(page, spec).click()
    _settle(page)


def _visit_pages(
    new_page: Callable[[], Any],
    base: str,
    role: str,
    way: str,
    repeats: int,
    frames: list[Frame],
    only: tuple[str, ...] = (),
) -> list[Visit]:
    """Every page of `role` (those of `only` and Home, when `only` names pages), in one tab
    made by `new_page`, or each visit in a new one (way "tab")."""
    specs = [s for s in pages_for(frozenset({role})) if not only or s.default or s.slug in only]
    specs = [s for s in specs if not s.default] + [s for s in specs if s.default]
    home = next(s for s in specs if s.default)
    visits: list[Visit] = []
    page = new_page()
    for repeat in range(repeats + 1):
        for spec in specs:
            if way == "tab" and visits:
                page.close()
                page = new_page()
            if way == "sidebar" and not spec.default and page.url.rstrip("/") != base:
                _open(page, base, home, way)  # every sidebar visit starts from Home
            frames.clear()
            _open(page, base, spec, way)
            probe = page.evaluate("() => __bench")
            visit = visit_from_probe(probe, list(frames), role, spec.slug, way, repeat)
            visits.append(visit)
            print(
                f"  {role} {way} {spec.slug} #{repeat}: chart {visit.first_ms:,.0f} ms, "
                f"done {visit.done_ms:,.0f} ms",
                flush=True,
            )
    return visits


def _visit_before_restart(context: Any, env: dict[str, str], launcher: bool, port: int) -> None:
    """A returning viewer's browser: it opened the app on `port` before (the sign-in form,
    which loads Streamlit's scripts and, through the hidden preload, Plotly's), so its HTTP
    cache holds the static files (served immutable for a year), as a viewer's browser does
    after a visit; then that server stops, and the timed visits meet a fresh one."""
    with app_server(env, launcher, None, port) as (base, _):
        page = context.new_page()
        for _ in range(VISITS_BEFORE_RESTART):
            page.goto(base)
            page.get_by_role("button", name="Sign in").wait_for(timeout=TIMEOUT_MS)
            page.wait_for_function(DRAWN, timeout=TIMEOUT_MS)
        page.close()


def _role_run(
    browser: Any,
    env: dict[str, str],
    role: str,
    way: str,
    run: BrowserRun,
    repeats: int,
    only: tuple[str, ...] = (),
) -> None:
    log = ROOT / "test-artifacts" / "browser-bench-server.log"
    log.parent.mkdir(exist_ok=True)
    port = _port()
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    if way != "sidebar" and run.cached_browser:
        _visit_before_restart(context, env, run.launcher, port)
    with app_server(env, run.launcher, log, port) as (base, startup_s):
        run.startup_s.append(startup_s)
        try:
            frames: list[Frame] = []
            new_page: Callable[[], Any] = partial(_probed_page, context, frames)
            if way == "sidebar":  # one tab, signed in through the form
                page = new_page()
                run.first_response_s.append(_sign_in(page, base, role))
                new_page = partial(_same, page)
            else:  # a returning viewer: the first page view is the server's first
                context.add_cookies([_session_cookie(base, role)])
            run.visits += _visit_pages(new_page, base, role, way, repeats, frames, only)
        finally:
            context.close()


def _same(page: Any) -> Any:
    return page


def _probed_page(context: Any, frames: list[Frame]) -> Any:
    """A new tab with the probe, its websocket frames recorded into `frames`."""
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.add_init_script(PROBE)

    def on_socket(ws: Any) -> None:
        if ws.url.endswith("/_stcore/stream"):
            for way in ("sent", "received"):
                ws.on(f"frame{way}", partial(_record, frames, way))

    page.on("websocket", on_socket)
    return page


def run_browser(
    repeats: int = 2,
    roles: tuple[str, ...] = tuple(ROLES),
    ways: tuple[str, ...] = WAYS,
    launcher: bool = True,
    only: tuple[str, ...] = (),
    cached_browser: bool = True,
) -> BrowserRun:
    """Every role's pages (or those named in `only`, with Home) in Chromium, each (role,
    way) on a fresh server."""
    from playwright.sync_api import sync_playwright

    from .report import machine_description

    env = {"DEMO_MODE": "true"}
    run = BrowserRun(
        [], launcher=launcher, machine=machine_description(), cached_browser=cached_browser
    )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        try:
            for way in ways:
                for role in roles:
                    print(f"browser: {role}, by {way} ...", flush=True)
                    _role_run(browser, env, role, way, run, repeats, only)
        finally:
            browser.close()
    return run


def write_sections(run: BrowserRun, benchmarks: Path, performance: Path | None) -> None:
    """The browser table into `benchmarks`, the breakdown into `performance`."""
    from .report import replace_section

    replace_section(benchmarks, browser_section(run))
    if performance is not None:
        replace_section(performance, breakdown_section(run))


def _database_label() -> str:
    from sqlalchemy.engine import make_url

    url = os.environ.get("DATABASE_URL", "")
    return f"database `{make_url(url).database}`" if url else "the configured database"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.browser", description=__doc__)
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--roles", default=",".join(ROLES))
    parser.add_argument("--ways", default=",".join(WAYS))
    parser.add_argument("--plain", action="store_true", help="plain `streamlit run`")
    parser.add_argument("--pages", default="", help="only these page slugs (and Home)")
    parser.add_argument(
        "--empty-cache",
        action="store_true",
        help="URL visits in a browser that never opened the app (no cached scripts)",
    )
    parser.add_argument("--output", default="docs/benchmarks.md")
    parser.add_argument("--breakdown", default="docs/performance.md", help="'' to skip")
    parser.add_argument("--json", default="", help="also save every visit here")
    args = parser.parse_args(argv)
    if not os.environ.get("DATABASE_URL"):
        print("error: set DATABASE_URL to a seeded database", file=sys.stderr)
        return 2
    os.environ["DEMO_MODE"] = "true"
    run = run_browser(
        args.repeats,
        tuple(args.roles.split(",")),
        tuple(args.ways.split(",")),
        launcher=not args.plain,
        only=tuple(p for p in args.pages.split(",") if p),
        cached_browser=not args.empty_cache,
    )
    run.database = _database_label()
    if args.json:
        Path(args.json).write_text(json.dumps([v.__dict__ for v in run.visits], indent=1))
    write_sections(run, Path(args.output), Path(args.breakdown) if args.breakdown else None)
    print("\n".join(browser_section(run)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
