"""Streamlit pieces the admin pages share: error messages under their fields, the conflict
panel (both versions side by side), a message that survives the rerun after a save, money
formatting and CSV exports."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd
import streamlit as st

from ..ui import csv_download
from .diff import diff_frame
from .errors import ConflictError, InvalidInputError, NotFoundError, RevertRefusedError

__all__ = [
    "LIVE",
    "FieldSlots",
    "csv_button",
    "flash",
    "money",
    "pinned",
    "saved",
    "show_conflict",
    "show_flash",
    "show_refusal",
    "stale_notice",
]

# Text inputs commit while the admin types (after a 250 ms pause), not only when the field
# loses focus: a Save button that is disabled until the form is valid is then enabled by the
# time it is clicked, instead of swallowing the click that takes the focus from the field.
LIVE = True
SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "CHF": "CHF ", "CAD": "CA$", "AUD": "A$"}
_FLASH = "_admin_flash"
_PINS = "_admin_pins"


def money(cents: float | int | None, currency: str) -> str:
    """`$1,234.50`; a minus sign before the symbol; `—` for none."""
    if cents is None or pd.isna(cents):
        return "—"
    sign = "-" if cents < 0 else ""
    return f"{sign}{SYMBOLS.get(currency, currency + ' ')}{abs(cents) / 100:,.2f}"


class FieldSlots:
    """A placeholder under each form field; `show` fills them with the broken rules, so a
    message appears next to its field (unknown fields go to the form's own slot)."""

    def __init__(self) -> None:
        self._slots: dict[str, Any] = {}

    def add(self, field: str) -> None:
        self._slots[field] = st.empty()

    def show(self, errors: Mapping[str, str]) -> None:
        for field, message in errors.items():
            slot = self._slots.get(field) or self._slots.get("form")
            (slot.error if slot is not None else st.error)(message, icon="⚠️")

    def run(self, action: Any, *args: Any, **kwargs: Any) -> Any:
        """Call a service; show its broken rules or conflict instead of raising."""
        try:
            return action(*args, **kwargs)
        except InvalidInputError as exc:
            self.show(exc.errors)
        except ConflictError as exc:
            show_conflict(exc)
        except NotFoundError as exc:  # the row is gone: say so, never edit another one
            self.show({"form": str(exc)})
        return None


def show_conflict(exc: ConflictError) -> None:
    """Nothing was saved: show what the editor tried and what is saved now, side by side."""
    st.error(
        "Someone saved this row after you opened it, so nothing was saved. Compare both "
        "versions, then reload the page to edit the current one.",
        icon="🔀",
    )
    mine, theirs = st.columns(2)
    mine.markdown(f"**Your edit** (started from version {exc.expected_version or 'new'})")
    mine.json(exc.mine)
    now = "deleted" if exc.current is None else f"version {exc.current_version}"
    theirs.markdown(f"**Saved now** ({now})")
    theirs.json(exc.current or {})
    differences = diff_frame(exc.current, exc.mine).rename(
        columns={"field": "Field", "before": "Saved now", "after": "Yours"}
    )
    st.dataframe(differences, hide_index=True)


def show_refusal(exc: RevertRefusedError) -> None:
    st.error(str(exc), icon="↩️")
    if exc.current is not None or exc.expected is not None:
        left, right = st.columns(2)
        left.markdown("**Row as the change left it**")
        left.json(exc.expected or {})
        right.markdown("**Row now**")
        right.json(exc.current or {})


def pinned(name: str, fresh: Any) -> Any:
    """What the editor first loaded under `name`, kept across reruns until a save or a
    reload: an edit carries the version it started from, even after someone else saved."""
    pins = st.session_state.setdefault(_PINS, {})
    return pins.setdefault(name, fresh)


def stale_notice(name: str, started: Any, now: Any, what: str) -> None:
    """Say so when the row changed since the editor loaded it, with a reload button."""
    if started == now:
        return
    st.warning(
        f"Someone saved this {what} since you opened it. Saving now shows both versions and "
        "overwrites nothing; reload to edit the current one.",
        icon="🔄",
    )
    if st.button("Reload the current version", key=f"reload-{name}"):
        st.session_state.get(_PINS, {}).pop(name, None)
        st.rerun()


def saved(message: str) -> None:
    """After a save: forget what the editors loaded, say what was saved, run again."""
    st.session_state.pop(_PINS, None)
    flash(message)
    st.rerun()


def flash(message: str) -> None:
    """A success message shown once, on the next run (after st.rerun)."""
    st.session_state[_FLASH] = message


def show_flash() -> None:
    message = st.session_state.pop(_FLASH, None)
    if message:
        st.success(message, icon="✅")


def csv_button(frame: pd.DataFrame, name: str) -> None:
    """Download `frame` as `name`.csv (written only when pressed)."""
    csv_download(frame, name, label=f"Download {name} (CSV)")
