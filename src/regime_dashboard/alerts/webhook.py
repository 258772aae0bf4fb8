"""One JSON POST per alert to the user's webhook (Slack-compatible: the message is in
`text`), with a timeout and three attempts; the outcome is recorded on the notification.
Errors are described without the address (a webhook URL is often a secret)."""

from __future__ import annotations

import json
import socket
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any

__all__ = ["ATTEMPTS", "Delivery", "post_json"]

ATTEMPTS = 3
TIMEOUT_S = 5.0
BACKOFF_S = 0.5


@dataclass(frozen=True)
class Delivery:
    delivered: bool
    attempts: int
    error: str | None


def _describe(exc: BaseException) -> str:
    if isinstance(exc, urllib.error.HTTPError):
        return f"HTTP {exc.code}"
    if isinstance(exc, TimeoutError | socket.timeout):
        return "timed out"
    if isinstance(exc, urllib.error.URLError):
        return f"not reachable ({type(exc.reason).__name__})"
    return type(exc).__name__


def _post_once(url: str, data: bytes, timeout: float) -> None:
    request = urllib.request.Request(
        url, data=data, method="POST", headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=timeout) as answer:
        if not 200 <= answer.status < 300:
            raise urllib.error.HTTPError(url, answer.status, "not 2xx", answer.headers, None)


def post_json(
    url: str,
    body: dict[str, Any],
    *,
    timeout: float = TIMEOUT_S,
    attempts: int = ATTEMPTS,
    backoff: float = BACKOFF_S,
) -> Delivery:
    """POST `body` as JSON to `url` (http or https only) until an answer in 2xx, at most
    `attempts` times, waiting `backoff` x the attempt number between them."""
    if not url.lower().startswith(("http://", "https://")):
        return Delivery(False, 0, "not an http(s) address")
    data = json.dumps(body, sort_keys=True, default=str).encode()
    error = None
    for attempt in range(1, attempts + 1):
        try:
            _post_once(url, data, timeout)
            return Delivery(True, attempt, None)
        except (OSError, ValueError) as exc:
            error = _describe(exc)
        if attempt < attempts:
            time.sleep(backoff * attempt)
    return Delivery(False, attempts, error)
