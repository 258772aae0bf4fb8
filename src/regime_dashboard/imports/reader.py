"""One pass over a bar or output CSV: good rows handed on as tuples, every problem recorded.

A file with any bad row is rejected whole: every problem is reported with its line number
(the header is line 1). Rows are read one at a time and handed on in the order of
`FileSpec.columns`, so a million-row file is never held in memory. Each row is first parsed
and checked on a fast path (`map(float)` over its numbers, one rule expression); only a row
that fails it is parsed cell by cell to say what is wrong. Pure: no database."""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from operator import itemgetter
from pathlib import Path

from .validate import (
    DATE_FORM,
    SYMBOL_FORM,
    FileSpec,
    Problem,
    Row,
    Rules,
    latest_allowed_date,
    normalise_header,
    parse_date,
    parse_number,
    parse_symbol,
    parse_text,
)

__all__ = ["MAX_FIELD_CHARS", "CsvRows", "validate_csv"]

MAX_FIELD_CHARS = csv.field_size_limit()  # 131,072: the csv module stops at longer fields
_SYMBOL_SPAN = 4_000_000  # > date.max.toordinal(): one int key per (symbol, date)

Plan = list[tuple[int | None, str]]  # (index in the file's header or None, column)


def _lines(handle: Iterable[bytes], problems: list[Problem]) -> Iterator[str]:
    """The file's lines as text; the first line that is not UTF-8 ends the file."""
    for number, raw in enumerate(handle, start=1):
        try:
            yield raw.decode("utf-8-sig" if number == 1 else "utf-8")
        except UnicodeDecodeError as exc:
            byte = raw[exc.start : exc.start + 1].hex()
            problems.append(
                Problem(number, f"not UTF-8 text (byte 0x{byte} at position {exc.start + 1})")
            )
            return


def _fast_parser(spec: FileSpec, plan: Plan) -> Callable[[list[str]], list[object] | None]:
    """cells -> the row as a list, or None when any cell needs the careful parser (an empty
    or malformed number, a date with spaces, a symbol in lower case, …)."""
    numbers = [(p, i) for p, (i, c) in enumerate(plan) if i is not None and c in spec.numeric]
    texts = [(p, i) for p, (i, c) in enumerate(plan) if i is not None and c not in spec.numeric]
    texts = [(p, i) for p, i in texts if plan[p][1] not in ("date", "symbol")]
    date_pos = spec.columns.index("date")
    date_at = plan[date_pos][0]
    symbol_at = plan[0][0] if spec.has_symbol else None
    pick = itemgetter(*(i for _, i in numbers))
    positions = [p for p, _ in numbers]
    template: list[object] = [None] * len(plan)

    def parse(cells: list[str]) -> list[object] | None:
        picked = pick(cells)
        try:
            values = list(map(float, picked if len(positions) > 1 else (picked,)))
            day_text = cells[date_at]  # type: ignore[index]
            if not DATE_FORM.fullmatch(day_text):
                return None
            day = dt.date.fromisoformat(day_text)
        except ValueError:
            return None
        total = sum(values)
        if total - total != 0:  # a NaN or an infinity (or an overflowing sum: careful path)
            return None
        row = template.copy()
        row[date_pos] = day
        for p, v in zip(positions, values, strict=True):
            row[p] = v
        for p, i in texts:
            row[p] = cells[i].strip()
        if symbol_at is not None:
            if not SYMBOL_FORM.fullmatch(cells[symbol_at]):
                return None
            row[0] = cells[symbol_at]
        return row

    return parse


