"""Every chart carries its context into an image: the selection in the title, the notes, data date and terms, and a
file name that says what it shows (AppTest reads the figure and the config the browser receives)."""

from __future__ import annotations

import json

import pytest
import streamlit as st
from streamlit.testing.v1.util import patch_config_options

from kafo_data.seizures.chart_context import Context, file_stem, with_context
from kafo_data.ui.data import forget as forget_results
from tests.pages.test_pages import open_page


@pytest.fixture(autouse=True)
def clear_caches():
    st.cache_data.clear()
    forget_results()
    yield


def charts(at) -> list[tuple[dict, dict]]:
    return [(json.loads(c.proto.spec), json.loads(c.proto.config)) for c in at.get("plotly_chart")]


def title_of(figure: dict) -> str:
    title = figure["layout"]["title"]
    return title["text"] + "\n" + title.get("subtitle", {}).get("text", "")


def test_a_public_seizures_chart_names_its_selection_the_adjusted_counts_and_its_file():
    with patch_config_options({"server.address": "192.0.2.2"}):
        at = open_page("pages/seizures.py", operation="KAFO-II", country="NER")
    figure, config = charts(at)[0]
    title = title_of(figure)
    assert "KAFO II · Niger" in title
    assert "slightly adjusted" in title and "Data as of" in title and "licences not yet set" in title
    name = config["toImageButtonOptions"]["filename"]
    assert name.startswith("kafo-ii_ner_") and name.endswith("-by-country_sample"), name


def test_a_managers_chart_has_no_adjusted_note_and_says_the_dates():
    at = open_page("pages/seizures.py", lang="fr", operation="KAFO-II", category="firearms",
                   **{"from": "2020-12-01", "to": "2020-12-05"})
    figure, config = charts(at)[0]
    title = title_of(figure)
    assert "KAFO II · Armes à feu · 1 déc. 2020 – 5 déc. 2020" in title.replace("<br>", " ")
    assert "ajustés" not in title and "Données au" in title
    assert config["toImageButtonOptions"]["filename"].startswith("kafo-ii_firearms_2020-12-01-2020-12-05_")


def test_a_budget_chart_says_its_currency():
    figure, _ = charts(open_page("pages/budget.py"))[0]
    assert figure["layout"]["yaxis"]["title"]["text"] == "Amount (EUR)"


def test_a_budget_chart_names_the_donors_and_outputs_chosen():
    figure, config = charts(open_page("pages/budget.py", lang="fr", donor="EU", output="2"))[0]
    assert "Union européenne · Produit 2" in title_of(figure).replace("<br>", " ")
    assert config["toImageButtonOptions"]["filename"].startswith("eu_output-2_"), config["toImageButtonOptions"]


def test_hostile_selection_labels_stay_text_in_the_image():
    base = {"data": [], "layout": {"title": {"text": "Firearms by country"}, "height": 300, "margin": {"t": 40}}}
    out = with_context(base, Context(("<a href='file:///etc/passwd'>x</a>",), ("<b>", "NER"), (),
                                     "Data as of 4 Dec 2026 · http://e.example/?x=<img src=x>"))
    text = title_of(out).replace("<br>", " ")
    assert "<a " not in text and "<img" not in text and "&lt;a href='file:///etc/passwd'&gt;x&lt;/a&gt;" in text
    assert out["layout"]["height"] > 300 and out["layout"]["margin"]["t"] > 40
    assert file_stem("Firearms (pieces) by country", Context(ids=("KAFO-II", "NER"))) == \
        "kafo-ii_ner_firearms-pieces-by-country"


def test_a_public_firearms_chart_names_its_selection_and_the_adjusted_counts():
    with patch_config_options({"server.address": "192.0.2.2"}):
        at = open_page("pages/firearms.py", operation="KAFO-II")
    figure, config = charts(at)[0]
    assert "KAFO II" in title_of(figure) and "slightly adjusted" in title_of(figure)
    assert config["toImageButtonOptions"]["filename"].startswith("kafo-ii_")


def test_a_public_french_firearms_chart_note_uses_the_pages_words():
    """« enregistrements » and « saisies » as the page says them, never « relevés » or « événements »; k as set."""
    with patch_config_options({"server.address": "192.0.2.2"}):
        at = open_page("pages/firearms.py", lang="fr", operation="KAFO-II")
    title = " ".join(title_of(charts(at)[0][0]).replace("<br>", " ").split())  # the note is wrapped over lines
    assert "Les comptes publics tirés des enregistrements sont légèrement ajustés" in title, title
    assert "moins de 3 saisies" in title and "relevés" not in title and "événements" not in title
