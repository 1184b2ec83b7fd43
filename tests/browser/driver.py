"""What a person does in the dashboard, and how a test knows Streamlit has finished drawing.

No fixed sleeps: after every action the tests wait for Streamlit's own signal, as its browser
tests do (`data-test-script-state='notRunning'` on the app root), then for the loading
skeletons to go, then for the state to hold for a short moment (a rerun can follow a run).
Playwright is imported by the fixtures only, so that this module loads without it.
"""

from __future__ import annotations

import io
import json
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import parse_qs, urlsplit

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext, Locator, Page, Route

REPO = Path(__file__).resolve().parents[2]
LOCALES = REPO / "kafo_data" / "locales"
ARTIFACTS = REPO / "tests" / "artifacts"
SCREENSHOTS = ARTIFACTS / "screenshots"

IDLE = "[data-testid='stApp'][data-test-script-state='notRunning']"
CONNECTED = "[data-testid='stApp'][data-test-connection-state='CONNECTED']"
BUSY = "[data-testid='stSkeleton'], [data-testid='stApp'][data-test-script-state='running']"
STABLE_MS = 250
TIMEOUT_MS = 60_000

DESKTOP = {"width": 1400, "height": 900}
PHONE = {"width": 390, "height": 844}


def catalogue(lang: str) -> dict[str, str]:
    """Every visible string of one language, read from the JSON files a translator edits."""
    merged: dict[str, str] = {}
    for path in sorted((LOCALES / lang).glob("*.json")):
        merged.update(json.loads(path.read_text(encoding="utf-8")))
    return merged


def text(key: str, lang: str, **values: object) -> str:
    raw = catalogue(lang)[key]
    return raw.format(**values) if values else raw


def settle(page: Page, timeout_ms: int = TIMEOUT_MS) -> None:
    """Wait until the script has finished and nothing is left to draw, and it stays so."""
    page.wait_for_timeout(120)  # let the action reach the server before reading the state
    page.locator(CONNECTED).wait_for(state="attached", timeout=timeout_ms)
    deadline = time.monotonic() + timeout_ms / 1000
    while True:
        left = max(1, int((deadline - time.monotonic()) * 1000))
        page.locator(IDLE).wait_for(state="attached", timeout=left)
        page.locator(BUSY).first.wait_for(state="detached", timeout=left)
        page.wait_for_timeout(STABLE_MS)
        if page.locator(IDLE).count() == 1 and page.locator(BUSY).count() == 0:
            return
        if time.monotonic() > deadline:
            raise TimeoutError(f"the app did not settle within {timeout_ms} ms at {page.url}")


def open_page(page: Page, base_url: str, path: str = "", query: str = "") -> None:
    """Open a link as a person pasting it into the address bar."""
    page.goto(f"{base_url}/{path}" + (f"?{query}" if query else ""))
    settle(page)


def query(page: Page) -> dict[str, list[str]]:
    """The address bar's parameters, repeated keys kept."""
    return parse_qs(urlsplit(page.url).query)


def path_of(page: Page) -> str:
    return urlsplit(page.url).path.strip("/")


@dataclass
class NetworkGuard:
    """Closes the network: lets loopback through, aborts and records everything else."""

    allowed_hosts: tuple[str, ...] = ("127.0.0.1",)
    blocked: list[str] = field(default_factory=list)

    def install(self, context: BrowserContext) -> None:
        context.route("**/*", self._route)

    def _route(self, route: Route) -> None:
        url = route.request.url
        if urlsplit(url).hostname in self.allowed_hosts:
            route.continue_()
        else:
            self.blocked.append(url)
            route.abort("internetdisconnected")

    def since(self, mark: int) -> list[str]:
        return self.blocked[mark:]


@dataclass
class Window:
    """One browser context (its own cookies and storage, like a fresh browser) and its tab."""

    context: BrowserContext
    page: Page
    network: NetworkGuard
    base_url: str


# --- what the sidebar shows and does -------------------------------------------------------

def sidebar(page: Page) -> Locator:
    return page.get_by_test_id("stSidebar")


def show_sidebar(page: Page) -> None:
    """On a phone the sidebar starts folded away: open it as a person would, with its button."""
    button = page.get_by_test_id("stExpandSidebarButton")
    if button.count() and button.is_visible():
        button.click()
        sidebar(page).get_by_test_id("stMultiSelect").first.wait_for(state="visible")


def hide_sidebar(page: Page) -> None:
    button = page.get_by_test_id("stSidebarCollapseButton").locator("button")
    if button.count() and button.first.is_visible():
        button.first.click()
        page.get_by_test_id("stExpandSidebarButton").wait_for(state="visible")


def multiselect(page: Page, label: str) -> Locator:
    box = sidebar(page).get_by_test_id("stMultiSelect").filter(
        has=page.get_by_test_id("stWidgetLabel").get_by_text(label, exact=True))
    return box


