"""Issue 16 through AppTest: tables that honour the filters their captions name, an empty state that says why.

Counts are checked against the records read with pyarrow and pandas (tests/browser/expected.py),
not against the query layer.
"""

from __future__ import annotations

import shutil

import pytest
from streamlit.testing.v1 import AppTest

from kafo_data.i18n import t
from tests.browser.expected import counts, operation_names
from tests.conftest import DATA, open_app, read_records
from tests.pages.test_pages import open_page

pytestmark = pytest.mark.usefixtures("clear_caches")


def table_with(at: AppTest, column: str):
    return next(table.value for table in at.table if column in table.value.columns)


def test_records_per_edition_show_only_the_editions_the_filter_names():
    at = open_page("pages/operations.py", operation="KAFO-II", country="NER")
    names = operation_names(DATA)
    rows = table_with(at, t("operations.col.sample_events", "en"))
    assert rows[t("operations.col.operation", "en")].tolist() == [names["KAFO-II"]]
    wanted = counts(DATA, ("KAFO-II",), ("NER",))
    assert rows[t("seizures.events", "en")].tolist() == [str(wanted.events)]
    assert rows[t("seizures.lines", "en")].tolist() == [str(wanted.lines)]


def test_every_edition_is_listed_when_no_operation_is_chosen():
    at = open_page("pages/operations.py")
    rows = table_with(at, t("operations.col.sample_events", "en"))
    shown = rows[t("operations.col.operation", "en")].tolist()
    assert sorted(shown) == sorted(operation_names(DATA).values())


def test_published_figures_are_compared_for_the_chosen_edition_and_the_caption_says_what_applies():
    at = open_page("pages/operations.py", operation="KAFO-II", country="NER")
    rows = table_with(at, t("operations.col.reconciliation", "en"))
    assert set(rows[t("operations.col.operation", "en")]) == {operation_names(DATA)["KAFO-II"]}
    captions = [c.value for c in at.caption]
    assert t("look.reconciliation_scope", "en") in captions
    assert t("operations.records_caption", "en") not in captions
    assert t("look.records_caption", "en") in captions


@pytest.fixture
def sample_only(data_copy, monkeypatch):
    """The shipped data: only the generated sample, no real report loaded."""
    monkeypatch.setenv("KAFO_DATA_DIR", str(data_copy))
    shutil.rmtree(data_copy / "tmp", ignore_errors=True)
    return data_copy


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_sample_off_with_no_real_records_says_none_are_loaded_and_how_to_load_them(sample_only, lang):
    at = open_page("pages/seizures.py", sample="0", lang=lang)
    notices = [i.value for i in at.info]
    assert t("look.empty_no_real", lang) in notices
    assert t("filters.empty", lang) not in notices  # "widen the selection" would not help
    assert not at.metric


def test_sample_off_with_real_records_but_a_narrow_filter_still_says_widen_the_selection(sample_only):
    at = open_page("pages/seizures.py", operation="KAFO-II", category="explosives", country="SEN")
    notices = [i.value for i in at.info]
    if counts(DATA, ("KAFO-II",), ("SEN",), ("explosives",)).lines == 0:
        assert t("filters.empty", "en") in notices
        assert t("look.empty_no_real", "en") not in notices


def test_the_overview_shows_the_latest_edition_and_jumps_to_another():
    at = open_page("pages/overview.py")
    names = operation_names(DATA)
    headings = [s.value for s in at.subheader]
    assert any(h.startswith(names["KAFO-V"] + " · ") for h in headings)
    assert not any(h.startswith(names["KAFO-II"] + " · ") for h in headings)
    at.button_group(key="ov_operation").set_value("KAFO-II").run()
    headings = [s.value for s in at.subheader]
    assert any(h.startswith(names["KAFO-II"] + " · ") for h in headings)
    assert "6,162 rounds" in "\n".join(m.value for m in at.markdown)


def test_the_chart_image_format_is_kept_from_page_to_page_without_a_warning():
    at = open_page("pages/seizures.py")
    at.button_group(key="img_format").set_value("svg").run()
    at.switch_page("pages/operations.py").run()  # a page with no chart
    at.switch_page("pages/overview.py").run()
    assert at.button_group(key="img_format").value == "svg"
    at.switch_page("pages/budget.py").run()
    assert at.button_group(key="img_format").value == "svg"
    assert not at.warning, [w.value for w in at.warning]
    assert not at.exception


def test_the_records_are_drawn_when_opened_50_a_page_in_date_order(clear_caches):
    _, lines = read_records(DATA)
    niger = lines[lines.country_iso3 == "NER"]
    at = open_app("pages/seizures.py", {"country": "NER"})
    assert not at.dataframe  # closed: no grid, no pickers, nothing sent
    assert not [w for w in at.selectbox if w.key == "rec_sort"]
    at.session_state["rec_open"] = True
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    (grid,) = at.dataframe
    assert len(grid.value) == min(50, len(niger))
    total = f"{len(niger):,}"
    assert any(c.value.startswith(f"Item lines 1–{min(50, len(niger))} of {total}") for c in at.caption)
    shown_dates = grid.value.iloc[:, next(i for i, c in enumerate(grid.value.columns) if "date" in str(c).lower())]
    assert list(shown_dates) == sorted(shown_dates)
