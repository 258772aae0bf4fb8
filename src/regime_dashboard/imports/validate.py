"""Whole-file validation of bar and output CSVs. A file with any bad row is rejected whole:
every problem is reported with its line number (the header is line 1)."""

from __future__ import annotations

import csv
import datetime as dt
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..db.models.market import OPTIONAL_OUTPUT_FIELDS

__all__ = ["BAR_SPEC", "OUTPUT_SPEC", "FileSpec", "Problem", "ValidatedFile", "validate_csv"]

Row = dict[str, Any]


@dataclass(frozen=True)
class Problem:
    line: int
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.reason}"


@dataclass
class ValidatedFile:
    rows: list[Row] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems and bool(self.rows)


@dataclass(frozen=True)
class FileSpec:
    required: tuple[str, ...]
    optional: tuple[str, ...]
    numeric: tuple[str, ...]
    row_rules: tuple[Callable[[Row], str | None], ...]


def normalise_header(name: str) -> str:
    """`Adj Close` -> `adj_close`: case, spaces and dashes do not matter."""
    return "_".join(name.strip().lower().replace("-", " ").split())


def _parse_date(text: str) -> dt.date:
    text = text.strip()
    try:
        return dt.date.fromisoformat(text[:10]) if len(text) >= 10 else dt.date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"unparseable date {text!r} (expected YYYY-MM-DD)") from None


def _parse_number(column: str, text: str) -> float | None:
    if text.strip() == "":
        return None
    try:
        value = float(text)
    except ValueError:
        raise ValueError(f"{column} is not a number: {text!r}") from None
    if not math.isfinite(value):
        raise ValueError(f"{column} is not a finite number: {text!r}")
    return value


def _bar_rules(row: Row) -> str | None:
    prices = ("open", "high", "low", "close")
    for column in prices:
        if row.get(column) is None:
            return f"missing {column}"
    bad = [c for c in (*prices, "adj_close") if row.get(c) is not None and row[c] <= 0]
    if bad:
        return f"non-positive price in {', '.join(bad)}"
    if row["high"] < row["low"]:
        return f"high {row['high']} < low {row['low']}"
    if row.get("volume") is not None and row["volume"] < 0:
        return f"negative volume {row['volume']}"
    return None


def _output_rules(row: Row) -> str | None:
    if not (row.get("regime") or "").strip():
        return "missing regime"
    if row.get("confidence") is None:
        return "missing confidence"
    if not 0 <= row["confidence"] <= 1:
        return f"confidence {row['confidence']} outside [0, 1]"
    if not (row.get("conviction") or "").strip():
        return "missing conviction"
    if row.get("risk_level") is not None and not 0 <= row["risk_level"] <= 1:
        return f"risk_level {row['risk_level']} outside [0, 1]"
    if row.get("realized_vol") is not None and row["realized_vol"] < 0:
        return f"negative realized_vol {row['realized_vol']}"
    return None


OUTPUT_FIELDS = OPTIONAL_OUTPUT_FIELDS
BAR_SPEC = FileSpec(
    ("date", "open", "high", "low", "close"),
    ("adj_close", "volume"),
    ("open", "high", "low", "close", "adj_close", "volume"),
    (_bar_rules,),
)
OUTPUT_SPEC = FileSpec(
    ("date", "regime", "confidence", "conviction"),
    OUTPUT_FIELDS,
    ("confidence", *OUTPUT_FIELDS),
    (_output_rules,),
)


def _parse_row(spec: FileSpec, raw: dict[str, str]) -> Row:
    row: Row = {"date": _parse_date(raw["date"])}
    for column in (*spec.required, *spec.optional):
        if column == "date" or column not in raw:
            continue
        value = raw[column] or ""
        row[column] = _parse_number(column, value) if column in spec.numeric else value.strip()
    return row


def _check_header(spec: FileSpec, header: list[str], result: ValidatedFile) -> bool:
    missing = [c for c in spec.required if c not in header]
    dupes = sorted({c for c in header if header.count(c) > 1})
    if missing:
        result.problems.append(Problem(1, f"missing column(s): {', '.join(missing)}"))
    if dupes:
        result.problems.append(Problem(1, f"repeated column(s): {', '.join(dupes)}"))
    result.ignored_columns = [c for c in header if c not in (*spec.required, *spec.optional)]
    return not missing and not dupes


def _validate_lines(
    spec: FileSpec, lines: Iterable[list[str]], header: list[str], result: ValidatedFile
) -> None:
    first_seen: dict[dt.date, int] = {}
    for number, cells in enumerate(lines, start=2):
        if not any(c.strip() for c in cells):
            continue
        if len(cells) != len(header):
            result.problems.append(Problem(number, f"{len(cells)} fields, expected {len(header)}"))
            continue
        try:
            row = _parse_row(spec, dict(zip(header, cells, strict=True)))
        except ValueError as exc:
            result.problems.append(Problem(number, str(exc)))
            continue
        reasons = [r for rule in spec.row_rules if (r := rule(row))]
        if row["date"] in first_seen:
            reasons.append(
                f"duplicate date {row['date']} (first on line {first_seen[row['date']]})"
            )
        first_seen.setdefault(row["date"], number)
        result.problems += [Problem(number, r) for r in reasons]
        if not reasons:
            result.rows.append(row)


def validate_csv(path: Path, spec: FileSpec) -> ValidatedFile:
    """Parse and check every line of `path` against `spec`."""
    result = ValidatedFile()
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.reader(handle)
        header = [normalise_header(h) for h in next(reader, [])]
        if not header:
            result.problems.append(Problem(1, "the file is empty"))
            return result
        if _check_header(spec, header, result):
            _validate_lines(spec, reader, header, result)
    if not result.problems and not result.rows:
        result.problems.append(Problem(2, "no data rows"))
    return result
