"""The browser side of the session cookie: extra_streamlit_components' cookie component,
drawn only in the runs that write or delete the cookie, or check a pending delete.

`stx.CookieManager()` draws its "getAll" call in every run it is created in. A new
document (any page opened by its URL, every reload) mounts that component, it reports the
browser's cookies, and the reply reruns the app: every page opened by URL ran twice. The
gate reads the cookie from `st.context.cookies` instead, so it draws the component's
"set" and "delete" calls on their own, and "getAll" only while a sign-out's delete has yet
to reach the browser. Each call's reply reruns the app (never `st.rerun()` after one: the
component would be gone before it ran in the browser)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import streamlit as st

# The component the library's CookieManager draws; imported as it is, because the class
# always draws a "getAll" call when it is created (see above).
from extra_streamlit_components.CookieManager import _component_func as _cookie_component

__all__ = ["browser_cookie_names", "delete_cookie", "set_cookie"]

_HIDE_EMPTY_FRAME = "<style>.element-container:has(iframe[height='0']){display:none}</style>"


def _hide_frame() -> None:
    """The component's frame has no height but its element keeps a row's gap: hide it."""
    st.markdown(_HIDE_EMPTY_FRAME, unsafe_allow_html=True)


def set_cookie(
    name: str, value: str, *, key: str, expires_at: dt.datetime, max_age: int, same_site: str
) -> None:
    """Write cookie `name` in the browser (path /)."""
    _hide_frame()
    options: dict[str, Any] = {
        "path": "/",
        "expires": expires_at.isoformat(),
        "maxAge": max_age,
        "sameSite": same_site,
    }
    _cookie_component(
        method="set", cookie=name, value=value, options=options, key=key, default=False
    )


def delete_cookie(name: str, *, key: str) -> None:
    """Delete cookie `name` in the browser."""
    _hide_frame()
    _cookie_component(method="delete", cookie=name, key=key, default=False)


def browser_cookie_names(key: str) -> set[str] | None:
    """The names of the cookies the browser holds now; None until the component has
    reported them (its reply reruns the app)."""
    _hide_frame()
    reported = _cookie_component(method="getAll", key=key, default=None)
    return None if reported is None else set(reported)
