"""What a bar or output CSV, and an import's options, must satisfy (reader.py applies it).

Dates are YYYY-MM-DD from 1900-01-01 to tomorrow; bars have positive prices with open and
close inside [low, high], and no weekend dates on a calendar without weekend sessions;
outputs have a regime the release declares, a conviction of low/medium/high and a
confidence in [0, 1]. Pure: no database."""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable
from dataclasses import dataclass

from ..engine_fields import OPTIONAL_OUTPUT_FIELDS

__all__ = [
    "BAR_SPEC",
    "CONVICTIONS",
    "DATE_FORM",
    "DEFAULT_LABELS",
    "EARLIEST_DATE",
    "OUTPUT_FIELDS",
    "OUTPUT_SPEC",
    "SYMBOL_FORM",
    "FileSpec",
    "Problem",
    "Rules",
    "check_labels",
    "check_sha256",
    "check_symbol",
    "check_text_option",
    "check_version",
    "latest_allowed_date",
    "normalise_header",
    "parse_date",
    "parse_number",
    "parse_symbol",
    "parse_text",
    "shown",
]

Row = tuple[object, ...]

EARLIEST_DATE = dt.date(1900, 1, 1)
MAX_VERSION_CHARS = 64
# regimes every release may use; a release declares more with `import-outputs --labels`
DEFAULT_LABELS = frozenset({"bull", "neutral", "bear", "crisis", "risk_on", "risk_off"})
CONVICTIONS = frozenset({"low", "medium", "high"})
OUTPUT_FIELDS = OPTIONAL_OUTPUT_FIELDS  # the nine optional daily output fields

DATE_FORM = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", re.ASCII)
SYMBOL_FORM = re.compile(r"[A-Z0-9][A-Z0-9._^=-]{0,31}", re.ASCII)  # the assets.symbol_form CHECK
_LABEL = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9 _.-]{0,30}[A-Za-z0-9_.-])?", re.ASCII)
_SHA256 = re.compile(r"[0-9a-f]{64}", re.ASCII)
_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def shown(text: str, limit: int = 40) -> str:
    """`text` quoted for a one-line message: repr (control characters escaped), cut at `limit`."""
    return repr(text) if len(text) <= limit else repr(text[:limit]) + f"… ({len(text):,} chars)"


def latest_allowed_date(today: dt.date | None = None) -> dt.date:
    """Tomorrow (UTC by default): the last date a bar or output may carry."""
    return (today or dt.datetime.now(dt.UTC).date()) + dt.timedelta(days=1)


def check_symbol(text: str | None) -> str:
    """The asset symbol in upper case; ValueError unless it is 1-32 of A-Z 0-9 . _ ^ = -."""
    symbol = (text or "").strip().upper()
    if not SYMBOL_FORM.fullmatch(symbol):
        raise ValueError(
            f"invalid asset symbol {shown(text or '')}: 1-32 characters of A-Z, 0-9 and . _ ^ = -, "
            "starting with a letter or digit (e.g. SPY, BTC-USD, ES=F)"
        )
    return symbol


def check_version(text: str) -> str:
    """A release version: 1-64 printable characters, no surrounding spaces."""
    version = text.strip()
    if not version or len(version) > MAX_VERSION_CHARS or not version.isprintable():
        raise ValueError(
            f"invalid release version {shown(text)}: 1-{MAX_VERSION_CHARS} printable characters"
        )
    return version


def check_text_option(name: str, text: str | None, limit: int = 200) -> str | None:
    """An optional free-text option (git commit, source): printable, at most `limit` chars."""
    if text is None:
        return None
    if not text.strip() or len(text) > limit or not text.isprintable():
        raise ValueError(f"invalid {name} {shown(text)}: 1-{limit} printable characters")
    return text.strip()


def check_sha256(text: str | None) -> str | None:
    """A SHA-256 given by hand: 64 hex digits (stored in lower case)."""
    if text is None:
        return None
    digest = text.strip().lower()
    if not _SHA256.fullmatch(digest):
        raise ValueError(f"invalid --data-sha256 {shown(text)}: 64 hexadecimal digits")
    return digest


