"""The URL is the state: filters chosen by hand, shared as a link, carried from page to page.

Every figure is checked against a count made without the app (tests/browser/expected.py), so a
filter that is shown but not applied, or applied but not shown, fails.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import pytest

from tests.browser import driver
from tests.browser.expected import counts, operation_names

if TYPE_CHECKING:
    from playwright.sync_api import Page

# These modules share the desktop window on one worker: it opens once, not once per worker.
pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("desktop")]


def per_edition(page: Page, lang: str = "en") -> dict[str, str]:
    """Operations page: seizure events per edition, from the 'records of the selection' table."""
    column = driver.text("operations.col.sample_events", lang)
    table = page.get_by_test_id("stTable").filter(has=page.get_by_role("columnheader", name=column))
    headers = [h.strip() for h in table.get_by_role("columnheader").all_inner_texts()]
    events = headers.index(driver.text("seizures.events", lang))
    out = {}
    for row in table.locator("tbody tr").all():
        cells = [c.strip() for c in row.get_by_role("cell").all_inner_texts()]
        row_header = row.get_by_role("rowheader").all_inner_texts()
        cells = [h.strip() for h in row_header] + cells
        out[cells[0]] = cells[events]
    return out


def test_choosing_filters_changes_figures_and_url_and_the_link_keeps_them(
        desktop: driver.Window, new_window: Callable[..., driver.Window], server) -> None:
    """Choose, copy the link, open it in a fresh browser, move to other pages: same filters, same figures."""
    page = desktop.page
    driver.open_page(page, server.url, "seizures")
    assert driver.metrics(page) == counts(server.data_dir).shown()
    assert driver.query(page) == {}

    driver.choose(page, "Operation", "KAFO II")
    assert driver.metrics(page) == counts(server.data_dir, ("KAFO-II",)).shown()
    assert driver.query(page) == {"operation": ["KAFO-II"]}

    driver.choose(page, "Country", "Niger")
    wanted = counts(server.data_dir, ("KAFO-II",), ("NER",))
    assert driver.metrics(page) == wanted.shown()
    assert driver.query(page) == {"operation": ["KAFO-II"], "country": ["NER"]}
    link = page.url

    other = new_window(server.url).page
    driver.rerun(other, lambda: other.goto(link))
    assert driver.chosen(other, "Operation") == ["KAFO II"]
    assert driver.chosen(other, "Country") == ["Niger"]
    assert driver.metrics(other) == wanted.shown()

    driver.go_to(other, "operations")
    assert driver.query(other) == {"operation": ["KAFO-II"], "country": ["NER"]}, "the link lost its filters"
    assert driver.chosen(other, "Operation") == ["KAFO II"]
    assert driver.chosen(other, "Country") == ["Niger"]
    # One row per edition of the selection (KAFO II only), the country filter held.
    names = operation_names(server.data_dir)
    assert per_edition(other) == {names["KAFO-II"]: str(wanted.events)}

    driver.go_to(other, "seizures")
    assert driver.query(other) == {"operation": ["KAFO-II"], "country": ["NER"]}
    assert driver.metrics(other) == wanted.shown()
    other.context.close()


def test_a_link_with_unknown_values_says_which_and_keeps_the_rest(desktop: driver.Window, server) -> None:
    """A mistyped link is not silently 'all data': the notice names what was ignored."""
    page = desktop.page
    driver.open_page(page, server.url, "seizures", "operation=KAFO-99&country=NER&from=2020-13-45")
    notice = page.get_by_test_id("stAlert").filter(has_text=driver.text("filters.ignored", "en", values="").strip())
    assert notice.count() == 1, "no notice about the link's unknown values"
    assert "KAFO-99" in notice.inner_text() and "2020-13-45" in notice.inner_text()
    assert driver.chosen(page, "Operation") == []
    assert driver.chosen(page, "Country") == ["Niger"]
    assert driver.metrics(page) == counts(server.data_dir, country=("NER",)).shown()
    assert driver.query(page) == {"country": ["NER"]}


def test_switching_to_french_shows_french_and_keeps_the_filters(desktop: driver.Window, server) -> None:
    """The language switch changes the words, not the selection, on this page and the next."""
    page = desktop.page
    driver.open_page(page, server.url, "seizures", "operation=KAFO-II&country=NER")
    wanted = counts(server.data_dir, ("KAFO-II",), ("NER",))
    driver.set_language(page, "fr")

    assert driver.heading(page) == driver.text("seizures.title", "fr")
    assert driver.metrics(page) == wanted.shown("fr")
    assert driver.chosen(page, driver.text("filters.operation", "fr")) == ["KAFO II"]
    assert driver.chosen(page, driver.text("filters.country", "fr")) == ["Niger"]
    assert driver.query(page) == {"operation": ["KAFO-II"], "country": ["NER"], "lang": ["fr"]}
    assert driver.text("nav.seizures", "fr") in driver.nav_labels(page)
    button = page.get_by_test_id("stDownloadButton").locator("button")
    assert driver.label_of(button).startswith("Télécharger")

    driver.go_to(page, "operations")
    assert driver.heading(page) == driver.text("operations.title", "fr")
    assert driver.query(page) == {"operation": ["KAFO-II"], "country": ["NER"], "lang": ["fr"]}
    assert driver.chosen(page, driver.text("filters.country", "fr")) == ["Niger"]
    assert per_edition(page, "fr")[operation_names(server.data_dir)["KAFO-II"]] == str(wanted.events)
