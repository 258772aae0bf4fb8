"""Alerts on engine outputs (docs/user-settings.md): rules live in each user's
`user_asset_settings` document; `evaluate` turns new outputs into notifications (each firing
once) and POSTs them to the user's webhook. Streamlit-free: run by
`regime-dashboard alerts run` (cron) and by the demo seed."""

from .evaluate import Summary, evaluate
from .rules import Firing, firings

__all__ = ["Firing", "Summary", "evaluate", "firings"]
