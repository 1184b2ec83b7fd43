"""The overview's figure cards as Chromium draws them: each card one Markdown element (issue 16's speed).

Every figure KAFO II published is checked against the reference files read here with the csv
module: its quotation, a link to its source's address, the source's date in small type, and the
other source's wording as a footnote; no Markdown mark or escape shows.
"""

from __future__ import annotations

import csv
from collections.abc import Callable

import pytest

from tests.browser import driver

pytestmark = pytest.mark.browser


def _rows(name: str) -> list[dict[str, str]]:
    with (driver.REPO / "data" / "reference" / f"{name}.csv").open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def test_each_kafo_ii_card_shows_its_quote_source_link_and_footnote(new_window: Callable[..., driver.Window],
                                                                     app_url: str):
    window = new_window(app_url)
    driver.open_page(window.page, app_url, "", "operation=KAFO-II")
    sources = {s["source_id"]: s for s in _rows("sources")}
    figures = [f for f in _rows("figures") if f["operation_id"] == "KAFO-II"]
    cards = window.page.get_by_test_id("stColumn").get_by_test_id("stMarkdown")
    texts = [cards.nth(k).inner_text() for k in range(cards.count())]
    shown = [f for f in figures if f["shown"] == "true"]
    assert len(texts) == len(shown)
    for figure in shown:
        source = sources[figure["source_id"]]
        card = next(k for k, text in enumerate(texts) if f"“{figure['text']}”" in text)
        assert f"Source: {source['title']} ({source['published']})" in texts[card]
        link = cards.nth(card).get_by_role("link", name=source["title"], exact=True)
        assert link.get_attribute("href") == source["url"]
        body = cards.nth(card).locator("p").first.evaluate("p => parseFloat(getComputedStyle(p).fontSize)")
        assert link.evaluate("a => parseFloat(getComputedStyle(a).fontSize)") < body  # small type, as a caption
        for note in (f for f in figures if f["footnote_of"] == figure["figure_id"]):
            assert f"“{note['text']}”" in texts[card] and texts[card].count("¹") >= 1
        assert "\\" not in texts[card] and "**" not in texts[card] and ":small[" not in texts[card]


def test_kafo_iii_cards_quote_the_french_page_and_label_the_translation(new_window: Callable[..., driver.Window],
                                                                       app_url: str):
    """English readers see KAFO III's French words as published, then our translation labelled as ours."""
    window = new_window(app_url)
    driver.open_page(window.page, app_url, "", "operation=KAFO-III")
    cards = window.page.get_by_test_id("stColumn").get_by_test_id("stMarkdown")
    texts = [cards.nth(k).inner_text() for k in range(cards.count())]
    shown = [f for f in _rows("figures") if f["operation_id"] == "KAFO-III" and f["shown"] == "true"]
    assert len(texts) == len(shown)
    for figure in shown:
        card = next(text for text in texts if f"“{figure['text']}” (in French, as published)" in text)
        assert f"Our translation, not the source's words: {figure['translation']}" in card
    driver.screenshot(window.page, "cards-kafo-iii-en")
