"""The sign-in gate of app.py: the session cookie, our own sign-in form (failures counted
and pairs locked in the database), the session check of every run, and sign-out.

The cookie is verified here (`tokens.read_token`), not by streamlit-authenticator: its
0.4.2 cookie holds only the username and an expiry, cannot be ended before it expires, and
raises on a token signed with another algorithm or without a numeric expiry. Only
extra_streamlit_components' cookie component (which it uses) writes and deletes the
cookie in the browser, drawn only in the runs that do (`cookie_component`): a page opened
by its URL runs once. Never st.rerun() right after signing in or out: the component
would be gone before it wrote or deleted the cookie; its own reply reruns the app.
"""

from __future__ import annotations

import datetime as dt

import streamlit as st

from ..cache import get_engine
from ..config import DEMO_COOKIE_KEY, CookieKeyError, Settings
from ..db.engine import read_only
from ..demo.tenants import DEMO_ACCOUNTS
from ..queries import auth as q
from ..session import VIEWER_KEY
from ..ui.text import plain
from ..viewer import Viewer
from .cookie_component import browser_cookie_names, delete_cookie, set_cookie
from .signin import UNKNOWN_SOURCE, attempt_sign_in, viewer_from_account
from .tokens import SESSION_SECONDS, SessionClaims, issue_token, new_claims, read_token

__all__ = [
    "CLAIMS_KEY",
    "COOKIE_NAME",
    "DEMO_COOKIE_KEY",
    "CookieKeyError",
    "DemoModeError",
    "check_session",
    "cookie_key",
    "signed_in_viewer",
]

COOKIE_NAME = "regime_dashboard_session"
CLAIMS_KEY = "_session_claims"
_SPENT_COOKIE_KEY = "_session_cookie_spent"
# Set by Sign out until the browser stops reporting the cookie: a rerun that starts before
# the delete component ran (a page still loading when Sign out was clicked) draws it again.
_DELETE_PENDING_KEY = "_session_cookie_delete_pending"
_AUTH_KEYS = ("name", "username", "authentication_status", "email")


class DemoModeError(CookieKeyError):
    """DEMO_MODE (public demo accounts, public cookie key) answers loopback clients only."""


def cookie_key(settings: Settings) -> str:
    """The key this app signs cookies with (see `Settings.app_cookie_key`)."""
    return settings.app_cookie_key()


def client_address() -> str | None:
    """The client's address as Streamlit gives it: the TCP peer, None for 127.0.0.1/::1
    (and for anything that is not an address text)."""
    address = st.context.ip_address
    return address if isinstance(address, str) and address else None


def browser_cookie() -> str | None:
    """The session cookie the browser sent when this session's connection opened."""
    return st.context.cookies.get(COOKIE_NAME)


def client_source() -> str:
    """The source of a sign-in attempt: the client's address, else "unknown"."""
    return client_address() or UNKNOWN_SOURCE


def _require_loopback_in_demo(settings: Settings) -> None:
    if settings.demo_mode and client_address() is not None:
        raise DemoModeError(
            "This server runs in demo mode, which answers only this computer (127.0.0.1). "
            "Serve it with `regime-dashboard run` and a COOKIE_KEY instead."
        )


def check_session(claims: SessionClaims | None, settings: Settings) -> Viewer | None:
    """The viewer a session's claims stand for, read fresh from the primary: None when
    there are no claims, they expired, the account's session epoch moved on (sign-out,
    new password, new roles, lock), or the account may not sign in any more."""
    if claims is None or claims.expired():
        return None
    with read_only(get_engine()) as conn:
        account = q.session_account(conn, email=claims.email)
    if account is None or account["session_epoch"] != claims.epoch:
        return None
    return viewer_from_account(account, settings)


def _session_claims(key: str) -> tuple[SessionClaims | None, bool]:
    """This session's claims, else those of the browser's cookie, which is read once per
    session. Also whether a cookie was read (and so may need deleting) in this run."""
    claims = st.session_state.get(CLAIMS_KEY)
    if isinstance(claims, SessionClaims):
        return claims, False
    token = browser_cookie()
    if not token or st.session_state.get(_SPENT_COOKIE_KEY) == token:
        return None, False
    st.session_state[_SPENT_COOKIE_KEY] = token  # read once: a rejected one is not retried
    return read_token(token, key), True


def _remember(claims: SessionClaims, viewer: Viewer) -> None:
    st.session_state.pop(_DELETE_PENDING_KEY, None)
    st.session_state[CLAIMS_KEY] = claims
    st.session_state[VIEWER_KEY] = viewer
    st.session_state.update(
        {
            "authentication_status": True,
            "username": viewer.email,
            "name": viewer.display_name,
            "email": viewer.email,
        }
    )


def _write_cookie(key: str, claims: SessionClaims) -> None:
    """Rendered in one run only: the component's reply reruns the app."""
    set_cookie(
        COOKIE_NAME,
        issue_token(claims, key),
        key=f"set_session_{claims.issued_at}",
        expires_at=dt.datetime.fromtimestamp(claims.expires_at, dt.UTC),
        max_age=SESSION_SECONDS,
        same_site="strict",
    )


