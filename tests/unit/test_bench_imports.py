"""The import step of the benchmark: its files, and rewriting its section of the report."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from benchmarks.imports import write_bars_csv, write_release_csv
from benchmarks.report import replace_section
from regime_dashboard.imports.reader import validate_csv
from regime_dashboard.imports.validate import BAR_SPEC, OUTPUT_SPEC, Rules

RULES = Rules(dt.date(2026, 1, 1))


def test_the_generated_files_pass_the_import_rules(tmp_path: Path) -> None:
    bars = validate_csv(
        write_bars_csv(tmp_path / "b.csv", rows=2_000, assets=4), BAR_SPEC, RULES, None
    )
    assert (bars.count, bars.problems) == (2_000, [])
    release = validate_csv(write_release_csv(tmp_path / "r.csv"), OUTPUT_SPEC, RULES)
    assert (release.count, release.problems) == (7_800, [])


def test_a_rerun_step_replaces_only_its_own_section(tmp_path: Path) -> None:
    report = tmp_path / "benchmarks.md"
    report.write_text("# Benchmarks\n\n| page |\n\n## Concurrency\n\nold load\n")
    replace_section(report, ["## Imports", "", "first", ""])
    replace_section(report, ["## Imports", "", "second", ""])
    assert report.read_text() == (
        "# Benchmarks\n\n| page |\n\n## Concurrency\n\nold load\n\n## Imports\n\nsecond\n"
    )
    report.write_text("# B\n\n## Imports\n\nold\n\n## Later\n\nkept\n")
    replace_section(report, ["## Imports", "", "new", ""])
    assert report.read_text() == "# B\n\n## Imports\n\nnew\n\n## Later\n\nkept\n"
