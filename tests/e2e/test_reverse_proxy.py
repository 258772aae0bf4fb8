"""docs/deploy/nginx.conf: the headers and blocks a deployment needs, checked in the file and,
where nginx is installed, on nginx itself in front of `streamlit run` (loopback ports,
self-signed certificate), with Chromium using the app through it."""

from __future__ import annotations

import os
import re
import shutil
import socket
import ssl
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from tests.conftest import ROOT

from .conftest import TIMEOUT_MS
from .helpers import screenshot, settle, sign_in

CONF = ROOT / "docs" / "deploy" / "nginx.conf"
NGINX = shutil.which("nginx") or next(
    (p for p in ("/usr/sbin/nginx", "/usr/local/sbin/nginx") if Path(p).exists()), None
)
REQUIRED = {
    "X-Frame-Options": "SAMEORIGIN",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Strict-Transport-Security": "max-age=31536000; includeSubDomains",
}
REFUSAL = re.compile(r"Content Security Policy|Refused to|X-Frame-Options", re.I)
METRICS_SPELLINGS = ["/_stcore/metrics", "//_stcore/metrics", "/_stcore/%6detrics",
                     "/_stcore/./metrics", "/_stcore/metrics/"]  # fmt: skip


def _headers_in_file() -> dict[str, str]:
    return dict(re.findall(r'^\s*add_header\s+(\S+)\s+"([^"]*)"\s+always;', CONF.read_text(), re.M))


def test_the_example_configuration_sets_the_headers_and_blocks_metrics() -> None:
    text = CONF.read_text()
    headers = _headers_in_file()
    assert {k: headers.get(k) for k in REQUIRED} == REQUIRED
    csp = dict(d.strip().split(" ", 1) for d in headers["Content-Security-Policy"].split(";"))
    assert csp["frame-ancestors"] == "'self'" and csp["object-src"] == "'none'"
    assert "'unsafe-inline'" not in csp["script-src"] and "'unsafe-eval'" not in csp["script-src"]
    assert re.search(r"location \^~ /_stcore/metrics \{\s*return 403;\s*\}", text)
    assert re.search(
        r'location \^~ /media/ \{\s*if \(\$cookie_regime_dashboard_session = ""\)', text
    )
    # a location with add_header lines of its own would silently drop the server's headers
    assert len(re.findall(r"^\s*add_header", text, re.M)) == len(headers)
    assert "proxy_set_header Upgrade $http_upgrade;" in text


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _site(tmp: Path, upstream: int, https: int, http: int) -> str:
    """The documented file with only its ports and certificate paths replaced."""
    text = CONF.read_text()
    for old, new in (
        ("server 127.0.0.1:8501;", f"server 127.0.0.1:{upstream};"),
        ("listen 443 ssl;", f"listen 127.0.0.1:{https} ssl;"),
        ("listen 80;", f"listen 127.0.0.1:{http};"),
        ("/etc/ssl/certs/regime-dashboard.pem", str(tmp / "cert.pem")),
        ("/etc/ssl/private/regime-dashboard.key", str(tmp / "key.pem")),
    ):
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    return text


def _main_conf(tmp: Path) -> str:
    user = "user root root;\n" if os.getuid() == 0 else ""
    temps = "".join(f"{k}_temp_path {tmp / k};\n" for k in
                    ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))  # fmt: skip
    return (f"{user}worker_processes 1;\npid {tmp / 'nginx.pid'};\n"
            f"error_log {tmp / 'error.log'};\nevents {{}}\nhttp {{\naccess_log off;\n{temps}"
            f"include {tmp / 'site.conf'};\n}}\n")  # fmt: skip


def _wait_listening(port: int, process: subprocess.Popen) -> None:
    for _ in range(200):
        if process.poll() is not None:
            raise RuntimeError(f"nginx exited with {process.returncode}")
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise RuntimeError("nginx did not start listening")


@pytest.fixture(scope="module")
def proxy(server: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """nginx with docs/deploy/nginx.conf in front of the test server; its https base URL."""
    if NGINX is None:
        pytest.skip("nginx is not installed (apt-get install -y nginx-light)")
    tmp = tmp_path_factory.mktemp("nginx")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=127.0.0.1", "-keyout", str(tmp / "key.pem"),
                    "-out", str(tmp / "cert.pem")], check=True, capture_output=True)  # fmt: skip
    https, http = _free_port(), _free_port()
    (tmp / "site.conf").write_text(_site(tmp, urlsplit(server).port or 0, https, http))
    (tmp / "nginx.conf").write_text(_main_conf(tmp))
    command = [NGINX, "-p", str(tmp), "-c", str(tmp / "nginx.conf"), "-g", "daemon off;"]
    check = subprocess.run([*command[:-2], "-t"], capture_output=True, text=True)
    assert check.returncode == 0, check.stderr
    process = subprocess.Popen(command, stderr=subprocess.DEVNULL)
    try:
        _wait_listening(https, process)
        yield f"https://127.0.0.1:{https}"
    finally:
        process.terminate()
        process.wait(timeout=20)


def _get(url: str, cookie: str = "") -> tuple[int, Any]:
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    try:
        with urllib.request.urlopen(request, context=context, timeout=30) as response:
            return response.status, response.headers
    except urllib.error.HTTPError as error:
        return error.code, error.headers


@pytest.mark.e2e
@pytest.mark.db
def test_nginx_in_front_of_streamlit_sends_the_headers_and_blocks_metrics(
    server: str, proxy: str
) -> None:
    assert _get(f"{server}/_stcore/metrics")[0] == 200  # Streamlit itself answers anyone
    for path in ("/", "/_stcore/health", *METRICS_SPELLINGS, "/media/x.csv"):
        status, headers = _get(proxy + path)
        expected = 200 if path in ("/", "/_stcore/health") else 403
        assert status == expected, path
        assert {k: headers.get(k) for k in REQUIRED} == REQUIRED, path
        assert "frame-ancestors 'self'" in headers.get("Content-Security-Policy", ""), path
    # with the session cookie a media URL reaches Streamlit (which knows no such file)
    assert _get(f"{proxy}/media/x.csv", cookie="regime_dashboard_session=x")[0] == 404


@pytest.mark.e2e
@pytest.mark.db
def test_the_app_works_through_nginx_without_policy_violations(browser: Any, proxy: str) -> None:
    """Sign-in (its cookie component is a same-origin iframe) and a chart page through the
    proxy, and the browser refuses nothing: no Content-Security-Policy or X-Frame-Options
    violation (a Streamlit upgrade that needs more fails here)."""
    context = browser.new_context(
        viewport={"width": 1400, "height": 1000}, ignore_https_errors=True
    )
    violations: list[str] = []
    page = context.new_page()
    page.on(
        "console",
        lambda m: violations.append(m.text) if REFUSAL.search(m.text) else None,
    )
    page.set_default_timeout(TIMEOUT_MS)
    try:
        sign_in(page, proxy, "analyst", "regimes")
        assert violations == []
        expect(page.locator(".js-plotly-plot:visible").first).to_be_visible(timeout=TIMEOUT_MS)
        settle(page)
        screenshot(page, "analyst-regimes-through-nginx")
    finally:
        context.close()
    assert violations == []