@dataclass
class CsvRows:
    """One pass over a CSV: `rows()` yields each good row as a tuple in `spec.columns` order
    and records every problem; read `problems`/`ok` once it is exhausted.

    `symbol` is the `--asset` of a single-asset bars file; a bars file may instead carry a
    `symbol` column (one file, many assets), never both."""

    path: Path
    spec: FileSpec
    rules: Rules
    symbol: str | None = None
    problems: list[Problem] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    count: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems and self.count > 0

    def rows(self) -> Iterator[Row]:
        try:
            with self.path.open("rb") as handle:
                yield from self._records(csv.reader(_lines(handle, self.problems)))
        except OSError as exc:
            self.problems.append(Problem(0, f"cannot read {self.path}: {exc.strerror or exc}"))
        if not self.problems and not self.count:
            self.problems.append(Problem(2, "no data rows"))

    def _header(self, names: list[str]) -> Plan | None:
        """(index in the file or None, column) for each of spec.columns; None when unusable."""
        header = [normalise_header(h) for h in names]
        wanted = set(self.spec.columns)
        missing = [c for c in self.spec.required if c not in header]
        dupes = sorted({c for c in header if header.count(c) > 1 and c in wanted})
        if missing:
            self.problems.append(Problem(1, f"missing column(s): {', '.join(missing)}"))
        if dupes:
            self.problems.append(Problem(1, f"repeated column(s): {', '.join(dupes)}"))
        if self.spec.has_symbol:
            self._symbol_source("symbol" in header)
        self.ignored_columns = [c for c in header if c not in wanted]
        if self.problems:
            return None
        return [(header.index(c) if c in header else None, c) for c in self.spec.columns]

    def _symbol_source(self, in_file: bool) -> None:
        if in_file and self.symbol:
            self.problems.append(Problem(1, "the file has a symbol column: leave out --asset"))
        elif not in_file and not self.symbol:
            self.problems.append(Problem(1, "no symbol column: give the asset with --asset"))

    def _careful(self, plan: Plan, cells: list[str]) -> list[object]:
        """Cell by cell, for a row the fast path refused; ValueError says what is wrong."""
        parsers: dict[str, Callable[[str, str], object]] = {
            "date": parse_date,
            "symbol": parse_symbol,
        }
        return [
            None
            if i is None
            else parsers.get(c, parse_number if c in self.spec.numeric else parse_text)(c, cells[i])
            for i, c in plan
        ]

    def _records(self, reader: Iterator[list[str]]) -> Iterator[Row]:
        names = self._next(reader)
        if names is None or not any(n.strip() for n in names):
            if not self.problems:
                self.problems.append(Problem(1, "the file is empty"))
            return
        plan = self._header(names)
        if plan is None:
            return
        width, fast = len(names), _fast_parser(self.spec, plan)
        quick, check, rules = self.spec.quick, self.spec.check, self.rules
        date_pos = self.spec.columns.index("date")
        symbol_ids: dict[object, int] = {}
        seen: dict[int, int] = {}
        while (cells := self._next(reader)) is not None:
            line = reader.line_num  # type: ignore[attr-defined]
            if len(cells) != width:
                if any(c.strip() for c in cells):
                    self.problems.append(Problem(line, f"{len(cells)} fields, expected {width}"))
                continue
            values = fast(cells)
            if values is None:
                if not any(c.strip() for c in cells):
                    continue
                try:
                    values = self._careful(plan, cells)
                except ValueError as exc:
                    self.problems.append(Problem(line, str(exc)))
                    continue
            if self.symbol is not None and self.spec.has_symbol:
                values[0] = self.symbol
            row = tuple(values)
            reasons = [] if quick(row, rules) else check(row, rules)
            day: dt.date = row[date_pos]  # type: ignore[assignment]
            key = day.toordinal()
            if self.spec.has_symbol:
                key += _SYMBOL_SPAN * symbol_ids.setdefault(row[0], len(symbol_ids))
            first = seen.setdefault(key, line)
            if first != line:
                of = f" of {row[0]}" if self.spec.has_symbol and self.symbol is None else ""
                reasons.append(f"duplicate date {day}{of} (first on line {first})")
            if reasons:
                self.problems += [Problem(line, r) for r in reasons]
            else:
                self.count += 1
                yield row

    def _next(self, reader: Iterator[list[str]]) -> list[str] | None:
        """The next record; a record the csv module cannot read becomes a problem."""
        while True:
            try:
                return next(reader)
            except StopIteration:
                return None
            except csv.Error as exc:
                line = reader.line_num  # type: ignore[attr-defined]
                reason = str(exc)
                if "field larger than field limit" in reason:
                    reason = f"a field is longer than {MAX_FIELD_CHARS:,} characters"
                elif "new-line character seen in unquoted field" in reason:
                    reason = "a carriage return (CR) inside a line: use LF or CRLF line ends"
                self.problems.append(Problem(line, f"unreadable CSV: {reason}"))


def validate_csv(
    path: Path, spec: FileSpec, rules: Rules | None = None, symbol: str | None = "X"
) -> CsvRows:
    """Read the whole of `path`, dropping the rows: to check a file without importing it.
    `symbol` stands in for `--asset` (None when the file carries a symbol column)."""
    reader = CsvRows(path, spec, rules or Rules(latest_allowed_date()), symbol)
    for _row in reader.rows():
        pass
    return reader
