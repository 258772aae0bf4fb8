"""Many sessions against a real `streamlit run` server: each simulated viewer opens the
app's websocket (as a browser does, with the sign-in cookie), asks for pages one after
another and times each from the request to the server's "script finished" message.

The server runs in its own process on 127.0.0.1, the clients in this one (asyncio), so the
numbers include the server's websocket, session and protobuf work, not only the script.
Everything stops by itself: the server is terminated when the run ends.
"""

from __future__ import annotations

import asyncio
import os
import random
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import psutil
import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from websockets.typing import Subprotocol

from regime_dashboard.auth.gate import COOKIE_NAME, DEMO_COOKIE_KEY
from regime_dashboard.auth.tokens import issue_token, new_claims

__all__ = ["ServerLoad", "run_server_load", "streamlit_server"]

ROOT = Path(__file__).resolve().parents[1]
PAGE_TIMEOUT_S = 120


@dataclass
class ServerLoad:
    """What the load run saw: page-view latency percentiles; errors: page views that ended
    with an exception element or without finishing, and sessions that failed; rss_mb: the
    largest server's resident memory after every page was visited."""

    sessions: int
    page_views: int
    p50_ms: float
    p95_ms: float
    max_ms: float
    errors: int
    wall_s: float
    rss_mb: float
    processes: int = 1
    phase: str = "caches empty"
    error_samples: list[str] = field(default_factory=list)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_healthy(port: int, process: subprocess.Popen, timeout_s: float = 60) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"streamlit exited with {process.returncode}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2):
                return
        except OSError:
            time.sleep(0.3)
    raise TimeoutError("streamlit did not answer its health check")


@contextmanager
def streamlit_server(
    env: dict[str, str] | None = None,
    log: Path | None = None,
    *,
    launcher: bool = False,
    port: int | None = None,
    health_timeout_s: float = 60,
) -> Iterator[tuple[int, int]]:
    """`streamlit run app.py` (with `launcher`, through `regime_dashboard.launch`, as
    `run` and `demo` start it) on `port` or a free loopback port, its output appended to
    `log` (else dropped); yields (port, pid) once it answers its health check, and stops it
    afterwards."""
    port = port or _free_port()
    head = ["-m", "regime_dashboard.launch"] if launcher else ["-m", "streamlit", "run"]
    command = [sys.executable, *head, str(ROOT / "app.py")]
    command += ["--server.address", "127.0.0.1", "--server.port", str(port)]
    command += ["--server.headless", "true", "--browser.gatherUsageStats", "false"]
    with ExitStack() as stack:
        out = stack.enter_context(open(log, "a")) if log else subprocess.DEVNULL
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            env={**os.environ, **(env or {})},
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        try:
            _wait_healthy(port, process, health_timeout_s)
            yield port, process.pid
        finally:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()


def session_cookie(email: str, key: str = DEMO_COOKIE_KEY, epoch: int = 0) -> str:
    """The sign-in cookie the app sets after a password sign-in (auth/tokens.py: email,
    session epoch, issue and expiry), for a demo-mode server; seeded accounts have epoch 0."""
    return f"{COOKIE_NAME}={issue_token(new_claims(email, epoch), key)}"


def _rerun(page: str) -> bytes:
    msg = BackMsg()
    msg.rerun_script.query_string = ""
    msg.rerun_script.page_name = page
    msg.rerun_script.page_script_hash = ""
    return msg.SerializeToString()


async def _view(ws: websockets.ClientConnection, page: str) -> tuple[float, str | None]:
    """Ask for `page`; (milliseconds to "script finished", an error text or None)."""
    started = time.perf_counter()
    await ws.send(_rerun(page))
    error = None
    while True:
        raw = await asyncio.wait_for(ws.recv(), timeout=PAGE_TIMEOUT_S)
        msg = ForwardMsg()
        msg.ParseFromString(raw)
        kind = msg.WhichOneof("type")
        if kind == "delta" and msg.delta.new_element.WhichOneof("type") == "exception":
            error = error or msg.delta.new_element.exception.message[:120]
        if kind == "script_finished":
            status = ForwardMsg.ScriptFinishedStatus.Name(msg.script_finished)
            if status != "FINISHED_SUCCESSFULLY":
                error = error or status
            return (time.perf_counter() - started) * 1000, error


