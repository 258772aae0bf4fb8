"""The regime engine's daily output fields, named once for the schema, the queries, the
import and the metrics (no database or Streamlit here)."""

from __future__ import annotations

__all__ = ["ENGINE_OUTPUT_FIELDS", "OPTIONAL_OUTPUT_FIELDS"]

# the twelve daily output fields of the engine, in seed 000's order; the last nine are optional
ENGINE_OUTPUT_FIELDS = (
    "regime",
    "confidence",
    "conviction",
    "escalation_v2",
    "risk_level",
    "realized_vol",
    "vrs",
    "iix",
    "dsr",
    "ss",
    "mb",
    "lq",
)
OPTIONAL_OUTPUT_FIELDS = ENGINE_OUTPUT_FIELDS[3:]
