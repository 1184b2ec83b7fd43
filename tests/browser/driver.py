"""What a person does in the dashboard, and how a test knows Streamlit has finished drawing.

No fixed sleeps. After an action a test waits for the server to report the script run it
caused as finished (its `script_finished` message on the page's websocket), then, as
Streamlit's own browser tests do, for `data-test-script-state='notRunning'` on the app root,
for the loading skeletons to go, and for that to hold a moment.
Playwright is imported by the fixtures only, so that this module loads without it.
"""

from __future__ import annotations

import ast
import contextlib
import io
import json
import os
import re
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import parse_qs, urlsplit
from weakref import WeakKeyDictionary

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext, Locator, Page, Route

REPO = Path(__file__).resolve().parents[2]
LOCALES = REPO / "kafo_data" / "locales"
# Screenshots and server logs, to look at after a run: outside the checkout ($KAFO_ARTIFACTS or the temp folder),
# one folder per pytest-xdist worker ("main" without xdist), so two workers never write one server log.
ARTIFACTS = Path(os.environ.get("KAFO_ARTIFACTS") or Path(tempfile.gettempdir()) / "kafo-artifacts") / \
    os.environ.get("PYTEST_XDIST_WORKER", "main")
SCREENSHOTS = ARTIFACTS / "screenshots"

IDLE = "[data-testid='stApp'][data-test-script-state='notRunning']"
CONNECTED = "[data-testid='stApp'][data-test-connection-state='CONNECTED']"
BUSY = "[data-testid='stSkeleton'], [data-testid='stApp'][data-test-script-state='running']"
STABLE_MS = 250
POLL_MS = 50
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


@dataclass(frozen=True)
class PageEntry:
    url_path: str
    title_key: str
    default: bool


def registry() -> list[PageEntry]:
    """The pages of app.py's PAGES registry, in order, read from its source (not run)."""
    tree = ast.parse((REPO / "app.py").read_text(encoding="utf-8"))
    entries = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "PageSpec":
            _path, url_path, title_key = (ast.literal_eval(arg) for arg in node.args[:3])
            entries.append(PageEntry(url_path, title_key, default=not entries))
    return entries


class RunWatch:
    """Counts the script runs the server reports finished, read from the page's websocket.

    The DOM's script state can go running -> notRunning between two looks (a fast rerun), so
    it cannot tell a test whether its click has been handled yet; the server's
    `script_finished` message says so for certain. A run cut short by a rerun does not count.
    """

    def __init__(self, page: Page) -> None:
        self.finished = 0
        self.sent = 0  # messages the page sent the server (a widget's new value is one)
        self.seen: list[str] = []  # the last messages' types, for a timeout's message
        page.on("websocket", self._socket)
        page.on("framenavigated", lambda frame: frame.parent_frame is None and self._note(f"page {frame.url}"))
        page.on("requestfailed", lambda request: self._note(f"failed {request.url} {request.failure}"))
        page.on("response", lambda response: "/_stcore/" in response.url
                and self._note(f"{response.status} {response.url.split('/_stcore/')[1][:40]}"))

    def _note(self, event: str) -> None:
        self.seen = [*self.seen[-30:], event]

    def _socket(self, socket) -> None:
        self._note(f"socket {socket.url}")
        socket.on("framereceived", self._frame)
        socket.on("framesent", self._sent)
        socket.on("close", lambda *_: self._note("socket closed"))

    def _sent(self, _payload: bytes | str) -> None:
        self.sent += 1

    def _frame(self, payload: bytes | str) -> None:
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        if isinstance(payload, str):
            return
        message = ForwardMsg.FromString(payload)
        self._note(str(message.WhichOneof("type")))
        if (message.WhichOneof("type") == "script_finished"
                and message.script_finished != ForwardMsg.FINISHED_EARLY_FOR_RERUN):
            self.finished += 1


_WATCHES: WeakKeyDictionary[Page, RunWatch] = WeakKeyDictionary()
LOST_PRESS_S = 10.0