def _forget(delete: bool) -> None:
    """Sign this session out; with `delete`, delete the browser's cookie too."""
    st.session_state.pop(CLAIMS_KEY, None)
    st.session_state.pop(VIEWER_KEY, None)
    for name in _AUTH_KEYS:
        st.session_state[name] = None
    if delete:
        delete_cookie(COOKIE_NAME, key="delete_session")


def _delete_pending() -> bool:
    """Whether a sign-out's cookie delete has yet to reach the browser (which still reports
    the cookie); once it does not, the flag is dropped."""
    if not st.session_state.get(_DELETE_PENDING_KEY):
        return False
    held = browser_cookie_names(key="session_cookies")
    if held is None or COOKIE_NAME in held:  # not reported yet, or still there
        return True
    st.session_state.pop(_DELETE_PENDING_KEY, None)
    return False


def _sign_in_form(settings: Settings) -> tuple[Viewer, SessionClaims] | None:
    """A sign-in card of normal width, centred; in demo mode it names the demo accounts. The
    password field is marked for password managers (autocomplete="current-password")."""
    box = st.empty()
    with box.container(horizontal_alignment="center"), st.form("sign_in", width=SIGN_IN_WIDTH):
        st.subheader("Sign in to Regime Dashboard")
        email = st.text_input("Email", key="signin_email", autocomplete="username")
        password = st.text_input(
            "Password", type="password", key="signin_password", autocomplete="current-password"
        )
        submitted = st.form_submit_button("Sign in", type="primary", width="stretch")
        if settings.demo_mode:
            st.caption(demo_hint())
        message = st.empty()
    if not submitted:
        return None
    result = attempt_sign_in(get_engine(), settings, email, password, client_source())
    claims = new_claims(result.email, result.session_epoch) if result.ok else None
    viewer = check_session(claims, settings)
    if viewer is None or claims is None:
        message.error(result.message or "This account has no dashboard role.")
        return None
    box.empty()
    return viewer, claims


SIGN_IN_WIDTH = 420  # px: a card of normal width, not the page's


def demo_hint() -> str:
    """Demo mode's hint under the sign-in form: each public demo account and its password,
    one account a line (a Markdown list; the email names the role), so no password wraps
    mid-word on a phone."""
    accounts = "\n".join(f"- `{a.email}` / `{a.password}`" for a in DEMO_ACCOUNTS)
    return f"Demo mode: sign in as\n\n{accounts}"


def _sign_out_button(viewer: Viewer) -> None:
    with st.sidebar:
        name = plain(viewer.display_name)
        st.caption(f"Signed in as **{name}** ({', '.join(sorted(viewer.roles))})")
        clicked = st.button("Sign out", key="sign_out")
    if clicked:
        with get_engine().begin() as conn:
            q.bump_session_epoch(conn, email=viewer.email)  # every copy of the cookie dies
        st.session_state[_DELETE_PENDING_KEY] = True
        _forget(delete=True)
        st.info("You are signed out.")
        st.stop()  # let the cookie component's reply rerun the app (no st.rerun here)


def signed_in_viewer(settings: Settings) -> Viewer | None:
    """The viewer of this session, after showing the sign-in form if needed. Raises
    CookieKeyError when no usable cookie key is configured, or in demo mode for a client
    that is not on this computer."""
    key = cookie_key(settings)
    _require_loopback_in_demo(settings)
    with st.container():  # one slot of the page, whatever this run draws in it
        return _gate(settings, key)


def _gate(settings: Settings, key: str) -> Viewer | None:
    """Everything the gate draws in the main area: the sign-in form, and the cookie
    component that writes or deletes the cookie, in one run only (the sign-out button is in the
    sidebar). `signed_in_viewer` keeps them in one container so that the page below starts
    at the same place in every run. Were the page to move up when the sign-in run's extra
    elements go, the browser would draw each moved layout block (columns, containers) anew
    and then remove the old copy, and with it the URL binding of the widget id both share:
    the page's URL-bound filters would stop writing the address bar."""
    claims, from_cookie = _session_claims(key)
    viewer = check_session(claims, settings)
    if viewer is None or claims is None:
        was_signed_in = st.session_state.get(CLAIMS_KEY) is not None
        _forget(delete=from_cookie or was_signed_in or _delete_pending())
        signed_in = _sign_in_form(settings)
        if signed_in is None:
            return None
        viewer, claims = signed_in
        _write_cookie(key, claims)
    elif claims.needs_refresh():  # sliding: a new token for another SESSION_HOURS
        claims = new_claims(claims.email, claims.epoch)
        _write_cookie(key, claims)
    _remember(claims, viewer)
    _sign_out_button(viewer)
    return viewer


__all__ += ["SESSION_SECONDS", "browser_cookie", "client_address", "client_source"]
