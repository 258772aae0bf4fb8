"""What the browser does with a widget bound to the URL (`bind="query-params"`), for AppTest.

In a browser, Streamlit's frontend writes a bound widget's value into the address bar when
the viewer changes it (its label for a choice, `true`/`false` for a toggle, one repeated
parameter per item of a list or date range) and removes it when the value is the widget's
default; the rerun then carries that address. AppTest has no frontend, so `change` does
the same: it sets the widget, writes the URL the browser would, and runs the page."""

from __future__ import annotations

import datetime as dt
from typing import Any

from streamlit.testing.v1 import AppTest

__all__ = ["bound_key", "change", "url_value"]


def bound_key(widget: Any) -> str:
    """The URL parameter the page bound `widget` to ('' when it is not bound)."""
    return str(getattr(widget.proto, "query_param_key", "") or "")


def _default(widget: Any) -> str | list[str] | None:
    proto, kind = widget.proto, type(widget).__name__
    if kind == "Selectbox":
        return proto.options[proto.default] if proto.HasField("default") else None
    if kind == "Multiselect":
        return [proto.options[i] for i in proto.default]
    if kind == "ButtonGroup":
        return [proto.options[i].content for i in proto.default]
    if kind == "DateInput":
        return [_iso(d) for d in proto.default]
    if kind in ("Toggle", "Checkbox"):
        return str(bool(proto.default)).lower()
    raise TypeError(f"no URL rule for {kind}")


def _iso(text: str) -> str:
    return dt.date.fromisoformat(text.replace("/", "-")).isoformat()


def url_value(widget: Any) -> str | list[str] | None:
    """What the browser writes for `widget`'s current value (None: nothing, the default)."""
    state = widget._widget_state
    which = state.WhichOneof("value")
    if which == "string_value":
        value: str | list[str] = state.string_value
    elif which == "string_array_value":
        value = [v for v in state.string_array_value.data if v != ""]
        if type(widget).__name__ == "DateInput":
            value = [_iso(v) for v in value]
    elif which == "bool_value":
        value = str(state.bool_value).lower()
    else:
        raise TypeError(f"no URL rule for {which}")
    default = _default(widget)
    if value == default or value == []:
        return None
    return value


def change(at: AppTest, widget: Any, value: Any = None, *, index: int | None = None) -> AppTest:
    """Set `widget` to `value` (a selectbox: to its option number `index`) as a viewer
    would in the browser, write the URL the browser would, and run the page."""
    key = bound_key(widget)
    if index is not None:
        widget.select_index(index)
    else:
        widget.set_value(value)
    if not key:  # the browser writes nothing: only what the page itself puts in the URL
        return at.run()
    written = url_value(widget)
    if written is None:
        at.query_params.pop(key, None)
    else:
        at.query_params[key] = written
    return at.run()
