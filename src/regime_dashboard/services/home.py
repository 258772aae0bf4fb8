"""Small facts for the home page."""

from __future__ import annotations

from ..cache import database_description

__all__ = ["database_line"]


def database_line() -> str:
    """Which database the dashboard reads (password hidden)."""
    return database_description()
