"""The session token of the sign-in cookie: every forged or malformed token is refused
(None, never an exception), a good one is read back, and it lives 12 hours, sliding."""

from __future__ import annotations

import base64
import json

import jwt
import pytest

from regime_dashboard.auth.tokens import (
    SESSION_SECONDS,
    SessionClaims,
    issue_token,
    new_claims,
    read_token,
)

KEY = "a-test-key-for-session-tokens-of-well-over-sixty-four-characters-0123456789"
NOW = 1_800_000_000.0


def _b64(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def _claims(**extra: object) -> dict:
    base = {"sub": "analyst@example.com", "epoch": 3, "iat": int(NOW), "exp": int(NOW) + 3600}
    return {**base, **extra}


def test_a_token_it_issued_is_read_back() -> None:
    claims = new_claims("analyst@example.com", 3, now=NOW)
    assert claims == SessionClaims("analyst@example.com", 3, int(NOW), int(NOW) + 12 * 3600)
    assert read_token(issue_token(claims, KEY), KEY, now=NOW + 60) == claims


def test_it_lives_twelve_hours_and_slides_after_an_hour() -> None:
    claims = new_claims("a@example.com", 0, now=NOW)
    token = issue_token(claims, KEY)
    assert read_token(token, KEY, now=NOW + 12 * 3600 - 1) == claims
    assert read_token(token, KEY, now=NOW + 12 * 3600) is None
    assert not claims.needs_refresh(now=NOW + 3599) and claims.needs_refresh(now=NOW + 3600)


FORGED = {
    "alg none": _b64({"alg": "none", "typ": "JWT"}) + "." + _b64(_claims()) + ".",
    "HS512": jwt.encode(_claims(), KEY, algorithm="HS512"),
    "HS384": jwt.encode(_claims(), KEY, algorithm="HS384"),
    "other key": jwt.encode(_claims(), "another-key-" * 8, algorithm="HS256"),
    "missing exp": jwt.encode({k: v for k, v in _claims().items() if k != "exp"}, KEY),
    "non-numeric exp": jwt.encode(_claims(exp="tomorrow"), KEY),
    "float exp": jwt.encode(_claims(exp=NOW + 3600.5), KEY),
    "missing epoch": jwt.encode({k: v for k, v in _claims().items() if k != "epoch"}, KEY),
    "string epoch": jwt.encode(_claims(epoch="3"), KEY),
    "bool epoch": jwt.encode(_claims(epoch=True), KEY),
    "negative epoch": jwt.encode(_claims(epoch=-1), KEY),
    "missing subject": jwt.encode({k: v for k, v in _claims().items() if k != "sub"}, KEY),
    "list subject": jwt.encode(_claims(sub=["a@example.com"]), KEY),
    "expired": jwt.encode(_claims(iat=int(NOW) - 7200, exp=int(NOW) - 1), KEY),
    "longer than 12 h": jwt.encode(_claims(exp=int(NOW) + SESSION_SECONDS + 1), KEY),
    "issued in the future": jwt.encode(_claims(iat=int(NOW) + 3600, exp=int(NOW) + 7200), KEY),
    # streamlit-authenticator 0.4.2's own cookie: username and exp_date only
    "old format": jwt.encode({"username": "analyst@example.com", "exp_date": NOW + 3600}, KEY),
    "not a jwt": "definitely-not-a-token",
    "two parts": "abc.def",
    "bad base64": "!!!.###.$$$",
    "json array payload": _b64({"alg": "HS256"}) + "." + _b64([1, 2]) + ".sig",  # type: ignore[arg-type]
    "empty": "",
    "huge": "a" * 10_000,
}


@pytest.mark.parametrize("name", sorted(FORGED))
def test_forged_and_malformed_tokens_are_refused_without_an_exception(name: str) -> None:
    assert read_token(FORGED[name], KEY, now=NOW) is None


@pytest.mark.parametrize("value", [None, 42, b"bytes", ["list"]])
def test_a_cookie_that_is_not_text_is_refused(value: object) -> None:
    assert read_token(value, KEY, now=NOW) is None


def test_the_real_clock_is_the_default() -> None:
    token = issue_token(new_claims("a@example.com", 1), KEY)
    claims = read_token(token, KEY)
    assert claims is not None and claims.email == "a@example.com"
