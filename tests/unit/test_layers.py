"""The layers of docs/architecture.md hold: imports run one way, Streamlit stays in the
presentation layer, and every page and function stays small enough to read at once."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import ROOT

PACKAGE = ROOT / "src" / "regime_dashboard"
VIEWS = ROOT / "views"

# Where Streamlit may be imported: the presentation helpers, the sign-in gate, the session
# helper that reads the signed-in viewer, and the launcher that starts Streamlit's server.
STREAMLIT_HOMES = ("ui/", "auth/", "session.py", "launch.py")

# Each layer and the layers it must never import (docs/architecture.md, "Layers").
FORBIDDEN = {
    "db": ("queries", "metrics", "services", "charts", "ui", "auth", "cache"),
    "queries": ("services", "charts", "ui", "metrics", "cache"),
    "metrics": ("db", "queries", "services", "charts", "ui", "cache"),
    "charts": ("db", "queries", "services", "ui", "cache"),
    "services": ("ui", "auth", "session"),
}

MAX_PAGE_LINES = 150
MAX_FUNCTION_LINES = 60


def _modules() -> Iterator[Path]:
    yield from sorted(PACKAGE.rglob("*.py"))


def _relative(path: Path) -> str:
    return path.relative_to(PACKAGE).as_posix()


def _imported(path: Path) -> set[str]:
    """Every module `path` imports, as dotted names (relative imports resolved)."""
    tree = ast.parse(path.read_text(), filename=str(path))
    inside = path.is_relative_to(PACKAGE)
    package = ["regime_dashboard", *path.relative_to(PACKAGE).parent.parts] if inside else []
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            module = ".".join([*base, *([node.module] if node.module else [])])
            names.add(module)
            names.update(f"{module}.{alias.name}" for alias in node.names)
    return names


def _layer_of(dotted: str) -> str | None:
    parts = dotted.split(".")
    return parts[1] if parts[0] == "regime_dashboard" and len(parts) > 1 else None


def test_streamlit_is_imported_only_by_the_presentation_layer() -> None:
    offenders = [
        _relative(path)
        for path in _modules()
        if not _relative(path).startswith(STREAMLIT_HOMES)
        and any(name == "streamlit" or name.startswith("streamlit.") for name in _imported(path))
    ]
    assert offenders == [], f"Streamlit imported outside {STREAMLIT_HOMES}: {offenders}"


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_imports_run_one_way(layer: str) -> None:
    offenders = sorted(
        f"{_relative(path)} imports {name}"
        for path in (PACKAGE / layer).rglob("*.py")
        for name in _imported(path)
        if _layer_of(name) in FORBIDDEN[layer]
    )
    assert offenders == []


def test_pages_import_no_query_or_database_module() -> None:
    offenders = sorted(
        f"{path.name} imports {name}"
        for path in VIEWS.glob("*.py")
        for name in _imported(path)
        if _layer_of(name) in ("queries", "db")
    )
    assert offenders == []


def _page_lines(page: Path) -> int:
    """The page's own lines plus those of every form module (`ui/forms/`) it imports."""
    forms = {
        PACKAGE / "ui" / "forms" / f"{name.split('.')[3]}.py"
        for name in _imported(page)
        if name.startswith("regime_dashboard.ui.forms.") and len(name.split(".")) > 3
    }
    return sum(len(path.read_text().splitlines()) for path in {page, *forms} if path.exists())


def test_no_page_exceeds_its_line_budget_counting_its_forms() -> None:
    sizes = {page.name: _page_lines(page) for page in sorted(VIEWS.glob("*.py"))}
    assert {name: n for name, n in sizes.items() if n > MAX_PAGE_LINES} == {}


def _functions(path: Path) -> Iterator[tuple[str, int]]:
    tree = ast.parse(path.read_text(), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            yield node.name, (node.end_lineno or node.lineno) - node.lineno + 1


def test_no_function_exceeds_sixty_lines_outside_migrations() -> None:
    sources = [*_modules(), *VIEWS.glob("*.py"), ROOT / "app.py"]
    long_ones = sorted(
        f"{path.relative_to(ROOT).as_posix()}:{name} ({lines} lines)"
        for path in sources
        if "migrations" not in path.parts
        for name, lines in _functions(path)
        if lines > MAX_FUNCTION_LINES
    )
    assert long_ones == []