def check_labels(text: str | None) -> frozenset[str]:
    """`--labels a,b,c`: regime labels a release declares besides DEFAULT_LABELS."""
    labels = [part.strip() for part in (text or "").split(",") if part.strip()]
    bad = [label for label in labels if not _LABEL.fullmatch(label)]
    if bad:
        raise ValueError(
            f"invalid regime label(s) {', '.join(map(shown, bad))}: 1-32 characters of A-Z, a-z, "
            "0-9, space, _ . and -, starting with a letter or digit (e.g. risk_off, High-Vol)"
        )
    return frozenset(labels)


@dataclass(frozen=True)
class Problem:
    line: int
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.reason}" if self.line else self.reason


@dataclass(frozen=True)
class Rules:
    """What the rows of one import may hold besides the file format's own checks.

    `weekend_ok(symbol)` says whether that asset may have Saturday and Sunday bars (its
    calendar has weekend sessions, or `--allow-weekends`); `labels` are the regimes the
    release declares."""

    latest: dt.date
    weekend_ok: Callable[[str], bool] = lambda _symbol: True
    labels: frozenset[str] = DEFAULT_LABELS
    convictions: frozenset[str] = CONVICTIONS


def _date_problem(day: dt.date, rules: Rules) -> str | None:
    if day < EARLIEST_DATE or day > rules.latest:
        return f"date {day} outside {EARLIEST_DATE} .. {rules.latest}"
    return None


def _bar_rules(row: Row, rules: Rules) -> list[str]:
    """Row: (symbol, date, open, high, low, close, adj_close, volume)."""
    symbol, day, o, h, lo, c, adj, vol = row
    missing = [
        n for n, v in zip(("open", "high", "low", "close"), (o, h, lo, c), strict=True) if v is None
    ]
    if missing:
        return [f"missing {', '.join(missing)}"]
    reasons = [r for r in (_date_problem(day, rules),) if r]  # type: ignore[arg-type]
    prices = (("open", o), ("high", h), ("low", lo), ("close", c), ("adj_close", adj))
    bad = [n for n, v in prices if v is not None and v <= 0]  # type: ignore[operator]
    if bad:
        return [*reasons, f"non-positive price in {', '.join(bad)}"]
    if h < lo:  # type: ignore[operator]
        reasons.append(f"high {h} < low {lo}")
    else:
        reasons += [f"{n} {v} > high {h}" for n, v in (("open", o), ("close", c)) if v > h]  # type: ignore[operator]
        reasons += [f"{n} {v} < low {lo}" for n, v in (("open", o), ("close", c)) if v < lo]  # type: ignore[operator]
    if vol is not None and vol < 0:  # type: ignore[operator]
        reasons.append(f"negative volume {vol}")
    if day.weekday() >= 5 and not rules.weekend_ok(symbol):  # type: ignore[attr-defined,arg-type]
        reasons.append(
            f"{day} is a {_WEEKDAYS[day.weekday()]} and {symbol}'s calendar has no weekend "  # type: ignore[attr-defined]
            "sessions (--allow-weekends imports it anyway)"
        )
    return reasons


def _output_rules(row: Row, rules: Rules) -> list[str]:
    """Row: (date, regime, confidence, conviction, *OUTPUT_FIELDS)."""
    day, regime, confidence, conviction, _esc, risk, vol = row[:7]
    reasons = [r for r in (_date_problem(day, rules),) if r]  # type: ignore[arg-type]
    if not regime:
        reasons.append("missing regime")
    elif regime not in rules.labels:
        known = ", ".join(sorted(rules.labels))
        reasons.append(f"unknown regime {shown(regime)} (known: {known}; --labels declares more)")  # type: ignore[arg-type]
    if confidence is None:
        reasons.append("missing confidence")
    elif not 0 <= confidence <= 1:  # type: ignore[operator]
        reasons.append(f"confidence {confidence} outside [0, 1]")
    if not conviction:
        reasons.append("missing conviction")
    elif conviction not in rules.convictions:
        known = ", ".join(sorted(rules.convictions))
        reasons.append(f"unknown conviction {shown(conviction)} (known: {known})")  # type: ignore[arg-type]
    if risk is not None and not 0 <= risk <= 1:  # type: ignore[operator]
        reasons.append(f"risk_level {risk} outside [0, 1]")
    if vol is not None and vol < 0:  # type: ignore[operator]
        reasons.append(f"negative realized_vol {vol}")
    return reasons


