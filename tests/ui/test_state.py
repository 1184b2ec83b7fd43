"""The one URL sync: links in, URL out, for every page; what a person typed is never silently ignored."""

from __future__ import annotations

import datetime as dt

import pytest
import streamlit as st

from kafo_data.config import data_dir
from kafo_data.seizures import queries
from kafo_data.seizures.filters import Filters
from kafo_data.store.db import get_database
from kafo_data.ui.data import forget as forget_results
from tests.conftest import as_shown
from tests.pages.test_pages import metric, open_page, texts, url

PAGES = ["pages/overview.py", "pages/seizures.py", "pages/operations.py", "pages/budget.py",
         "pages/data_sources.py"]


@pytest.fixture(autouse=True)
def clear_caches():
    st.cache_data.clear()
    forget_results()
    yield


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("value", ["2014-12-31", "2036-01-01", "9999-12-31", "0001-01-01"])
def test_a_date_out_of_range_in_a_link_is_named_and_left_out_on_every_page(page, value):
    at = open_page(page, **{"from": value, "to": value})
    warning = as_shown(" ".join(w.value for w in at.warning))
    assert f"from: {value}" in warning and f"to: {value}" in warning
    dates = [box for box in at.sidebar.date_input if box.key in ("f_from", "f_to")]
    assert len(dates) == (0 if page == "pages/budget.py" else 2)  # dates describe seizures, not money
    assert all(box.value is None for box in dates)
    assert url(at, "from") == [] and url(at, "to") == []
    assert at.button[-1].label  # the sidebar (and its Reset button) is drawn


def test_a_to_before_from_as_typed_moves_the_other_date_and_says_so():
    at = open_page("pages/seizures.py", **{"from": "2020-12-01"})
    at.date_input(key="f_to").set_value(dt.date(2020, 11, 30)).run()
    assert not at.exception
    assert at.date_input(key="f_from").value == dt.date(2020, 11, 30) == at.date_input(key="f_to").value
    assert "The start date was after the end date: it now equals it (2020-11-30)" in at.sidebar.info[0].value
    assert not at.warning  # the person typed it: no word about a link
    assert url(at, "from") == ["2020-11-30"] and url(at, "to") == ["2020-11-30"]
    one_day = Filters(date_from=dt.date(2020, 11, 30), date_to=dt.date(2020, 11, 30))
    expected = queries.events_summary(get_database(data_dir()), one_day)["events"]
    assert metric(at, "Seizure events") == str(expected)


def test_dates_out_of_order_in_a_link_are_named_and_not_shown_in_the_sidebar():
    at = open_page("pages/seizures.py", **{"from": "2021-01-01", "to": "2020-01-01"})
    assert "from/to: 2021-01-01 > 2020-01-01" in as_shown(" ".join(w.value for w in at.warning))
    assert at.date_input(key="f_from").value is None and at.date_input(key="f_to").value is None


@pytest.mark.parametrize("page", PAGES)
def test_markdown_in_a_link_is_shown_as_typed_never_rendered(page):
    evil = "**Notice:** these figures are outdated. [Open the official dashboard](https://evil.example)"
    at = open_page(page, country=evil, donor="![x](http://host/pixel.png)")
    warning = next(w.value for w in at.warning if "evil" in w.value)
    # every mark escaped, addresses broken by a zero-width space: shown character for character, no link, no image
    assert f"country: {evil}; donor: ![x](http://host/pixel.png)" in as_shown(warning)
    assert "](" not in warning and "://" not in warning and "**" not in warning
    assert "evil" not in texts(at).replace(warning, "")


def test_a_pages_choices_from_a_link_are_drawn_and_kept_and_unknown_ones_named():
    """The Seizures page's measure and breakdown live in the link; a value that is no option is named."""
    at = open_page("pages/seizures.py", operation="KAFO-II", measure="ammunition-rounds", show="month")
    assert at.selectbox(key="measure").value == "ammunition|rounds"
    assert at.segmented_control(key="s_breakdown").value == "month"
    assert url(at, "measure") == ["ammunition-rounds"] and url(at, "show") == ["month"]
    at.segmented_control(key="s_breakdown").set_value("country").run()
    assert url(at, "show") == []  # the default is left out
    assert url(at, "measure") == ["ammunition-rounds"]

    at = open_page("pages/seizures.py", measure="firearms-litres", show="weekday")
    warning = as_shown(" ".join(w.value for w in at.warning))
    assert "measure: firearms-litres" in warning and "show: weekday" in warning
    assert url(at, "measure") == [] and url(at, "show") == []
    assert at.segmented_control(key="s_breakdown").value == "country"


def test_the_budget_view_and_overview_edition_live_in_the_link():
    at = open_page("pages/budget.py", view="donor")
    assert at.segmented_control(key="b_view").value == "donor" and url(at, "view") == ["donor"]
    at = open_page("pages/overview.py", edition="KAFO-II")
    assert at.segmented_control(key="ov_operation").value == "KAFO-II" and url(at, "edition") == ["KAFO-II"]
    assert any(h.value.startswith("KAFO II · ") for h in at.subheader)
