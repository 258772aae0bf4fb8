"""The sign-in gate of app.py: cookie re-login through streamlit-authenticator, our own
form for passwords (so that failures are counted and accounts locked in the database),
and sign-out. STACK.md gotcha 2: never st.rerun() right after signing in or out."""

from __future__ import annotations

import streamlit as st
import streamlit_authenticator as stauth
from streamlit_authenticator.utilities import LoginError

from ..cache import get_engine, run_query
from ..config import Settings
from ..queries import auth as q
from ..scope import TenantScope
from ..session import VIEWER_KEY
from ..viewer import Viewer
from .signin import attempt_sign_in, viewer_from_account

__all__ = ["COOKIE_NAME", "DEMO_COOKIE_KEY", "CookieKeyError", "cookie_key", "signed_in_viewer"]

COOKIE_NAME = "regime_dashboard_session"
DEMO_COOKIE_KEY = "regime-dashboard-demo-cookie-key-not-a-secret"
COOKIE_DAYS = 7.0
_AUTH_KEYS = ("name", "username", "authentication_status", "email", "roles")


class CookieKeyError(RuntimeError):
    """Outside demo mode the cookie key must be set, long, and not the demo one."""


def cookie_key(settings: Settings) -> str:
    key = settings.cookie_key.get_secret_value() if settings.cookie_key else ""
    if settings.demo_mode:
        return key or DEMO_COOKIE_KEY
    if not key or key == DEMO_COOKIE_KEY or len(key) < 32:
        raise CookieKeyError(
            "COOKIE_KEY is missing, too short (< 32 characters) or the demo key. Set a random "
            "key in the environment or .streamlit/secrets.toml, e.g. "
            "`python3 -c 'import secrets; print(secrets.token_urlsafe(48))'`."
        )
    return key


def _authenticator(settings: Settings) -> stauth.Authenticate:
    """Built per run (it mutates its credentials); no passwords: the cookie path only."""
    accounts = run_query(q.dashboard_accounts, scope=TenantScope.everything())
    credentials = {
        "usernames": {
            a.email: {
                "email": a.email,
                "name": a.display_name or a.email,
                "password": "!",
                "roles": list(a.dashboard_roles),
            }
            for a in accounts.itertuples()
        }
    }
    return stauth.Authenticate(
        credentials,
        COOKIE_NAME,
        cookie_key(settings),
        COOKIE_DAYS,
        auto_hash=False,
        login_sleep_time=0,
    )


def _viewer_for(email: str) -> Viewer | None:
    return viewer_from_account(
        run_query(q.viewer_account, scope=TenantScope.everything(), email=email)
    )


def _forget(authenticator: stauth.Authenticate) -> None:
    authenticator.cookie_controller.delete_cookie()
    for key in _AUTH_KEYS:
        st.session_state[key] = None
    st.session_state.pop(VIEWER_KEY, None)


def _sign_in_form(authenticator: stauth.Authenticate, settings: Settings) -> Viewer | None:
    box = st.empty()
    with box.form("sign_in"):
        st.subheader("Sign in to Regime Dashboard")
        email = st.text_input("Email", key="signin_email", autocomplete="username")
        password = st.text_input("Password", type="password", key="signin_password")
        submitted = st.form_submit_button("Sign in")
    if not submitted:
        return None
    result = attempt_sign_in(get_engine(), settings, email, password)
    if not result.ok:
        st.error(result.message)
        return None
    viewer = _viewer_for(result.email)
    if viewer is None:
        st.error("This account has no dashboard role.")
        return None
    box.empty()
    st.session_state.update(
        {
            "authentication_status": True,
            "username": result.email,
            "logout": False,
            "name": result.display_name,
            "email": result.email,
        }
    )
    authenticator.cookie_controller.set_cookie()
    return viewer


def _sign_out_button(authenticator: stauth.Authenticate, viewer: Viewer) -> None:
    with st.sidebar:
        st.caption(f"Signed in as **{viewer.display_name}** ({', '.join(sorted(viewer.roles))})")
        authenticator.logout("Sign out", location="sidebar", key="sign_out")
    if not st.session_state.get("authentication_status"):
        st.session_state.pop(VIEWER_KEY, None)
        st.info("You are signed out.")
        st.stop()  # let the cookie component's reply rerun the app (no st.rerun here)


def signed_in_viewer(settings: Settings) -> Viewer | None:
    """The viewer of this session, after showing the sign-in form if needed."""
    authenticator = _authenticator(settings)
    try:
        authenticator.login(location="unrendered")
    except LoginError:
        _forget(authenticator)
    viewer = None
    if st.session_state.get("authentication_status"):
        viewer = _viewer_for(st.session_state["username"])
        if viewer is None:
            _forget(authenticator)
    if viewer is None:
        st.session_state.pop(VIEWER_KEY, None)
        viewer = _sign_in_form(authenticator, settings)
    if viewer is not None:
        st.session_state[VIEWER_KEY] = viewer
        _sign_out_button(authenticator, viewer)
    return viewer
