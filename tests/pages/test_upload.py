"""The upload page: a manager drops a report, reads the report, confirms; nothing stored before."""

from __future__ import annotations

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from kafo_data.seizures import queries
from kafo_data.seizures.filters import Filters
from kafo_data.store import batches
from kafo_data.store.db import get_database
from kafo_data.ui.data import forget as forget_results
from tests.conftest import REPO, open_app

REPORT = REPO / "tests" / "fixtures" / "ingest" / "rapport_kafo2_bfa.csv"


@pytest.fixture(autouse=True)
def isolated_data(data_copy, monkeypatch):
    monkeypatch.setenv("KAFO_DATA_DIR", str(data_copy))
    st.cache_data.clear()
    forget_results()
    st.cache_resource.clear()
    return data_copy


def open_upload(lang: str = "en") -> AppTest:
    return open_app("pages/upload.py", {"lang": lang})


def metric(at: AppTest, label: str) -> int:
    return int(next(m.value for m in at.metric if m.label == label).replace(",", "").replace("\u202f", ""))


def test_report_first_then_store_on_confirm_then_second_load_adds_nothing(isolated_data):
    at = open_upload()
    at.file_uploader[0].set_value((REPORT.name, REPORT.read_bytes(), "text/csv")).run()
    assert not at.exception
    read, accepted, rejected = metric(at, "Rows read"), metric(at, "Accepted"), metric(at, "Rejected")
    assert read == accepted + metric(at, "Already loaded") + rejected and accepted > 0 and rejected > 0
    assert [b.batch_id for b in batches.list_batches(isolated_data)] == ["sample"], "nothing stored before confirm"

    confirm = next(b for b in at.button if b.label.startswith("Store the"))
    confirm.click().run()
    assert not at.exception
    stored = [b for b in batches.list_batches(isolated_data) if not b.is_sample]
    assert len(stored) == 1 and stored[0].rows == accepted
    db = get_database(isolated_data)
    assert queries.record_count(db, Filters(include_sample=False)) == accepted
    assert queries.events_summary(db, Filters(include_sample=False))["events"] > 0
    # the result of the store, and nothing checked again (issue 28): batch id, rows stored, how to take it out
    said = " ".join(s.value for s in at.success) + " ".join(m.value for m in at.markdown)
    assert stored[0].batch_id in said and f"{accepted} item line(s) stored" in said and "Remove batch" in said
    assert not at.metric and not any("already" in i.value for i in at.info)
    assert at.selectbox(key="remove_id").value == stored[0].batch_id
    assert at.file_uploader[0].value is None  # a fresh uploader: the stored file is not read again

    # the same file again: its rows are "already loaded", not "rejected", and nothing is added
    at.file_uploader[0].set_value((REPORT.name, REPORT.read_bytes(), "text/csv")).run()
    assert metric(at, "Already loaded") == read and metric(at, "Rejected") == 0 and metric(at, "Accepted") == 0
    assert any("already stored" in i.value for i in at.info)


def test_emptying_the_uploader_lets_the_plan_go(isolated_data):
    at = open_upload()
    at.file_uploader[0].set_value((REPORT.name, REPORT.read_bytes(), "text/csv")).run()
    assert metric(at, "Rows read") > 0 and "upload_plan" in at.session_state
    at.file_uploader[0].set_value(None).run()
    assert not at.exception and not at.metric and "upload_plan" not in at.session_state


def test_the_upload_limit_is_said_in_the_pages_language(isolated_data):
    for lang, words, zone in (("en", "at most 10 MB", "At most 10 MB per file"),
                              ("fr", "au plus 10 Mo", "10 Mo au plus par fichier")):
        at = open_upload(lang)
        assert words in at.file_uploader[0].label
        assert any(zone in h.proto.body for h in at.get("html"))  # the drop zone's own line, over Streamlit's
    shown = [o for o in at.selectbox(key="upload_country").options if o != "(none)" and o != "(aucun)"]
    assert shown.index("Bénin") < shown.index("Burkina Faso"), "French order: accents set aside"


def test_an_unreadable_file_is_a_clear_message_and_stores_nothing(isolated_data):
    at = open_upload("fr")
    at.file_uploader[0].set_value(("rapport.csv", b"%PDF-1.4 binary", "text/csv")).run()
    assert not at.exception
    assert any("rien n'a été enregistré" in e.value for e in at.error)
    assert len(batches.list_batches(isolated_data)) == 1


@pytest.mark.parametrize(("lang", "words"), [("en", ("list of item names", "row 5", "administrator")),
                                              ("fr", ("liste des noms d'objets", "ligne 5", "administrateur"))])
def test_a_broken_mapping_file_says_which_list_and_what_to_do_without_a_server_path(isolated_data, lang, words):
    items = isolated_data / "mapping" / "items.csv"
    assert len(items.read_text("utf-8").splitlines()) >= 5
    lines = items.read_text("utf-8").splitlines(keepends=True)
    lines[4] = "laser,fr,firearms,laser_gun,pieces,,\n"  # row 5 of the file: an item type that does not exist
    items.write_text("".join(lines), "utf-8")
    at = open_upload(lang)
    at.file_uploader[0].set_value((REPORT.name, REPORT.read_bytes(), "text/csv")).run()
    assert not at.exception
    (said,) = [e.value.replace("\\", "") for e in at.error]  # as read: without Markdown's escapes
    assert all(w in said for w in words) and "laser_gun" in said, said
    assert "mapping" not in said and ".csv" not in said and "/" not in said, said
    assert len(batches.list_batches(isolated_data)) == 1


def test_upload_can_be_switched_off(monkeypatch):
    monkeypatch.setenv("KAFO_ENABLE_UPLOAD", "0")
    at = open_upload()
    assert not at.file_uploader
    switched_off = any("switched off" in i.value for i in at.info)
    not_listed = [t.value for t in at.title] == ["Operation KAFO: results"]
    assert switched_off or not_listed


def test_a_report_whose_every_row_was_rejected_shows_on_the_reporting_page_at_once(isolated_data):
    """It changes no data file, so results kept per data version did not see it until the next real load."""
    from kafo_data.ingest import seizures as ingest
    from kafo_data.ingest.commit import commit

    def mali_kafo5(at: AppTest) -> str:
        return at.dataframe[0].value.loc["KAFO V", "MLI"]

    assert mali_kafo5(open_app("pages/reporting.py")) == "—"
    bad = ("N° saisie;Opération;Date de saisie;Pays;Désignation;Quantité\r\n"
           "B-1;KAFO V;05/11/2024;Mali;objet inconnu;1\r\n")
    commit(isolated_data, ingest.plan(isolated_data, "mali.csv", bad.encode()))
    at = open_app("pages/reporting.py", {"lang": "fr"})
    assert mali_kafo5(at) == "⚠ rejeté"
    said = " ".join(m.value for m in at.markdown)
    assert "Parmi eux, un rapport envoyé mais toutes ses lignes rejetées : 1." in said, said


def test_the_default_country_of_seizure_offers_no_former_state(isolated_data):
    options = open_upload("fr").selectbox(key="upload_country").options
    assert "Burkina Faso" in options and not {"URSS", "Union soviétique", "Tchécoslovaquie"} & set(options)
