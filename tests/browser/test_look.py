"""Issue 16 in Chromium, at 390 px (a phone) and 1,400 px: what a donor sees and takes away.

Each test reads the drawn page (tests/browser/look.py): where Plotly put each country, point,
label and button; the contrast of every text against what is behind it; the page's title and
language; what a download is called. Screenshots are left under `driver.SCREENSHOTS` (the temp
folder's kafo-artifacts/<worker>/screenshots/, `look-*`) to be looked at. What does not depend on the
screen's width (a table's content and order, number formats, language, titles, help) is read at 1,400 px
only; what a layout decides (maps, labels, buttons, contrast over what is behind) at both widths.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pyarrow.parquet as pq
import pytest

from tests.browser import driver, look

# One worker runs this module: its windows (one per size) open once, not once per worker, and stay warm.
pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("look")]
WIDTHS = {"phone": driver.PHONE["width"], "desktop": driver.DESKTOP["width"]}


@pytest.fixture(scope="module", params=["phone", "desktop"])
def window(request: pytest.FixtureRequest, new_window: Callable[..., driver.Window], app_url: str) -> driver.Window:
    return new_window(app_url, request.param)


def size(window: driver.Window) -> str:
    return "phone" if driver.is_phone(window.page) else "desktop"


def participating(data_dir) -> set[str]:
    """The countries of every edition, from the built reference table (not from the app)."""
    rows = pq.read_table(data_dir / "built" / "operation_countries.parquet").to_pylist()
    return {row["country_iso3"] for row in rows}


def country_names(data_dir, lang: str = "en") -> dict[str, str]:
    rows = pq.read_table(data_dir / "built" / "countries.parquet").to_pylist()
    return {row["iso3"]: row[f"name_{lang}"] for row in rows}


# --- 1. maps ------------------------------------------------------------------------------------

def test_every_participating_country_is_whole_on_the_map_at_every_width(window: driver.Window, server) -> None:
    page = window.page
    driver.open_page(page, server.url)
    names = country_names(server.data_dir)
    wanted = {names[c] for c in participating(server.data_dir)}
    widths = [WIDTHS[size(window)]] + ([360] if size(window) == "phone" else [1024, 1920])
    for width in widths:
        page.set_viewport_size({"width": width, "height": (page.viewport_size or driver.DESKTOP)["height"]})
        page.wait_for_timeout(400)  # Plotly lays the chart out again at the new width
        shape = look.geometry(look.chart(page, driver.text("overview.map", "en")))
        drawn = {re.sub(r"<[^>]+>.*", "", t["name"].removeprefix("<b>")): t["fill"] for t in shape["traces"]}
        assert set(drawn) == wanted, f"{width} px: countries drawn {sorted(drawn)}"
        cut = [name for name, fill in drawn.items() if not look.inside(fill, shape["plot"])]
        shot = driver.screenshot(page, f"look-map-{width}")
        assert cut == [], f"{width} px: {cut} cut off the map; see {shot}"
        # The legend stands above the map, on no land.
        assert shape["legend"]["bottom"] <= shape["plot"]["top"] + 1, f"{width} px: legend on the map; see {shot}"
        assert shape["legend"]["right"] <= shape["figure"]["right"] + 1
    page.set_viewport_size(driver.PHONE if size(window) == "phone" else driver.DESKTOP)


def test_no_seizure_place_is_cut_off_the_map(window: driver.Window, server) -> None:
    page = window.page
    driver.open_page(page, server.url, "seizures")
    shape = look.geometry(look.chart(page, driver.text("seizures.map_title", "en")))
    points = [p for t in shape["traces"] for p in t["points"]]
    assert points, "no place drawn"
    centres_out = [p for p in points if not look.inside(
        {"left": (p["left"] + p["right"]) / 2, "right": (p["left"] + p["right"]) / 2,
         "top": (p["top"] + p["bottom"]) / 2, "bottom": (p["top"] + p["bottom"]) / 2}, shape["plot"])]
    shot = driver.screenshot(page, f"look-places-{size(window)}")
    assert centres_out == [], f"{len(centres_out)} places outside the map; see {shot}"
    # On a desktop the map fills its box: the drawn area is at least 90 % of the chart's width.
    if size(window) == "desktop":
        assert shape["plot"]["width"] >= 0.9 * shape["figure"]["width"], shape


# --- 3. operations page follows the filters it names ---------------------------------------------

def test_operations_tables_show_only_the_chosen_edition(desktop: driver.Window, server) -> None:
    page = desktop.page
    driver.open_page(page, server.url, "operations", "operation=KAFO-II")
    for shelf in page.get_by_test_id("stExpander").filter(has_text=driver.text("links.open_table", "en")).all():
        shelf.locator("summary").click()  # the long tables are folded (issue 28)
    operation = driver.text("operations.col.operation", "en")
    for column in ("operations.col.sample_events", "operations.col.reconciliation"):
        table = page.get_by_test_id("stTable").filter(
            has=page.get_by_role("columnheader", name=driver.text(column, "en")))
        headers = [h.strip() for h in table.get_by_role("columnheader").all_inner_texts()]
        first = headers.index(operation)
        cells = {row.locator("th, td").nth(first).inner_text().strip() for row in table.locator("tbody tr").all()}
        assert cells == {"KAFO II"}, (column, cells)
    driver.screenshot(page, "look-operations-desktop")


# --- 4. timeline labels -------------------------------------------------------------------------

def test_timeline_dates_are_whole(window: driver.Window, server) -> None:
    page = window.page
    driver.open_page(page, server.url)
    shape = look.geometry(look.chart(page, driver.text("overview.timeline", "en")))
    dates = {a["text"]: a["box"] for a in shape["annotations"]}
    assert "30 Nov 2020 – 6 Dec 2020" in dates, sorted(dates)
    cut = [text for text, box in dates.items() if not look.inside(box, shape["figure"])]
    shot = driver.screenshot(page, f"look-timeline-{size(window)}")
    assert cut == [], f"labels cut: {cut}; see {shot}"


# --- 5. the phone's sidebar ---------------------------------------------------------------------

def test_on_a_phone_the_sidebar_closes_after_a_page_is_tapped_and_stays_closed(
        new_window: Callable[..., driver.Window], app_url: str) -> None:
    phone = new_window(app_url, "phone")
    page = phone.page
    driver.open_page(page, app_url, "operations")
    bar = driver.sidebar(page)

    def open_() -> bool:
        box = bar.bounding_box()
        return bool(box and box["x"] + box["width"] > 40)

    assert not open_(), "the sidebar covers the page on arrival"
    driver.show_sidebar(page)
    page.wait_for_function("() => document.querySelector('[data-testid=\"stSidebar\"]')"
                           ".getBoundingClientRect().left >= 0", timeout=5000)
    driver.rerun(page, bar.locator("[data-testid='stSidebarNav'] a[href$='/seizures']").click)
    page.wait_for_function("() => document.querySelector('[data-testid=\"stSidebar\"]')"
                           ".getBoundingClientRect().right <= 40", timeout=5000)
    shot = driver.screenshot(page, "look-phone-after-tap")
    assert not open_(), f"the sidebar stayed over the page; see {shot}"
    driver.open_page(page, app_url, "budget")
    assert not open_(), "the sidebar came back open on the next load"
    phone.context.close()


# --- 6. French ----------------------------------------------------------------------------------

def test_french_pages_say_so_and_read_french(desktop: driver.Window, server) -> None:
    page = desktop.page
    driver.open_page(page, server.url, "operations", "lang=fr")
    assert page.evaluate("document.documentElement.lang") == "fr"
    for shelf in page.get_by_test_id("stExpander").filter(has_text=driver.text("links.open_table", "fr")).all():
        shelf.locator("summary").click()  # the long tables are folded (issue 28)
    driver.settle(page)
    body = page.get_by_test_id("stMain").inner_text()
    assert "UNODC and INTERPOL" not in body and " and " not in body.split("\n")[0]
    assert "chiffre publié (" in body and "cartouches publiées" not in body  # « le chiffre publié (6 162 cartouches) »
    driver.show_sidebar(page)
    placeholders = driver.sidebar(page).locator("[data-testid='stDateInput'] span[data-placeholder='true']")
    shown = [s.evaluate("el => getComputedStyle(el, '::before').content") for s in placeholders.all()[:3]]
    assert shown == ['"aaaa"', '"mm"', '"jj"'], shown
    driver.hide_sidebar(page)
    driver.screenshot(page, "look-operations-fr-desktop")
    driver.open_page(page, server.url, "data_sources", "lang=fr")
    data = page.get_by_test_id("stMain").inner_text()
    assert "échantillon généré" in data
    assert not re.search(r"\tsample\t", data)
    driver.open_page(page, server.url, "budget", "lang=fr")
    assert "cheffe de la Section" in page.get_by_test_id("stMain").inner_text()
    driver.open_page(page, server.url, "operations")
    assert page.evaluate("document.documentElement.lang") == "en"


# --- 7. contrast --------------------------------------------------------------------------------

@pytest.mark.parametrize("path", ["", "seizures", "operations", "budget"])
def test_every_text_is_at_least_4_5_to_1(window: driver.Window, server, path: str) -> None:
    page = window.page
    driver.open_page(page, server.url, path)
    driver.show_sidebar(page)
    found = look.contrasts(page)
    assert len(found) > 30
    low = sorted({(round(f["ratio"], 2), f["testid"], f["text"]) for f in found if f["ratio"] < 4.5})
    shot = driver.screenshot(page, f"look-contrast-{path or 'overview'}-{size(window)}")
    assert low == [], f"texts under 4.5:1 on /{path}: {low[:12]}; see {shot}"
    if driver.is_phone(page):
        driver.hide_sidebar(page)


# --- 10. tables, names, titles, the long home page ---------------------------------------------

def test_table_twins_write_numbers_as_people_do(desktop: driver.Window, server) -> None:
    page = desktop.page
    driver.open_page(page, server.url, "seizures")
    expanders = page.get_by_test_id("stMain").get_by_test_id("stExpander").filter(
        has_text=driver.text("seizures.table_twin", "en"))
    assert expanders.count() >= 2 and expanders.locator("[data-testid='stTable']").count() == 0
    for k in range(expanders.count()):  # a twin is built when opened: each opening is a run of the script
        driver.rerun(page, expanders.nth(k).locator("summary").click)
    cells = expanders.locator("[data-testid='stTable'] td").all_inner_texts()
    assert cells
    assert [c for c in cells if re.fullmatch(r"-?[\d,]+\.\d{3,}", c.strip())] == []


def test_countries_are_listed_in_the_order_of_their_names(desktop: driver.Window, server) -> None:
    page = desktop.page
    for lang, first, last in (("en", "Benin", "Chad"), ("fr", "Bénin", "Tchad")):
        driver.open_page(page, server.url, "operations", f"lang={lang}" if lang == "fr" else "")
        column = driver.text("operations.col.countries", lang)
        table = page.get_by_test_id("stTable").filter(has=page.get_by_role("columnheader", name=column)).first
        headers = [h.strip() for h in table.get_by_role("columnheader").all_inner_texts()]
        k = headers.index(column)
        lists = [row.locator("th, td").nth(k).inner_text().split(", ") for row in table.locator("tbody tr").all()]
        for names in lists:
            assert names == sorted(names, key=lambda n: n.replace("É", "E").replace("é", "e").casefold()), names
        assert any(first in names and last in names for names in lists)


def test_every_page_has_its_own_browser_title(desktop: driver.Window, server) -> None:
    page = desktop.page
    titles = set()
    driver.open_page(page, server.url)
    for entry in driver.registry():  # from page to page through the sidebar, as a person moves: the title follows
        if not entry.default:
            driver.go_to(page, entry.url_path)
        title = page.title()
        assert title == driver.text("look.page_title", "en", page=driver.text(entry.title_key, "en")), title
        titles.add(title)
    assert len(titles) == len(driver.registry())


def test_load_reports_shows_no_filters_that_do_nothing_there(desktop: driver.Window, server) -> None:
    page = desktop.page
    driver.open_page(page, server.url, "upload", "country=NER")
    bar = driver.sidebar(page)
    bar.get_by_role("radio", name="English").wait_for(state="attached")
    assert bar.get_by_test_id("stMultiSelect").count() == 0
    assert bar.get_by_test_id("stDateInput").count() == 0
    assert driver.query(page).get("country") == ["NER"], "the selection is kept for the next page"


def test_filter_counts_are_explained(desktop: driver.Window, server) -> None:
    page = desktop.page
    driver.open_page(page, server.url, "seizures")
    driver.show_sidebar(page)
    text = driver.sidebar(page).inner_text()
    help_icons = driver.sidebar(page).get_by_test_id("stMultiSelect").get_by_test_id("stTooltipIcon")
    assert driver.text("look.filter_counts", "en") in text or help_icons.count() >= 1
    driver.hide_sidebar(page)


def test_the_home_page_shows_one_operation_at_a_time_with_cards_in_rows(window: driver.Window, server) -> None:
    page = window.page
    driver.open_page(page, server.url)
    main = page.get_by_test_id("stMain")
    jump = main.get_by_test_id("stButtonGroup").filter(has_text="KAFO II")
    assert jump.count() == 1, "no way to jump to one operation"
    driver.rerun(page, jump.get_by_role("radio", name="KAFO II", exact=True).first.click)
    assert main.get_by_role("heading", name=re.compile(r"^KAFO II · ")).count() == 1
    assert main.get_by_role("heading", name=re.compile(r"^KAFO V · ")).count() == 0
    height = page.evaluate("document.querySelector('[data-testid=\"stMain\"]').scrollHeight")
    shot = driver.screenshot(page, f"look-home-{size(window)}")
    if size(window) == "desktop":
        # KAFO II, the longest edition (ten cards, with the notes that say what not to add up): 3,594 px
        assert height < 3800, f"the home page is {height} px long; see {shot}"
        # Cards of one row start at the same height.
        rows = main.get_by_test_id("stHorizontalBlock").filter(has=page.get_by_text("“"))
        for row in rows.all()[:3]:
            tops = [round(c.bounding_box()["y"]) for c in row.get_by_test_id("stColumn").all()]
            assert max(tops) - min(tops) <= 1, tops


# --- charts to take away ------------------------------------------------------------------------

def test_each_chart_has_one_image_button_clear_of_its_title(window: driver.Window, server) -> None:
    page = window.page
    def check(path: str) -> None:
        plots = driver.charts(page)
        assert plots.count() >= 1
        for k in range(plots.count()):
            shape = look.geometry(plots.nth(k))
            buttons = shape["buttons"]
            assert [b["title"] for b in buttons] == ["Download plot as a png"] or len(buttons) == 1, buttons
            if look.overlap(buttons[0]["box"], shape["title"]):
                shot = driver.screenshot(page, f"look-button-{path or 'overview'}-{size(window)}")
                pytest.fail(f"/{path}: the image button covers chart {k + 1}'s title; see {shot}")

    for path in ("", "seizures", "budget"):
        driver.open_page(page, server.url, path)
        check(path)
    for view in ("donor", "output", "period", "revised"):  # the budget page shows one view at a time
        name = driver.text(f"budget.view.{view}", "en")
        driver.rerun(page, page.get_by_test_id("stMain").get_by_role("radio", name=name, exact=True).click)
        check(f"budget ({view})")


def test_a_chart_downloads_as_png_and_svg_named_after_what_it_shows(desktop: driver.Window, server) -> None:
    page = desktop.page
    driver.open_page(page, server.url, "seizures")
    title = page.evaluate("() => document.querySelector('[data-testid=\"stMain\"] .js-plotly-plot')"
                          ".layout.title.text.replace(/<br>/g, ' ').replace(/<[^>]+>/g, '')")
    chart = driver.charts(page).first
    chart.scroll_into_view_if_needed()
    with page.expect_download() as png:
        chart.locator(".modebar-btn").first.click()
    name = png.value.suggested_filename
    assert name.startswith("kafo_") and name.endswith("_sample.png"), name
    assert "by" in name and title.split(" ")[0].lower() in name, (title, name)
    assert png.value.path().read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

    driver.rerun(page, driver.sidebar(page).get_by_role("radio", name="SVG").click)
    chart = driver.charts(page).first
    with page.expect_download() as svg:
        chart.locator(".modebar-btn").first.click()
    assert svg.value.suggested_filename.endswith(".svg")
    image = svg.value.path().read_text(encoding="utf-8")
    assert "sample data" in image.lower() or "données d'échantillon" in image.lower()
    assert "Source" in image
    driver.rerun(page, driver.sidebar(page).get_by_role("radio", name="PNG").click)