def chosen(page: Page, label: str) -> list[str]:
    """The values a multiselect shows as chosen, without their counts: ['KAFO II']."""
    tags = multiselect(page, label).locator("[data-tag]").all_inner_texts()
    return [re.sub(r"\s*\([\d\s\u202f\u00a0,.]+\)$", "", tag.strip()) for tag in tags]


def choose(page: Page, label: str, option: str) -> None:
    """Pick one option (by its name, before the count) in a sidebar multiselect, then close it."""
    multiselect(page, label).get_by_role("combobox").click()
    page.get_by_role("option", name=re.compile(rf"^{re.escape(option)} \(")).click()
    page.keyboard.press("Escape")
    settle(page)


def date_value(page: Page, label: str) -> str:
    box = sidebar(page).get_by_test_id("stDateInput").filter(
        has=page.get_by_test_id("stWidgetLabel").get_by_text(label, exact=True))
    return box.locator("input").input_value()


def go_to(page: Page, url_path: str) -> None:
    """Click a page in the sidebar navigation (by its address, whatever its label)."""
    show_sidebar(page)
    sidebar(page).locator(f"[data-testid='stSidebarNav'] a[href$='/{url_path}']").click()
    page.wait_for_url(re.compile(rf"/{re.escape(url_path)}(\?|$)"))
    settle(page)


def label_of(element: Locator) -> str:
    """The words a person reads on an element: its text without the names of its Material icons."""
    return element.evaluate(
        """el => {
            const copy = el.cloneNode(true);
            copy.querySelectorAll('[data-testid="stIconMaterial"]').forEach(icon => icon.remove());
            return copy.textContent.replace(/\\s+/g, ' ').trim();
        }"""
    )


def nav_labels(page: Page) -> list[str]:
    """The page names in the sidebar navigation, in order."""
    return [label_of(link) for link in sidebar(page).get_by_test_id("stSidebarNavLink").all()]


# --- what the main area shows --------------------------------------------------------------

def heading(page: Page) -> str:
    return page.get_by_test_id("stMain").locator("h1").first.inner_text().strip()


def metrics(page: Page) -> dict[str, str]:
    """Metric label -> the value as displayed."""
    out = {}
    for metric in page.get_by_test_id("stMain").get_by_test_id("stMetric").all():
        name = metric.get_by_test_id("stMetricLabel").inner_text().strip()
        out[name] = metric.get_by_test_id("stMetricValue").inner_text().strip()
    return out


def errors(page: Page) -> list[str]:
    return page.get_by_test_id("stException").all_inner_texts()


def charts(page: Page) -> Locator:
    return page.get_by_test_id("stMain").locator(".js-plotly-plot")


def is_map(chart: Locator) -> bool:
    return chart.locator("canvas.maplibregl-canvas, canvas.mapboxgl-canvas").count() > 0


def chart_is_drawn(chart: Locator) -> bool:
    """A Plotly chart with at least one trace drawn (bars, lines) or a map canvas."""
    return is_map(chart) or chart.locator(".main-svg g.trace").count() > 0


@dataclass(frozen=True)
class Pixels:
    total: int
    not_white: int
    near_colour: int


def map_pixels(chart: Locator, colour: tuple[int, int, int], tolerance: int = 60) -> Pixels:
    """Count what the map canvas shows: non-white pixels, and pixels close to a trace colour."""
    import numpy as np
    from PIL import Image

    canvas = chart.locator("canvas.maplibregl-canvas, canvas.mapboxgl-canvas").first
    canvas.scroll_into_view_if_needed()
    rgb = np.asarray(Image.open(io.BytesIO(canvas.screenshot())).convert("RGB"), dtype=np.int16)
    not_white = int((rgb.min(axis=2) < 235).sum())
    near = int((np.abs(rgb - np.array(colour, dtype=np.int16)).max(axis=2) <= tolerance).sum())
    return Pixels(rgb.shape[0] * rgb.shape[1], not_white, near)


def overflow(page: Page) -> int:
    """How many CSS pixels the content is wider than the window (a phone would scroll sideways)."""
    return page.evaluate(
        """() => {
            const main = document.querySelector('[data-testid="stMain"]');
            const widths = [document.documentElement.scrollWidth, main ? main.scrollWidth : 0];
            return Math.max(...widths) - window.innerWidth;
        }"""
    )


def screenshot(page: Page, name: str) -> Path:
    """The whole page as a person scrolls it (Streamlit scrolls an inner box, not the window)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    viewport = page.viewport_size or DESKTOP
    height = page.evaluate(
        """() => Math.max(...['stMain', 'stSidebarContent', 'stAppViewContainer'].map(id => {
            const el = document.querySelector(`[data-testid="${id}"]`);
            return el ? el.scrollHeight : 0;
        }))"""
    )
    page.set_viewport_size({"width": viewport["width"], "height": min(max(height, viewport["height"]), 12_000)})
    try:
        page.wait_for_timeout(150)  # the charts redraw at the new height
        page.screenshot(path=str(path))
    finally:
        page.set_viewport_size(viewport)
    return path
