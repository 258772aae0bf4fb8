"""A stand-in for the deterministic regime engine: all twelve output fields from bars alone.

Two versions: v2 has a slightly wider trend band and an earlier crisis trigger, so the two
releases disagree on a few days. Same bars in, same outputs out.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..db.models.market import ENGINE_OUTPUT_FIELDS

__all__ = ["ENGINE_VERSIONS", "WARMUP_BARS", "engine_outputs"]

WARMUP_BARS = 252
ENGINE_VERSIONS = {
    "v1": {"trend_band": 0.010, "crisis_vrs": 0.30},
    "v2": {"trend_band": 0.012, "crisis_vrs": 0.22},
}


def _components(bars: pd.DataFrame, periods: int) -> pd.DataFrame:
    close = bars["close"].astype(float)
    log_ret = np.log(close).diff()
    rv20 = log_ret.rolling(20).std() * np.sqrt(periods)
    rv100 = log_ret.rolling(100).std() * np.sqrt(periods)
    volume = bars["volume"].astype(float)
    out = pd.DataFrame({"date": bars["date"]})
    out["realized_vol"] = rv20
    out["vrs"] = rv20 / rv100 - 1
    out["iix"] = close / close.rolling(50).mean() - 1
    out["dsr"] = close / close.rolling(252, min_periods=1).max() - 1
    out["ss"] = (np.log(close) - np.log(close.shift(20))) / (rv20 * np.sqrt(20 / periods))
    out["mb"] = (log_ret > 0).astype(float).rolling(20).mean() * 2 - 1
    out["lq"] = volume / volume.rolling(20).mean() - 1
    stress = 0.4 * out["vrs"].clip(0, 1.5) / 1.5 + 0.4 * (-out["dsr"]).clip(0, 0.4) / 0.4
    out["risk_level"] = (stress + 0.2 * (1 - (out["mb"] + 1) / 2)).clip(0, 1)
    out["escalation_v2"] = out["risk_level"] - out["risk_level"].shift(5)
    return out


def _classify(c: pd.DataFrame, trend_band: float, crisis_vrs: float) -> pd.DataFrame:
    crisis = (c["dsr"] < -0.15) & (c["vrs"] > crisis_vrs)
    bull = (c["iix"] > trend_band) & (c["ss"] > 0)
    bear = (c["iix"] < -trend_band) & (c["ss"] < 0)
    regime = np.select([crisis, bull, bear], ["crisis", "bull", "bear"], default="neutral")
    strength = np.where(crisis, -c["dsr"] * 5, np.abs(c["ss"]) / 2)
    confidence = 0.5 + 0.5 * np.tanh(np.nan_to_num(strength))
    conviction = np.select([confidence >= 0.8, confidence >= 0.65], ["high", "medium"], "low")
    return c.assign(regime=regime, confidence=confidence, conviction=conviction)


def engine_outputs(bars: pd.DataFrame, version: str, periods: int) -> pd.DataFrame:
    """Outputs for every bar after the warm-up. Columns date, regime, confidence, conviction,
    escalation_v2, risk_level, realized_vol, vrs, iix, dsr, ss, mb, lq (NaN → NULL)."""
    params = ENGINE_VERSIONS[version]
    out = _classify(_components(bars, periods), **params).iloc[WARMUP_BARS:]
    columns = ["date", *ENGINE_OUTPUT_FIELDS]
    return out[columns].replace([np.inf, -np.inf], np.nan).reset_index(drop=True)
