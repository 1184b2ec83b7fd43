"""The Results page through AppTest: every edition's published figures, filters by operation and indicator."""

from __future__ import annotations

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from kafo_data.ui.data import forget as forget_results
from tests.conftest import open_app
from tests.export.test_published import reference


@pytest.fixture(autouse=True)
def clear_caches():
    st.cache_data.clear()
    forget_results()
    yield


def open_results(**params: str) -> AppTest:
    return open_app("pages/results.py", params)


def shown_figures(operations=(), indicators=()) -> list[dict[str, str]]:
    return [f for f in reference("figures") if f["shown"] == "true"
            and (not operations or f["operation_id"] in operations)
            and (not indicators or f["indicator"] in indicators)]


def test_every_edition_is_on_one_page_with_its_words_and_source_address():
    at = open_results()
    frame = at.dataframe[0].value
    want = shown_figures()
    assert len(frame) == len(want)
    assert set(frame["Operation"]) == {o["name"] for o in reference("operations")}
    words = list(frame["The source's words"])
    for f in want:
        assert any(f["text"] in cell for cell in words), f["figure_id"]
        if f["quote_lang"] == "fr" and f["translation"]:  # a French quote comes with our translation, labelled
            assert any(f["text"] in cell and f"Our translation, not the source's words: {f['translation']}" in cell
                       for cell in words), f["figure_id"]
    sources = {s["source_id"]: s["url"] for s in reference("sources")}
    assert sorted(frame["Source address"]) == sorted(sources[f["source_id"]] for f in want)
    assert "more than 400 pieces" in set(frame["Result"])
    footnoted = frame[frame["Result"] == "50 pieces"]["Footnotes"].iloc[0]
    assert "more than 50 firearms" in footnoted, "a second wording stays beside its figure"


def test_the_operation_and_indicator_filters_narrow_the_table_and_the_link():
    at = open_results(lang="fr", operation="KAFO-II")
    assert len(at.dataframe[0].value) == len(shown_figures(("KAFO-II",)))
    at.multiselect(key="results_indicator").set_value(["firearms", "officers"]).run()
    frame = at.dataframe[0].value
    assert len(frame) == len(shown_figures(("KAFO-II",), ("firearms", "officers"))) == 2
    assert set(frame["Indicateur"]) == {"Armes à feu", "Agents mobilisés"}
    assert "plus de 260 agents" in set(frame["Résultat"]) or "260 agents" in set(frame["Résultat"])
    assert at.query_params["indicator"] == ["firearms", "officers"]
    every = [f for f in reference("figures")
             if f["operation_id"] == "KAFO-II" and f["indicator"] in ("firearms", "officers")]
    assert f"Télécharger {len(every)} lignes" in at.get("download_button")[0].proto.label


def test_a_link_with_indicators_opens_them_and_drops_unknown_ones():
    at = open_results(indicator=["arrests", "<b>nope</b>"])
    frame = at.dataframe[0].value
    assert set(frame["Indicator"]) == {"Arrests"} and len(frame) == len(shown_figures(indicators=("arrests",)))


def test_the_operations_page_links_to_every_published_result():
    at = open_app("pages/operations.py")
    links = [link for link in at.get("page_link")]
    assert any("Every published result" in link.proto.label and link.proto.page.endswith("results")
               for link in links), [link.proto for link in links]


def test_the_indicators_leave_the_link_on_another_page():
    at = open_results(indicator="arrests", lang="fr")
    assert at.query_params["indicator"] in ("arrests", ["arrests"])
    at.switch_page("pages/operations.py").run()
    assert "indicator" not in at.query_params and at.query_params["lang"] in ("fr", ["fr"]), "the rest stays"