def _bar_quick(row: Row, rules: Rules) -> bool:
    """True for a bar that passes every rule (the common case, checked in one expression)."""
    symbol, day, o, h, lo, c, adj, vol = row
    return (
        o is not None
        and h is not None
        and lo is not None
        and c is not None
        and 0 < lo <= o <= h  # type: ignore[operator]
        and lo <= c <= h  # type: ignore[operator]
        and (adj is None or adj > 0)  # type: ignore[operator]
        and (vol is None or vol >= 0)  # type: ignore[operator]
        and EARLIEST_DATE <= day <= rules.latest  # type: ignore[operator]
        and (day.weekday() < 5 or rules.weekend_ok(symbol))  # type: ignore[attr-defined,arg-type]
    )


def _output_quick(row: Row, rules: Rules) -> bool:
    """True for an output row that passes every rule."""
    day, regime, confidence, conviction, _esc, risk, vol = row[:7]
    return (
        regime in rules.labels
        and conviction in rules.convictions
        and confidence is not None
        and 0 <= confidence <= 1  # type: ignore[operator]
        and (risk is None or 0 <= risk <= 1)  # type: ignore[operator]
        and (vol is None or vol >= 0)  # type: ignore[operator]
        and EARLIEST_DATE <= day <= rules.latest  # type: ignore[operator]
    )


@dataclass(frozen=True)
class FileSpec:
    """A CSV format: `columns` is the order of the row tuples handed on (a leading `symbol`
    comes from the file's column of that name or from `--asset`); (symbol, date) or date
    must be unique. `quick` passes a good row cheaply, `check` says what is wrong with it."""

    columns: tuple[str, ...]
    required: tuple[str, ...]
    numeric: tuple[str, ...]
    quick: Callable[[Row, Rules], bool]
    check: Callable[[Row, Rules], list[str]]

    @property
    def has_symbol(self) -> bool:
        return self.columns[0] == "symbol"


BAR_SPEC = FileSpec(
    ("symbol", "date", "open", "high", "low", "close", "adj_close", "volume"),
    ("date", "open", "high", "low", "close"),
    ("open", "high", "low", "close", "adj_close", "volume"),
    _bar_quick,
    _bar_rules,
)
OUTPUT_SPEC = FileSpec(
    ("date", "regime", "confidence", "conviction", *OUTPUT_FIELDS),
    ("date", "regime", "confidence", "conviction"),
    ("confidence", *OUTPUT_FIELDS),
    _output_quick,
    _output_rules,
)


def normalise_header(name: str) -> str:
    """`Adj Close` -> `adj_close`: case, spaces and dashes do not matter."""
    return "_".join(name.strip().lower().replace("-", " ").split())


def parse_date(_column: str, text: str) -> dt.date:
    text = text.strip()
    if DATE_FORM.fullmatch(text):
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            pass
    raise ValueError(f"unparseable date {shown(text)} (expected YYYY-MM-DD)")


def parse_number(column: str, text: str) -> float | None:
    if not text or text.isspace():
        return None
    try:
        value = float(text)
    except ValueError:
        raise ValueError(f"{column} is not a number: {shown(text)}") from None
    if not math.isfinite(value):
        raise ValueError(f"{column} is not a finite number: {shown(text)}")
    return value


def parse_text(_column: str, text: str) -> str:
    return text.strip()


def parse_symbol(_column: str, text: str) -> str:
    return check_symbol(text)
