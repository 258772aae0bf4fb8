"""Small facts for the home page."""

from __future__ import annotations

from ..cache import database_description
from ..config import get_settings
from ..db.resolve import database_source
from ..viewer import Viewer

__all__ = ["database_line"]


def database_line(viewer: Viewer) -> str:
    """Which database the dashboard reads. Admins get its address (credentials hidden) and
    where it was named; other roles only where it was named (no address, no path)."""
    if viewer.can("admin"):
        return database_description()
    return f"Database source: {database_source(get_settings(), paths=False)}."