def watch_runs(page: Page) -> None:
    """Count the page's script runs from now on; call it before the page opens the app."""
    _WATCHES[page] = RunWatch(page)


def rerun(page: Page, action: Callable[[], object], timeout_ms: int = TIMEOUT_MS) -> None:
    """Do what makes Streamlit run the script, wait for that run to finish, then for the drawing."""
    watch = _WATCHES[page]
    before, sent = watch.finished, watch.sent
    action()
    deadline = time.monotonic() + timeout_ms / 1000
    retry_at = time.monotonic() + LOST_PRESS_S
    while watch.finished <= before:
        if watch.sent == sent and time.monotonic() > retry_at:
            # The press reached no widget: the page sent the server nothing (seen once in a full run, on a
            # radio redrawn just then). Pressed again, once; a widget that never answers still times out.
            watch._note("nothing sent: pressed again")
            retry_at = deadline
            action()
        if time.monotonic() > deadline:
            shot = SCREENSHOTS / "timeout.png"
            with contextlib.suppress(Exception):
                SCREENSHOTS.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=shot, timeout=5_000)
            raise TimeoutError(f"no script run finished within {timeout_ms} ms at {page.url} (see {shot}); "
                               f"the websocket's last messages: {watch.seen}")
        page.wait_for_timeout(POLL_MS)  # lets Playwright deliver the websocket's frames
    settle(page, timeout_ms)


def settle(page: Page, timeout_ms: int = TIMEOUT_MS) -> None:
    """Wait until the app is idle with nothing left to draw, and stays so for a moment."""
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
    rerun(page, lambda: page.goto(f"{base_url}/{path}" + (f"?{query}" if query else "")))


def query(page: Page) -> dict[str, list[str]]:
    """The address bar's parameters, repeated keys kept."""
    return parse_qs(urlsplit(page.url).query)


def query_of(text: str) -> dict[str, list[str]]:
    """A query string's parameters, as `query` gives them."""
    return parse_qs(text)


def path_of(page: Page) -> str:
    return urlsplit(page.url).path.strip("/")


@dataclass
class NetworkGuard:
    """Closes the network: lets loopback through, aborts and records everything else."""

    allowed_hosts: tuple[str, ...] = ("127.0.0.1",)
    blocked: list[str] = field(default_factory=list)
    log: list[str] | None = None  # shared by every window, for the run's summary

    def install(self, context: BrowserContext) -> None:
        context.route("**/*", self._route)

    def _route(self, route: Route) -> None:
        url = route.request.url
        if urlsplit(url).hostname in self.allowed_hosts:
            route.continue_()
        else:
            self.blocked.append(url)
            if self.log is not None:
                self.log.append(url)
            route.abort("internetdisconnected")

    def since(self, mark: int) -> list[str]:
        """What was blocked after `mark` (an earlier length of `blocked`)."""
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
        # The language switch is on every page (Load reports has no filters).
        sidebar(page).get_by_role("radio", name="English").wait_for(state="visible")


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
    """Pick one option (by its name, before the count) in a sidebar multiselect, as a person types it."""
    box = multiselect(page, label).get_by_role("combobox")
    box.click()
    # The option list is virtual: an option below its fold is not in the page until typed for.
    box.press_sequentially(option)
    rerun(page, page.get_by_role("option", name=re.compile(rf"^{re.escape(option)} \(")).click)
    page.keyboard.press("Escape")


def date_value(page: Page, label: str) -> str:
    box = sidebar(page).get_by_test_id("stDateInput").filter(
        has=page.get_by_test_id("stWidgetLabel").get_by_text(label, exact=True))
    return box.locator("input").input_value()


def go_to(page: Page, url_path: str) -> None:
    """Click a page in the sidebar navigation (by its address, whatever its label)."""
    show_sidebar(page)
    rerun(page, sidebar(page).locator(f"[data-testid='stSidebarNav'] a[href$='/{url_path}']").click)
    page.wait_for_url(re.compile(rf"/{re.escape(url_path)}(\?|$)"))


