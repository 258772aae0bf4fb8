"""Screenshots of every page of every role, for looking at the app by eye (a script, not a test).

    python -m tests.e2e.gallery (--base-url http://127.0.0.1:PORT | --database-url URL) \\
        --out DIR [--roles analyst admin] [--pages home regimes] [--variants 1400 390 dark] \\
        [--format jpg]

With --database-url the script starts this checkout's app itself (DEMO_MODE=true, a free
loopback port) on that seeded database and stops it at the end.

Debian's Chromium (never a downloaded one) signs in through the form as each demo role
(the server must run with DEMO_MODE=true), opens each page of the role from the page
registry, waits until the script is idle and every Plotly chart is drawn, and saves a
full-page shot `{role}-{slug}-{variant}.png`: `1400` (1400×1000), `390` (390×844, a phone
with touch) and `dark` (1400 in the dark theme); the sign-in page as `signin-1400.png` and
`signin-390.png`. PNGs are reduced to 256 colours: sharper than a JPEG and about a third of
its size on these flat screens (`--format jpg` gives JPEGs of quality 70). Streamlit
scrolls inside its own container, so a "full page" is taken by growing the viewport to the
content's height first.

Only selectors that older versions of the app share are used, so the same script
photographs an older commit's server too; a page that server does not have is skipped
with a note (printed and written to `skipped.txt`).
"""

from __future__ import annotations

import argparse
import io
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PIL import Image
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import sync_playwright

from benchmarks.load import streamlit_server
from regime_dashboard.navigation import PAGES, PageSpec, pages_for
from tests.conftest import ROOT

from .conftest import CHROMIUM, FLAGS, TIMEOUT_MS
from .helpers import settle, sign_in

ROLES = ("analyst", "leadership", "admin")
QUALITY = 70
MAX_HEIGHT = 14_000  # px: a runaway page is cut here rather than making a huge file


@dataclass(frozen=True)
class Variant:
    name: str
    width: int
    height: int
    dark: bool = False


VARIANTS = {
    "1400": Variant("1400", 1400, 1000),
    "390": Variant("390", 390, 844),
    "dark": Variant("dark", 1400, 1000, dark=True),
}

# Measured in the page: the hidden part of the app's scrolling main area (not of a table's
# own scroller), in px; the document's when there is no such area (the sign-in page).
HIDDEN_HEIGHT_JS = """() => {
  const main = document.querySelector("[data-testid='stMain']") || document.documentElement;
  return Math.max(0, Math.ceil(main.scrollHeight - main.clientHeight));
}"""
CHARTS_DRAWN_JS = """(n) => document.querySelectorAll('.js-plotly-plot .main-svg').length >= n"""
NOT_FOUND = "Page not found"
# Parts of a page behind a section control (kept in the URL), photographed as views of
# their own, `{role}-{slug}-{view}-{variant}`: the default part alone would hide them.
VIEWS: dict[str, tuple[tuple[str, str], ...]] = {
    "backtests": (
        ("tearsheet", "tab=Tearsheet"),
        ("by-regime", "tab=By+regime"),
        ("compare", "tab=Compare"),
    ),
    "admin-plans": (("pro", "plan=Pro+%28pro%29"),),
    "admin-tenants": (
        ("plan", "tenant=Harbor+Capital&section=Plan"),
        ("quotas", "tenant=Harbor+Capital&section=Quota+overrides"),
    ),
}


def wait_for_charts(page: Any) -> bool:
    """Wait until every Plotly chart on the page has drawn its SVG; False on a timeout."""
    plots = page.locator(".js-plotly-plot").count()
    if not plots:
        return True
    try:
        page.wait_for_function(CHARTS_DRAWN_JS, arg=plots, timeout=TIMEOUT_MS)
    except PlaywrightError:
        return False
    page.wait_for_timeout(300)  # Plotly's own resize and transition after the first draw
    return True


def full_page_shot(page: Any, path: Path, variant: Variant) -> None:
    """Grow the viewport to the content (Streamlit scrolls in a container, which Playwright's
    full_page does not follow), save the shot, and give the viewport back its size."""
    for _ in range(3):  # the content can reflow once the viewport is taller
        hidden = int(page.evaluate(HIDDEN_HEIGHT_JS))
        height = page.viewport_size["height"]
        if hidden <= 0 or height >= MAX_HEIGHT:
            break
        page.set_viewport_size({"width": variant.width, "height": min(height + hidden, MAX_HEIGHT)})
        page.wait_for_timeout(400)
    wait_for_charts(page)
    save_shot(page.screenshot(type="png", full_page=True), path)
    page.set_viewport_size({"width": variant.width, "height": variant.height})


def save_shot(png: bytes, path: Path) -> None:
    """Save a lossless shot by the file's suffix: `.png` reduced to 256 colours (screens of
    flat colours and text keep every pixel readable at about a third of a JPEG's size), or
    `.jpg` at quality QUALITY."""
    with Image.open(io.BytesIO(png)) as image:
        rgb = image.convert("RGB")
    if path.suffix == ".png":
        rgb.quantize(colors=256, method=Image.Quantize.FASTOCTREE).save(path, optimize=True)
    else:
        rgb.save(path, "JPEG", quality=QUALITY, optimize=True, progressive=True)


def open_page(page: Any, url: str) -> str | None:
    """Open `url` signed in and wait until it is drawn; a note when it cannot be shown."""
    page.goto(url)
    settle(page)
    page.evaluate("document.fonts.ready")
    if page.get_by_text(NOT_FOUND).count():
        return "the server has no such page"
    if page.get_by_role("button", name="Sign in").count():
        return "the sign-in form is shown: the session cookie was not used"
    if not wait_for_charts(page):
        return "drawn, but not every Plotly chart finished (photographed anyway)"
    return None


