"""The regime engine's daily output fields, named once for the schema, the queries, the
import and the metrics (no database or Streamlit here)."""

from __future__ import annotations

__all__ = ["ENGINE_OUTPUT_FIELDS", "FIELD_LABELS", "OPTIONAL_OUTPUT_FIELDS", "field_label"]

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

FIELD_LABELS = {  # how each field is named on pages and charts
    "regime": "Regime",
    "confidence": "Confidence",
    "conviction": "Conviction",
    "escalation_v2": "Escalation (v2)",
    "risk_level": "Risk level",
    "realized_vol": "Realized volatility",
    "vrs": "VRS · vol ratio",
    "iix": "IIX · trend index",
    "dsr": "DSR · drawdown",
    "ss": "SS · trend strength",
    "mb": "MB · breadth",
    "lq": "LQ · liquidity",
}


def field_label(field: object) -> str:
    """An engine output field by its label (`realized_vol` -> "Realized volatility"); a
    field the engine does not name keeps its name."""
    return FIELD_LABELS.get(str(field), str(field))
