"""The brief's button on Overview, Operations and Budget (AppTest), and the sentence shown when PDFs cannot be made."""

from __future__ import annotations

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from kafo_data.brief.content import Request
from kafo_data.ui import brief as ui_brief
from kafo_data.ui.data import forget as forget_results
from tests.pages.test_pages import open_page


@pytest.fixture(autouse=True)
def clear_caches():
    st.cache_data.clear()
    forget_results()
    yield


def labels(at: AppTest) -> list[str]:
    return [b.proto.label for b in at.get("download_button")]


def test_the_overview_offers_the_brief_of_the_edition_shown_and_of_every_edition():
    at = open_page("pages/overview.py", lang="fr")
    assert "Note sur KAFO V (PDF)" in labels(at) and "Note sur toutes les éditions (PDF)" in labels(at)
    at.button_group(key="ov_operation").set_value("KAFO-II").run()
    assert "Note sur KAFO II (PDF)" in labels(at)


@pytest.mark.parametrize("page", ["pages/operations.py", "pages/budget.py"])
def test_operations_and_budget_offer_the_brief(page):
    assert "Brief (PDF)" in labels(open_page(page))


def test_the_budget_brief_follows_the_donor_and_output_filters(monkeypatch):
    """From the link first, then after a click in the filter bar: the brief asks for what the page shows."""
    asked: list[Request] = []

    def recording(*args):
        asked.append(Request(*args))
        return asked[-1]

    monkeypatch.setattr(ui_brief, "Request", recording)
    at = open_page("pages/budget.py", donor="EU", output="2", operation="KAFO-II")
    req = asked[-1]
    assert (req.page, req.donors, req.outputs, req.operations) == ("budget", ("EU",), (2,), ("KAFO-II",))
    at.multiselect(key="f_output").set_value([1, 3]).run()
    assert asked[-1].outputs == (1, 3) and asked[-1].donors == ("EU",)


def test_a_server_without_the_pdf_renderer_says_so_instead_of_a_button(monkeypatch):
    monkeypatch.setattr(ui_brief, "unavailable", lambda: "the PDF renderer cannot start: install Pango")
    at = open_page("pages/operations.py")
    assert "Brief (PDF)" not in labels(at)
    assert any("The brief cannot be made on this server: the PDF renderer cannot start" in c.value for c in at.caption)


def test_the_file_name_says_page_editions_language_and_day():
    import datetime as dt

    assert (ui_brief.file_name("overview", ("KAFO-II",), "fr", dt.date(2026, 12, 4))
            == "kafo_brief_overview_KAFO-II_fr_2026-12-04.pdf")
    assert (ui_brief.file_name("budget", (), "en", dt.date(2026, 12, 4), ("EU",), (2,))
            == "kafo_brief_budget_EU-output2_en_2026-12-04.pdf")


@pytest.mark.parametrize("page", ["pages/overview.py", "pages/results.py", "pages/budget.py"])
def test_every_page_ends_with_the_data_date_and_how_to_cite_this_view(page):
    from kafo_data.fmt import date
    from kafo_data.store.as_of import data_as_of
    from tests.conftest import DATA

    at = open_page(page, lang="fr", operation="KAFO-II")
    footer = at.main.caption[-1].value
    assert footer.startswith(f"Données au {date(data_as_of(DATA), 'fr')}.")
    assert "Citer cette vue : Programme mondial sur les armes à feu de l'ONUDC" in footer
    assert "(Opérations : KAFO II)" in footer and "Natural Earth (domaine public)" in footer


def test_the_data_page_says_how_to_cite_and_the_terms_of_each_part():
    at = open_page("pages/data_sources.py")
    assert "How to cite" in [s.value for s in at.subheader] and "Licence and terms" in [s.value for s in at.subheader]
    assert any("Operation KAFO results dashboard" in c.value for c in at.code)
    terms = "\n".join(m.value for m in at.markdown)
    assert "Map outlines: Natural Earth, public domain." in terms and "licence not yet set" in terms


def test_a_server_without_chromium_says_the_brief_comes_without_charts(monkeypatch):
    monkeypatch.setattr(ui_brief, "no_browser", lambda: True)
    at = open_page("pages/budget.py")
    assert "Brief (PDF)" in labels(at)
    assert any("The brief comes without its charts: no Chromium on this server" in c.value for c in at.caption)
