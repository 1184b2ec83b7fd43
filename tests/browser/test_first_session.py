"""The first person after a server start, arriving by a shared link, then moving to another page.

With a `pages/` folder next to `app.py`, Streamlit's legacy router serves a new process's first
sessions (notes, point 4): the page runs without app.py, the navigation lists file names, and
a link's filter can be lost on the next page. Later sessions differ and AppTest never sees it,
so each case here gets a server of its own and is the very first session on it.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.browser import driver
from tests.browser.expected import counts

pytestmark = pytest.mark.browser

LINK = "operation=KAFO-II&country=NER"
FILTERS = {"operation": ["KAFO-II"], "country": ["NER"]}
REGISTRY = [driver.text(entry.title_key, "en") for entry in driver.registry()]


@pytest.mark.parametrize(("arrive", "then"), [("seizures", "operations"), ("", "seizures")],
                         ids=["link-to-seizures", "link-to-overview"])
def test_first_session_keeps_the_link_on_the_next_page(
        arrive: str, then: str, fresh_server, new_window: Callable[..., driver.Window]) -> None:
    """Widgets, address bar and figures still carry the link's filters one click later."""
    window = new_window(fresh_server.url)
    page = window.page
    problems: list[str] = []

    def check(ok: bool, what: str, shot: object) -> None:
        if not ok:
            problems.append(f"{what} (see {shot})")

    driver.open_page(page, fresh_server.url, arrive, LINK)
    wanted = counts(fresh_server.data_dir, ("KAFO-II",), ("NER",))
    shot = driver.screenshot(page, f"first-session-{arrive or 'overview'}")
    nav = driver.nav_labels(page)
    check(nav == REGISTRY, f"the navigation shows {nav}, not the page registry", shot)
    check(driver.chosen(page, "Operation") == ["KAFO II"], "the link's Operation is not shown", shot)
    check(driver.query(page) == FILTERS, f"the address bar reads {driver.query(page)}", shot)

    driver.go_to(page, then)
    shot = driver.screenshot(page, f"first-session-{arrive or 'overview'}-then-{then}")
    check(driver.errors(page) == [], f"an error box after moving (see {driver.ARTIFACTS / 'fresh-server.log'})", shot)
    check(driver.query(page) == FILTERS, f"after moving, the address bar reads {driver.query(page)}", shot)
    check(driver.chosen(page, "Operation") == ["KAFO II"], "after moving, the Operation filter is gone", shot)
    check(driver.chosen(page, "Country") == ["Niger"], "after moving, the Country filter is gone", shot)
    if then != "seizures":
        driver.go_to(page, "seizures")
    check(driver.metrics(page) == wanted.shown(), f"the figures {driver.metrics(page)} are not the link's", page.url)
    window.context.close()
    assert problems == []
