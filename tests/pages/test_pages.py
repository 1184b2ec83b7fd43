"""Every page through AppTest: renders, filters change numbers, links carry filters, both languages."""

from __future__ import annotations

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from kafo_data.config import data_dir
from kafo_data.fmt import number
from kafo_data.seizures import queries
from kafo_data.seizures.filters import Filters
from kafo_data.store.db import get_database
from kafo_data.ui.data import forget as forget_results
from tests.conftest import open_app

PAGES = ["pages/overview.py", "pages/seizures.py", "pages/operations.py", "pages/results.py", "pages/budget.py",
         "pages/data_sources.py", "pages/upload.py"]
NNBSP = "\u202f"


@pytest.fixture(autouse=True)
def clear_caches():
    st.cache_data.clear()
    forget_results()
    st.cache_resource.clear()
    yield


def open_page(page: str, **params) -> AppTest:
    return open_app(page, params)


def texts(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption] + [h.value for h in at.header]
    parts += [s.value for s in at.subheader] + [t.value for t in at.title] + [i.value for i in at.info]
    parts += [w.value for w in at.warning]
    for table in at.table:
        parts.append(table.value.to_string())
    parts += [str(m.value) for m in at.metric]
    return "\n".join(parts)


def url(at: AppTest, key: str) -> list[str]:
    """A query parameter as a list, however AppTest stores a single value."""
    value = at.query_params.get(key, [])
    return [value] if isinstance(value, str) else list(value)


def metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("lang", ["en", "fr"])
def test_every_page_renders_without_exception(page, lang):
    at = open_page(page, lang=lang)
    assert at.title, "each page has a title"


def every_edition(lang: str = "en") -> str:
    """The overview's texts for each edition in turn (it shows one edition's results at a time)."""
    at = open_page("pages/overview.py", lang=lang)
    bodies = []
    for op in at.button_group(key="ov_operation").options:
        at.button_group(key="ov_operation").set_value(op).run()
        bodies.append(texts(at))
    return "\n".join(bodies)


def test_overview_shows_kafo_ii_rounds_and_dynamite_in_english():
    body = every_edition()
    assert "6,162 rounds" in body
    assert "40,593 sticks" in body
    assert "more than 400 pieces" in body
    assert "dozens of firearms" in body
    assert "Another source says “more than 260 officers”" in body


def test_overview_in_french_uses_french_numbers_and_labels():
    body = every_edition("fr")
    assert f"6{NNBSP}162 cartouches" in body
    assert f"40{NNBSP}593 bâtons" in body
    assert "plus de 400 armes" in body and "plus de 400 pièces" not in body  # firearms are « armes » (issue 28)
    assert "Munitions" in body
    # the section's heading is the edition picker's label (issue 28: the first figure on a phone's first screen)
    assert "Résultats publiés de chaque opération" in open_page("pages/overview.py", lang="fr").button_group(
        key="ov_operation").label


def test_seizures_page_labels_the_sample():
    body = texts(open_page("pages/seizures.py"))
    assert "Sample data" in body and "not real" in body


def test_choosing_an_operation_changes_the_numbers_and_the_url():
    at = open_page("pages/seizures.py")
    all_events = metric(at, "Seizure events")
    at.sidebar.multiselect(key="f_operation").set_value(["KAFO-II"]).run()
    expected = queries.events_summary(get_database(data_dir()), Filters(operations=("KAFO-II",)))
    assert metric(at, "Seizure events") == number(expected["events"], "en") != all_events
    assert metric(at, "Arrests") == number(expected["arrests"], "en")
    assert url(at, "operation") == ["KAFO-II"]


def test_a_link_sets_the_filters():
    at = open_page("pages/seizures.py", operation="KAFO-II", country=["NER", "MLI"], category="firearms",
                   **{"from": "2020-11-30", "to": "2020-12-06"})
    assert at.sidebar.multiselect(key="f_operation").value == ["KAFO-II"]
    assert sorted(at.sidebar.multiselect(key="f_country").value) == ["MLI", "NER"]
    f = Filters(operations=("KAFO-II",), countries=("MLI", "NER"), categories=("firearms",))
    expected = queries.events_summary(get_database(data_dir()), f)
    assert metric(at, "Seizure events") == number(expected["events"], "en")


def test_unknown_values_in_a_link_give_a_notice_and_are_ignored():
    at = open_page("pages/seizures.py", operation=["KAFO-IX", "KAFO-II"], country="XXX")
    notice = " ".join(w.value for w in at.warning)
    assert "KAFO-IX" in notice and "XXX" in notice
    assert at.sidebar.multiselect(key="f_operation").value == ["KAFO-II"]


def test_switching_language_keeps_the_filters():
    at = open_page("pages/seizures.py", operation="KAFO-III")
    at.sidebar.segmented_control(key="lang").set_value("fr").run()
    assert not at.exception
    assert at.sidebar.multiselect(key="f_operation").value == ["KAFO-III"]
    assert url(at, "lang") == ["fr"] and url(at, "operation") == ["KAFO-III"]
    assert any(m.label == "Interpellations" for m in at.metric)


def test_an_empty_selection_shows_a_friendly_message_not_empty_charts():
    at = open_page("pages/seizures.py", operation="KAFO-II", country="GHA")
    assert "No records match these filters" in texts(at)
    assert not at.get("plotly_chart")


def test_reset_clears_the_filters():
    at = open_page("pages/seizures.py", operation="KAFO-II", country="NER")
    at.sidebar.button[0].click().run()
    assert at.sidebar.multiselect(key="f_operation").value == []
    assert "operation" not in at.query_params


def test_operations_page_reconciles_records_with_published_figures():
    body = texts(open_page("pages/operations.py"))
    assert "records account for 6,162 of 6,162 rounds published" in body
    assert "records account for 5,200 of 5,200 m published" in body


def test_data_page_lists_sources_dictionary_and_batches():
    at = open_page("pages/data_sources.py", lang="fr")
    body = texts(at)
    assert "Massive operation by INTERPOL" in body
    assert "sample" in body
    assert any("arrests" in set(frame.value.iloc[:, 1]) for frame in at.dataframe), "the dictionary lists arrests"


def test_an_edition_with_no_report_loaded_says_so_instead_of_widen_the_selection():
    at = open_page("pages/seizures.py", operation="TRIGGER-VIII")
    said = " ".join(i.value for i in at.info)
    assert "No national report has been loaded yet for Trigger VIII" in said and "Widen" not in said
    at = open_page("pages/seizures.py", operation="KAFO-II", **{"from": "2030-01-01"})
    said = " ".join(i.value for i in at.info)  # records of KAFO II exist, the dates leave none: widen is the advice
    assert "Widen" in said and "No national report" not in said
