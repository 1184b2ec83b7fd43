"""Every page as a person opens it, on a desktop and on a phone, in English and in French.

What only a browser shows: an error box, a chart that never draws, a map left blank because
its base map would come from the internet (the network is closed here), a page wider than a
phone. Each run leaves a screenshot per page, size and language under $KAFO_ARTIFACTS (default /tmp/kafo-artifacts).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest

from kafo_data.seizures import charts
from tests.browser import driver

# One worker runs this module: its windows (one per size) open once, not once per worker, and stay warm.
pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("pages")]
OUTLINE_RGB = tuple(int(charts.OUTLINE_COLOUR[k:k + 2], 16) for k in (1, 3, 5))


@dataclass(frozen=True)
class PageCase:
    url_path: str
    nav_key: str
    title_key: str | None = None
    min_charts: int = 0
    map_colour: tuple[int, int, int] | None = None
    must_show: str | None = None

    @property
    def name(self) -> str:
        return self.url_path or "overview"


# What a person should find on each page (keyed by its navigation label): its title, how many
# charts at least, the colour of its map's own trace, one element it cannot do without. The
# participation map shades countries in Plotly's "Blues"; the seizures map draws Okabe-Ito
# vermillion points. A page added to app.py's registry is checked for the rest at once.
EXPECT = {
    "nav.overview": {"title_key": "overview.title", "min_charts": 2, "map_colour": (66, 146, 198)},
    "nav.seizures": {"title_key": "seizures.title", "min_charts": 2, "map_colour": (213, 94, 0),
                     "must_show": "stMetric"},
    "nav.operations": {"title_key": "operations.title", "must_show": "stTable"},
    "nav.budget": {"title_key": "budget.title", "min_charts": 1, "must_show": "stMetric"},
    "nav.data": {"title_key": "data.title", "must_show": "stTable"},
    "nav.upload": {"title_key": "upload.title", "must_show": "stFileUploader"},
    "nav.firearms": {"title_key": "firearms.title", "min_charts": 1, "must_show": "stMarkdown"},
    "nav.reporting": {"title_key": "reporting.title", "must_show": "stDataFrame"},
}
PAGES = [PageCase("" if entry.default else entry.url_path, entry.title_key, **EXPECT.get(entry.title_key, {}))
         for entry in driver.registry()]


def visit(window: driver.Window, case: PageCase, lang: str) -> None:
    """Reach the page as a person does: the first by its address, the next through the sidebar.

    Moving inside the app keeps Plotly loaded: a full page load costs Chromium several seconds.
    """
    page = window.page
    if not page.url.startswith(window.base_url):
        driver.open_page(page, window.base_url, case.url_path, "lang=fr" if lang == "fr" else "")
        return
    if driver.query(page).get("lang", ["en"]) != [lang]:
        driver.set_language(page, lang)
    if driver.path_of(page) != case.url_path:
        driver.go_to(page, case.url_path)
    if driver.is_phone(page):
        driver.hide_sidebar(page)


def check_page(window: driver.Window, case: PageCase, lang: str) -> list[str]:
    """The checks every page passes on any screen; returns the external requests it tried."""
    page = window.page
    mark = len(window.network.blocked)
    visit(window, case, lang)
    assert driver.query(page).get("lang", ["en"]) == [lang]
    assert driver.errors(page) == [], f"error box on /{case.url_path} ({lang}); see {driver.ARTIFACTS}/server.log"
    if case.title_key:
        assert driver.heading(page) == driver.text(case.title_key, lang)
    if case.must_show:
        assert page.get_by_test_id("stMain").get_by_test_id(case.must_show).count() > 0
    charts = driver.charts(page)
    assert charts.count() >= case.min_charts, f"/{case.url_path}: {charts.count()} charts drawn"
    for k in range(charts.count()):
        assert driver.chart_is_drawn(charts.nth(k)), f"/{case.url_path}: chart {k + 1} has nothing drawn"
    if case.map_colour:
        maps = [charts.nth(k) for k in range(charts.count()) if driver.is_map(charts.nth(k))]
        assert maps, f"/{case.url_path}: no map"
        pixels = driver.map_pixels(maps[0], case.map_colour)
        assert pixels.not_white > pixels.total * 0.02, f"/{case.url_path}: the map is blank ({pixels})"
        assert pixels.near_colour > 30, f"/{case.url_path}: the map's points/areas are not drawn ({pixels})"
        # The outlines come from the app's own file (static/countries.geojson), drawn under the traces.
        outlines = driver.map_pixels(maps[0], OUTLINE_RGB, tolerance=24)
        assert outlines.near_colour > 200, f"/{case.url_path}: the country outlines are not drawn ({outlines})"
    return window.network.since(mark)


@pytest.fixture(scope="module")
def desktop_tour(new_window: Callable[..., driver.Window], app_url: str) -> driver.Window:
    """A window of its own, with no filters chosen, that walks through every page."""
    return new_window(app_url, "desktop")


@pytest.fixture(scope="module")
def phone_tour(new_window: Callable[..., driver.Window], app_url: str) -> driver.Window:
    return new_window(app_url, "phone")


@pytest.mark.parametrize("case", PAGES, ids=lambda c: c.name)
@pytest.mark.parametrize("lang", ["en", "fr"])
def test_page_on_desktop(case: PageCase, lang: str, desktop_tour: driver.Window) -> None:
    """No error box, the charts and the map drawn with the network closed, labels in the language."""
    external = check_page(desktop_tour, case, lang)
    nav = driver.nav_labels(desktop_tour.page)
    shot = driver.screenshot(desktop_tour.page, f"{case.name}-desktop-{lang}")
    assert driver.text(case.nav_key, lang) in nav, f"sidebar navigation shows {nav}; see {shot}"
    assert external == [], f"the page asked the internet for {external}; see {shot}"


@pytest.mark.parametrize("case", PAGES, ids=lambda c: c.name)
@pytest.mark.parametrize("lang", ["en", "fr"])
def test_page_on_phone(case: PageCase, lang: str, phone_tour: driver.Window) -> None:
    """At 390 x 844 nothing is wider than the screen, and the filters are one tap away."""
    external = check_page(phone_tour, case, lang)
    page = phone_tour.page
    shot = driver.screenshot(page, f"{case.name}-phone-{lang}")
    assert driver.overflow(page) <= 1, f"/{case.url_path} scrolls sideways on a phone; see {shot}"
    charts = driver.charts(page)
    for k in range(charts.count()):
        box = charts.nth(k).bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= driver.PHONE["width"] + 1, (
            f"/{case.url_path}: chart {k + 1} sticks out of the screen ({box}); see {shot}")
    driver.show_sidebar(page)
    operation = driver.multiselect(page, driver.text("filters.operation", lang))
    if operation.count():  # Load reports shows no filters: they do nothing there
        box = operation.bounding_box()
        assert operation.is_visible() and box and box["x"] + box["width"] <= driver.PHONE["width"], (
            f"the filters do not fit on a phone: {box}")
    if case.url_path == "seizures":
        driver.screenshot(page, f"filters-phone-{lang}")
    driver.hide_sidebar(page)
    assert external == [], f"the page asked the internet for {external}; see {shot}"
