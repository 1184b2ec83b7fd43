"""The first person after a server start, arriving by a shared link, then moving to another page.

With a `pages/` folder next to `app.py`, Streamlit's legacy router runs the server's first
sessions (notes, point 4): the navigation can show file names, and a link's filter can be lost
on the next page. Later sessions are fine, and AppTest never sees it, so each case here gets
a server of its own and is the very first session on it.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.browser import driver
from tests.browser.expected import counts
from tests.browser.test_filters import shown

pytestmark = pytest.mark.browser

LINK = "operation=KAFO-II&country=NER"
FILTERS = {"operation": ["KAFO-II"], "country": ["NER"]}
REGISTRY = [driver.text(f"nav.{name}", "en") for name in ("overview", "seizures", "operations", "budget", "data",
                                                            "upload")]


@pytest.mark.parametrize(("arrive", "then"), [("seizures", "operations"), ("", "seizures")],
                         ids=["link-to-seizures", "link-to-overview"])
def test_first_session_keeps_the_link_on_the_next_page(
        arrive: str, then: str, fresh_server, new_window: Callable[..., driver.Window]) -> None:
    """Widgets, address bar and figures still carry the link's filters one click later."""
    window = new_window(fresh_server.url)
    page = window.page
    driver.open_page(page, fresh_server.url, arrive, LINK)
    wanted = counts(fresh_server.data_dir, ("KAFO-II",), ("NER",))
    shot = driver.screenshot(page, f"first-session-{arrive or 'overview'}")
    assert driver.nav_labels(page) == REGISTRY, f"the navigation shows file names; see {shot}"
    assert driver.chosen(page, "Operation") == ["KAFO II"]
    assert driver.query(page) == FILTERS

    driver.go_to(page, then)
    shot = driver.screenshot(page, f"first-session-{arrive or 'overview'}-then-{then}")
    assert driver.errors(page) == [], f"error box after moving; see {shot} and tests/artifacts/fresh-server.log"
    assert driver.query(page) == FILTERS, f"the address bar lost the link's filters; see {shot}"
    assert driver.chosen(page, "Operation") == ["KAFO II"], f"the Operation filter was dropped; see {shot}"
    assert driver.chosen(page, "Country") == ["Niger"], f"the Country filter was dropped; see {shot}"
    if then == "seizures":
        assert driver.metrics(page) == shown(wanted)
    else:
        driver.go_to(page, "seizures")
        assert driver.metrics(page) == shown(wanted), "the figures are not those of the link"
    window.context.close()