@contextmanager
def browser_context(browser: Any, variant: Variant) -> Iterator[Any]:
    """A fresh browser context (own cookies) of the variant's size and colour scheme."""
    context = browser.new_context(
        viewport={"width": variant.width, "height": variant.height},
        color_scheme="dark" if variant.dark else "light",
        is_mobile=variant.width < 600,
        has_touch=variant.width < 600,
    )
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    try:
        yield page
    finally:
        context.close()


@dataclass(frozen=True)
class Target:
    """Where the shots come from and go: the app's address, the folder, the file type."""

    base_url: str
    out: Path
    suffix: str = ".png"

    def path(self, name: str) -> Path:
        return self.out / f"{name}{self.suffix}"


def shoot_sign_in(browser: Any, target: Target, variants: Sequence[Variant]) -> None:
    """The sign-in page, signed out, at each light width."""
    for variant in (v for v in variants if not v.dark):
        with browser_context(browser, variant) as page:
            page.goto(target.base_url)
            page.get_by_role("button", name="Sign in").wait_for(state="visible")
            settle(page)
            page.evaluate("document.fonts.ready")
            full_page_shot(page, target.path(f"signin-{variant.name}"), variant)


def sign_in_at(page: Any, base_url: str, role: str, variant: Variant) -> None:
    """Sign in through the form at 1400 px (a phone hides the sidebar's Sign out that the
    helper waits for), then go back to the variant's size."""
    page.set_viewport_size({"width": 1400, "height": 1000})
    sign_in(page, base_url, role)
    page.set_viewport_size({"width": variant.width, "height": variant.height})


def shoot_role(
    browser: Any, target: Target, role: str, specs: Sequence[PageSpec], variant: Variant
) -> list[str]:
    """Every page in `specs` for one role and variant; the notes of pages not shown."""
    notes: list[str] = []
    with browser_context(browser, variant) as page:
        sign_in_at(page, target.base_url, role, variant)
        for spec in specs:
            for view, query in (("", ""), *VIEWS.get(spec.slug, ())):
                name = "-".join(filter(None, (role, spec.slug, view, variant.name)))
                url = f"{target.base_url}/{spec.url}" + (f"?{query}" if query else "")
                notes += shoot(page, target, name, url, variant)
    return notes


def shoot(page: Any, target: Target, name: str, url: str, variant: Variant) -> list[str]:
    """One page: open it, photograph it; the note when it was skipped or not fully drawn."""
    note = open_page(page, url)
    if note and "photographed anyway" not in note:
        return [f"{name}: skipped, {note}"]
    full_page_shot(page, target.path(name), variant)
    print(f"  {target.path(name).name}", flush=True)
    return [f"{name}: {note}"] if note else []


def role_pages(role: str, slugs: Sequence[str] | None) -> list[PageSpec]:
    """The role's pages in navigation order, only those in `slugs` when given."""
    specs = pages_for(frozenset({role}))
    return [s for s in specs if not slugs or s.slug in slugs]


def run(
    target: Target, roles: Sequence[str], slugs: Sequence[str] | None, variants: Sequence[Variant]
) -> list[str]:
    """Take every shot; the notes of the pages skipped or not fully drawn."""
    target.out.mkdir(parents=True, exist_ok=True)
    notes: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
        try:
            if not slugs or "signin" in slugs:
                shoot_sign_in(browser, target, variants)
            for role in roles:
                for variant in variants:
                    print(f"{role} {variant.name}", flush=True)
                    notes += shoot_role(browser, target, role, role_pages(role, slugs), variant)
        finally:
            browser.close()
    return notes


@contextmanager
def app_server(base_url: str | None, database_url: str | None) -> Iterator[str]:
    """The app's address: `base_url` as given, or a demo-mode server of this checkout on
    `database_url` (a free loopback port), stopped afterwards."""
    if base_url:
        yield base_url.rstrip("/")
        return
    env = {"DATABASE_URL": str(database_url), "DEMO_MODE": "true"}
    with streamlit_server(env, log=ROOT / "test-artifacts" / "gallery-streamlit.log") as (port, _):
        yield f"http://127.0.0.1:{port}"


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    server = parser.add_mutually_exclusive_group(required=True)
    server.add_argument("--base-url", help="a running app (DEMO_MODE=true), http://127.0.0.1:PORT")
    server.add_argument("--database-url", help="start this checkout's app on a seeded database")
    parser.add_argument("--out", type=Path, required=True, help="folder for the shots")
    parser.add_argument("--roles", nargs="+", choices=ROLES, default=list(ROLES))
    slugs = [p.slug for p in PAGES] + ["signin"]
    parser.add_argument("--pages", nargs="+", choices=slugs, help="page slugs (default: all)")
    parser.add_argument("--variants", nargs="+", choices=list(VARIANTS), default=list(VARIANTS))
    parser.add_argument(
        "--format",
        choices=["png", "jpg"],
        default="png",
        help="png: 256 colours, sharp and small (default); jpg: quality 70",
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Take the shots; 2 when Debian's Chromium is missing."""
    args = parse_args(argv)
    if not CHROMIUM.exists():
        print(f"{CHROMIUM} is missing (apt-get install -y chromium)", file=sys.stderr)
        return 2
    with app_server(args.base_url, args.database_url) as base_url:
        target = Target(base_url, args.out, f".{args.format}")
        notes = run(target, args.roles, args.pages, [VARIANTS[v] for v in args.variants])
    (args.out / "skipped.txt").unlink(missing_ok=True)
    if notes:
        (args.out / "skipped.txt").write_text("\n".join(notes) + "\n")
        print("\n".join(notes))
    return 0


if __name__ == "__main__":
    sys.exit(main())
