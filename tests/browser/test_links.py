"""The whole view in its link (issue 28): every choice on a page in the address, Back that undoes,
and a "Copy link" button that puts exactly this address in the clipboard. At phone and desktop sizes.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.browser import driver
from tests.browser.expected import counts

# One worker runs this module: its windows (one per size) open once, not once per worker, and stay warm.
pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("links")]

# Every choice the Seizures page (managers) offers, away from its default: filters, measure, breakdown,
# the records opened, their sort, order and page.
SEIZURES = ("operation=KAFO-II&from=2020-11-01&measure=ammunition-rounds&show=month"
            "&records=1&sort=quantity&order=desc&page=2")


@pytest.fixture(scope="module", params=["phone", "desktop"])
def window(request: pytest.FixtureRequest, new_window: Callable[..., driver.Window], app_url: str) -> driver.Window:
    return new_window(app_url, request.param)


def main(page):
    return page.get_by_test_id("stMain")


def pressed(page, label_values: list[str]) -> list[str]:
    """Which of these segmented-control options are pressed (aria-checked) in the main area."""
    out = []
    for value in label_values:
        radio = main(page).get_by_role("radio", name=value, exact=True)
        if radio.count() and radio.first.get_attribute("aria-checked") == "true":
            out.append(value)
    return out


def test_a_link_with_every_choice_reopens_the_same_view(
        window: driver.Window, new_window: Callable[..., driver.Window], server) -> None:
    size = "phone" if driver.is_phone(window.page) else "desktop"
    first = new_window(server.url, size).page
    driver.open_page(first, server.url, "seizures", SEIZURES)
    assert driver.query(first) == driver.query_of(SEIZURES), "the page dropped a choice of the link"
    page = main(first)
    measure = page.get_by_test_id("stSelectbox").filter(has_text=driver.text("seizures.measure", "en"))
    assert measure.get_by_role("combobox").input_value() == "Ammunition (rounds)"
    assert pressed(first, [driver.text("seizures.month", "en")]) == [driver.text("seizures.month", "en")]
    sort = page.get_by_test_id("stSelectbox").filter(has_text=driver.text("seizures.sort", "en"))
    assert sort.get_by_role("combobox").input_value() == driver.text("col.seized_items.quantity", "en")
    assert page.get_by_test_id("stNumberInput").locator("input").input_value() == "2"
    assert page.get_by_test_id("stCheckbox").filter(
        has_text=driver.text("seizures.descending", "en")).locator("input").is_checked()
    wanted = counts(server.data_dir, ("KAFO-II",), date_from="2020-11-01")
    assert driver.metrics(first) == wanted.shown()
    shot = driver.screenshot(first, f"links-every-choice-{size}")
    first.context.close()
    assert shot.exists()


def test_back_after_two_changes_shows_the_first_state(window: driver.Window, server) -> None:
    page = window.page
    driver.open_page(page, server.url, "seizures", "operation=KAFO-II")
    one = counts(server.data_dir, ("KAFO-II",))
    driver.show_sidebar(page)
    driver.choose(page, "Country", "Niger")
    driver.hide_sidebar(page)
    month = main(page).get_by_role("radio", name=driver.text("seizures.month", "en"), exact=True)
    driver.rerun(page, month.click)
    assert driver.query(page) == {"operation": ["KAFO-II"], "country": ["NER"], "show": ["month"]}

    driver.rerun(page, page.go_back)
    assert driver.query(page) == {"operation": ["KAFO-II"], "country": ["NER"]}
    assert pressed(page, [driver.text("seizures.country", "en")]) == [driver.text("seizures.country", "en")]
    driver.rerun(page, page.go_back)
    assert driver.query(page) == {"operation": ["KAFO-II"]}
    driver.show_sidebar(page)
    assert driver.chosen(page, "Country") == []
    assert driver.metrics(page) == one.shown(), "Back changed the address but not the figures"
    driver.rerun(page, page.go_forward)
    assert driver.query(page) == {"operation": ["KAFO-II"], "country": ["NER"]}
    assert driver.chosen(page, "Country") == ["Niger"]


def overlaps(a: dict, b: dict) -> bool:
    return (min(a["x"] + a["width"], b["x"] + b["width"]) - max(a["x"], b["x"]) > 0
            and min(a["y"] + a["height"], b["y"] + b["height"]) - max(a["y"], b["y"]) > 0)


def test_copy_link_is_in_the_top_bar_and_puts_this_views_address_in_the_clipboard(window: driver.Window,
                                                                                   server) -> None:
    """One button per page, in the top bar that stays on screen: on a phone, without opening the menu and
    from the foot of the page too."""
    page = window.page
    window.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=server.url)
    for lang, query in (("en", "operation=KAFO-II&view=donor"), ("fr", "operation=KAFO-II&lang=fr&view=output")):
        driver.open_page(page, server.url, "budget", query)
        driver.hide_sidebar(page)  # the menu shut, as a phone opens a page (an earlier test may have left it open)
        main(page).evaluate("m => m.scrollTo(0, m.scrollHeight)")  # at the foot of a long page
        button = page.get_by_role("button", name=driver.text("links.copy", lang))
        assert button.count() == 1 and button.is_visible()
        box, bar = button.bounding_box(), page.get_by_test_id("stHeader").bounding_box()
        assert box and bar and box["y"] >= 0 and box["y"] + box["height"] <= bar["y"] + bar["height"], (box, bar)
        for other in ("stExpandSidebarButton", "stMainMenu"):  # the phone's menu buttons stay clear
            near = page.get_by_test_id(other)
            if near.count() and near.first.is_visible():
                assert not overlaps(box, near.first.bounding_box()), other
        button.click()
        page.get_by_role("status").filter(has_text=driver.text("links.copied", lang)).wait_for()
        assert page.evaluate("navigator.clipboard.readText()") == page.url
        assert driver.query_of(page.url.split("?", 1)[1]) == driver.query_of(query)
        if driver.is_phone(page):
            assert page.get_by_test_id("stExpandSidebarButton").is_visible(), "the menu opened"


def test_the_measure_picker_reads_french_after_switching(window: driver.Window, server) -> None:
    page = window.page
    driver.open_page(page, server.url, "seizures", "measure=ammunition-rounds")
    driver.set_language(page, "fr")
    driver.hide_sidebar(page)
    measure = main(page).get_by_test_id("stSelectbox").filter(has_text=driver.text("seizures.measure", "fr"))
    assert measure.get_by_role("combobox").input_value() == "Munitions (cartouches)"