def label_of(element: Locator) -> str:
    """The words a person reads on an element: its text without the names of its Material icons."""
    return element.evaluate(
        """el => {
            const copy = el.cloneNode(true);
            copy.querySelectorAll('[data-testid="stIconMaterial"]').forEach(icon => icon.remove());
            return copy.textContent.replace(/\\s+/g, ' ').trim();
        }"""
    )


def set_language(page: Page, lang: str) -> None:
    """Press English or Français in the sidebar's language switch."""
    show_sidebar(page)
    rerun(page, sidebar(page).get_by_role("radio", name={"en": "English", "fr": "Français"}[lang]).click)


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
    """A map: country outlines drawn as shapes on plain axes (kafo_data.seizures.charts), or a map canvas."""
    return chart.locator("canvas.maplibregl-canvas, canvas.mapboxgl-canvas, .shapelayer path").count() > 0


def chart_is_drawn(chart: Locator) -> bool:
    """A Plotly chart with at least one trace drawn (bars, lines) or a map canvas."""
    return is_map(chart) or chart.locator(".main-svg g.trace").count() > 0


@dataclass(frozen=True)
class Pixels:
    total: int
    not_white: int
    near_colour: int


def map_pixels(chart: Locator, colour: tuple[int, int, int], tolerance: int = 60) -> Pixels:
    """Count what the map shows: non-white pixels, and pixels close to a trace colour."""
    import numpy as np
    from PIL import Image

    canvas = chart.locator("canvas.maplibregl-canvas, canvas.mapboxgl-canvas")
    area = canvas.first if canvas.count() else chart.locator(".nsewdrag").first  # the drawn area of the axes
    area.scroll_into_view_if_needed()
    rgb = np.asarray(Image.open(io.BytesIO(area.screenshot())).convert("RGB"), dtype=np.int16)
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


def is_phone(page: Page) -> bool:
    return (page.viewport_size or DESKTOP)["width"] < 600


# Every screenshot costs Chromium a relayout at the page's full height and back (a third of a page test's
# CPU): by default a test's named screenshot is taken only if the test fails (`save_pending`, called by
# tests/browser/conftest.py); KAFO_SCREENSHOTS=all takes each one when the test asks, to look at them all.
ALL_SCREENSHOTS = os.environ.get("KAFO_SCREENSHOTS") == "all"
_PENDING: WeakKeyDictionary[Page, Path] = WeakKeyDictionary()


def screenshot(page: Page, name: str) -> Path:
    """The whole page from the top, as a person scrolls it; its path, where it is (or will be) saved."""
    path = SCREENSHOTS / f"{name}.png"
    if ALL_SCREENSHOTS:
        _take(page, path)
    else:
        _PENDING[page] = path
    return path


def forget_pending() -> None:
    _PENDING.clear()


def save_pending(pages: list[Page], fallback: str) -> list[Path]:
    """A failed test's pages, each under the name its test last gave it (or `fallback`-k)."""
    saved = []
    for k, page in enumerate(pages):
        path = _PENDING.pop(page, None) or SCREENSHOTS / f"{fallback}-{k + 1}.png"
        with contextlib.suppress(Exception):
            _take(page, path)
            saved.append(path)
    return saved


def _take(page: Page, path: Path) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    viewport = page.viewport_size or DESKTOP
    height = page.evaluate(
        """() => {
            window.scrollTo(0, 0);
            const boxes = ['stMain', 'stSidebarContent', 'stAppViewContainer']
                .map(id => document.querySelector(`[data-testid="${id}"]`)).filter(Boolean);
            boxes.forEach(box => box.scrollTo(0, 0));
            return Math.max(...boxes.map(box => box.scrollHeight));
        }"""
    )
    page.set_viewport_size({"width": viewport["width"], "height": min(max(height, viewport["height"]), 16_000)})
    try:
        page.wait_for_timeout(150)  # the charts redraw at the new height
        page.screenshot(path=str(path))
    finally:
        page.set_viewport_size(viewport)