async def _viewer(
    port: int, pages: list[str], visits: int, seed: int, cookie: str
) -> tuple[list[float], list[str]]:
    rng = random.Random(seed)
    times: list[float] = []
    errors: list[str] = []
    url = f"ws://127.0.0.1:{port}/_stcore/stream"
    async with websockets.connect(
        url,
        subprotocols=[Subprotocol("streamlit")],
        additional_headers={"Cookie": cookie},
        max_size=None,
        open_timeout=30,
    ) as ws:
        await _view(ws, pages[0])  # the session's first run signs in; not timed
        for _ in range(visits):
            elapsed, error = await _view(ws, rng.choice(pages))
            times.append(elapsed)
            if error:
                errors.append(error)
    return times, errors


async def _all_viewers(
    ports: list[int], pages: list[str], sessions: int, visits: int, cookie: str
) -> tuple[list[float], list[str]]:
    """`sessions` viewers at once; viewer i stays on server i mod len(ports), as behind a
    load balancer with sticky sessions."""
    results = await asyncio.gather(
        *(
            _viewer(ports[seed % len(ports)], pages, visits, seed, cookie)
            for seed in range(sessions)
        ),
        return_exceptions=True,
    )
    times, errors = [], []
    for result in results:
        if isinstance(result, BaseException):
            errors.append(f"session failed: {result!r}"[:160])
        else:
            times.extend(result[0])
            errors.extend(result[1])
    return times, errors


def _percentile(ordered: list[float], share: float) -> float:
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else float("nan")


def _round(
    ports: list[int], pages: list[str], sessions: int, visits: int, cookie: str
) -> tuple[list[float], list[str], float]:
    started = time.perf_counter()
    # a thread of its own: the caller may already run an event loop (Playwright's sync API)
    with ThreadPoolExecutor(max_workers=1) as worker:
        viewers = _all_viewers(ports, pages, sessions, visits, cookie)
        times, errors = worker.submit(asyncio.run, viewers).result()
    return times, errors, time.perf_counter() - started


def _summary(
    phase: str, sessions: int, processes: int, result: tuple[list[float], list[str], float]
) -> ServerLoad:
    times, errors, wall = result
    ordered = sorted(times)
    return ServerLoad(
        sessions=sessions,
        page_views=len(times),
        p50_ms=statistics.median(ordered) if ordered else float("nan"),
        p95_ms=_percentile(ordered, 0.95),
        max_ms=ordered[-1] if ordered else float("nan"),
        errors=len(errors),
        wall_s=wall,
        rss_mb=float("nan"),
        processes=processes,
        phase=phase,
        error_samples=errors[:5],
    )


def run_server_load(
    pages: list[str],
    sessions: int = 20,
    visits: int = 5,
    processes: int = 1,
    email: str = "admin@demo.local",
    env: dict[str, str] | None = None,
) -> list[ServerLoad]:
    """Start `processes` app servers with empty caches and let `sessions` viewers visit
    `visits` random pages each, all at once ("caches empty"); visit every page on every
    server; then the same load again ("caches filled"). Each result carries the largest
    server's RSS, read at the end."""
    cookie = session_cookie(email, os.environ.get("COOKIE_KEY") or DEMO_COOKIE_KEY)
    with ExitStack() as stack:
        servers = [
            stack.enter_context(streamlit_server({"DEMO_MODE": "true", **(env or {})}))
            for _ in range(processes)
        ]
        ports = [port for port, _ in servers]
        cold = _round(ports, pages, sessions, visits, cookie)
        for port in ports:
            _round([port], pages, 1, len(pages), cookie)
        warm = _round(ports, pages, sessions, visits, cookie)
        rss_mb = max(psutil.Process(pid).memory_info().rss for _, pid in servers) / 2**20
    results = [
        _summary("caches empty", sessions, processes, cold),
        _summary("caches filled", sessions, processes, warm),
    ]
    for result in results:
        result.rss_mb = rss_mb
    return results
