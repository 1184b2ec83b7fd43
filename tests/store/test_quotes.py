"""Every quotation in its own words and language, every figure on the page that holds it (issue 27).

The pages' words are kept apart from the reference files, in tests/fixtures/source_pages/<source_id>.txt
(copied from the pages): a figure whose `text` is not found there word for word is a paraphrase shown
as a quotation. Expected values below are written from those sentences, not from the reference files.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

from kafo_data.seizures import queries
from kafo_data.store.db import get_database
from kafo_data.store.reference import check_reference
from tests.conftest import read_records

PAGES = Path(__file__).resolve().parents[1] / "fixtures" / "source_pages"


def rows(root, table: str) -> list[dict[str, str]]:
    with (root / "reference" / f"{table}.csv").open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def figures(root) -> dict[str, dict[str, str]]:
    return {r["figure_id"]: r for r in rows(root, "figures")}


def test_every_figure_is_quoted_word_for_word_from_the_page_it_cites(repo_data):
    paraphrases = []
    for fig in rows(repo_data, "figures"):
        page = PAGES / f"{fig['source_id']}.txt"
        assert page.is_file(), f"no copy of {fig['source_id']}'s words to check {fig['figure_id']} against"
        if _flat(fig["text"]) not in _flat(page.read_text(encoding="utf-8")):
            paraphrases.append(fig["figure_id"])
    assert paraphrases == []


def test_every_quotation_has_its_page_s_language_a_labelled_translation_and_an_address(repo_data):
    sources = {s["source_id"]: s for s in rows(repo_data, "sources")}
    for fig in rows(repo_data, "figures"):
        source = sources[fig["source_id"]]
        assert fig["quote_lang"] == source["language"], fig["figure_id"]  # KAFO III's page is French
        assert {fig["quote_lang"], fig["translation_lang"]} == {"en", "fr"}, fig["figure_id"]
        assert fig["translation"].strip() and fig["translation"] != fig["text"], fig["figure_id"]
        assert source["url"].startswith(("https://", "http://")), fig["figure_id"]


def test_kafo_iii_keeps_the_french_page_s_words(repo_data):
    figs = figures(repo_data)
    # « 850 agents de différents organismes [...] ont saisi, en décembre, un total de 594 armes à feu »
    assert figs["k3-officers"]["text"].startswith("850 agents")
    assert figs["k3-firearms"]["text"] == "un total de 594 armes à feu"
    assert figs["k3-cigarettes"]["text"] == "120 800 cartouches de tabac de contrebande"
    assert figs["k3-officers"]["translation"].startswith("850 officers")
    assert {f["quote_lang"] for f in figs.values() if f["operation_id"] == "KAFO-III"} == {"fr"}


def test_kafo_i_tracing_and_network_cite_interpol_s_release_not_unodc_s_page(repo_data):
    figs = figures(repo_data)
    sources = {s["source_id"]: s for s in rows(repo_data, "sources")}
    for fid in ("k1-tracing", "k1-network"):
        source = sources[figs[fid]["source_id"]]
        assert source["url"] == ("https://www.hstoday.us/subject-matter-areas/border-security/"
                                 "joint-operation-exposes-firearms-smuggling-routes-across-west-africa/")
        assert "INTERPOL" in source["publisher"]
    assert "traced back to the countries of manufacture" in figs["k1-tracing"]["text"]
    assert figs["k1-trained"]["source_id"] == "unodc-2019-12-kafo1"


@pytest.mark.parametrize("figure_id, value, qualifier, unit, source_id", [
    # illicitflows.eu: "45 investigations into illegal possession and arms trafficking were opened"
    ("t8-arms-investigations", "45", "exact", "investigations", "illicitflows-trigger8"),
    # "more than 45 tons of illicit goods including: 40 tons of shark fins; 818 kg of ivory; [...] more than three
    # tons of counterfeit medicine"
    ("t8-goods", "45", "more_than", "t", "illicitflows-trigger8"),
    ("t8-shark-fins", "40", "exact", "t", "illicitflows-trigger8"),
    ("t8-ivory", "818", "exact", "kg", "illicitflows-trigger8"),
    ("t8-counterfeit-medicine", "3", "more_than", "t", "illicitflows-trigger8"),
    # INTERPOL: "some 6,000 firearm parts, components, ammunition and explosives" (no unit added)
    ("t8-parts-ammunition", "6000", "some", "", "interpol-2022-07-trigger8"),
    ("t8-petrol", "10000", "more_than", "L", "interpol-2022-07-trigger8"),  # "more than 10,000 litres"
    ("t8-tusks", "141", "exact", "tusks", "interpol-2022-07-trigger8"),  # "141 elephant tusks"
    ("t8-arrests-firearms", "42", "exact", "persons", "interpol-2022-07-trigger8"),
    ("t8-arrests-goods", "78", "exact", "persons", "interpol-2022-07-trigger8"),
    # UNODC: "along with at least a dozen light weapon and conventional arms munitions"
    ("k5-munitions", "12", "at_least", "munitions", "unodc-2025-01-kafo5"),
])
def test_the_published_figures_the_data_lacked(repo_data, figure_id, value, qualifier, unit, source_id):
    fig = figures(repo_data)[figure_id]
    assert (fig["value"], fig["qualifier"], fig["unit"], fig["source_id"], fig["shown"]) == (
        value, qualifier, unit, source_id, "true")


def test_goods_in_words_stay_words_and_the_parts_of_a_total_are_not_added_to_it(repo_data):
    figs = figures(repo_data)
    goods = figs["k4-other-goods"]
    assert (goods["value"], goods["qualifier"]) == ("", "words")
    assert "counterfeit medicine, contraband medical equipment and medicines, stolen vehicles" in goods["text"]
    assert "not to be added" in figs["t8-goods"]["note"]
    # "some" is its own qualifier, never "about": INTERPOL's "some 520", "some 120"
    assert figs["t8-officers-interpol"]["qualifier"] == figs["t8-arrests"]["qualifier"] == "some"
    assert "42" not in figs["t8-arrests"]["note"]  # the 42 and 78 are figures now, not a note


def test_no_reference_cell_points_to_a_file_outside_the_repository(repo_data):
    for table in ("sources", "figures", "operations", "donors", "donor_support", "project"):
        for row in rows(repo_data, table):
            for value in row.values():
                rest = re.sub(r"https?://\S+", "", value or "")
                assert not re.search(r"[\w.-]+/[\w./-]+\.(?:txt|md|csv|pdf|json)\b", rest), (table, value)


def test_allafrica_quotes_the_page_and_is_cited(repo_data):
    source = next(s for s in rows(repo_data, "sources") if s["source_id"] == "allafrica-2020-12-kafo2")
    assert ("« Cette opération a été possible grâce au soutien de l'Allemagne, de la France, de l'Italie et de "
            "l'Union européenne »") in source["note"]
    assert "202101040644" not in source["note"]  # the second story could not be found
    cited = {r["source_id"] for table in ("donors", "donor_support", "figures") for r in rows(repo_data, table)}
    assert "allafrica-2020-12-kafo2" in cited


def test_kafo_v_400_is_compared_with_firearms_parts_and_components_together(repo_data):
    # "more than 400 firearms (including more than 250 rifles, parts, and components)"
    _, records = read_records(repo_data)
    k5 = records[(records.operation_id == "KAFO-V") & (records.unit == "pieces")]
    firearms = float(k5[k5.category == "firearms"].quantity.sum())
    with_parts = float(k5[k5.category.isin(["firearms", "parts_components"])].quantity.sum())
    rec = queries.reconciliation(get_database(repo_data))
    total = rec[rec.figure_id == "k5-firearms"].records_total.iloc[0]
    assert total == with_parts > firearms


@pytest.mark.parametrize("old, new, message", [
    (',en,"110 agents de police', ',,"110 agents de police', "quote_lang"),
    ("illicitflows-trigger8,,,,,en,521 agents ont été déployés,fr", "illicitflows-trigger8,,,,,en,,fr",
     "translation"),
    ("illicitflows-trigger8,,,,,en,521 agents ont été déployés,fr", "illicitflows-trigger8,,,,,en,521 agents,en",
     "translation"),
])
def test_a_quotation_without_its_language_or_translation_is_refused(data_copy, old, new, message):
    path = data_copy / "reference" / "figures.csv"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    assert any(message in p for p in check_reference(data_copy))


def test_a_source_note_s_quotation_is_its_page_s_words(repo_data):
    # allAfrica's story is in the stored pages (fr.allafrica.com/stories/202012220249.html): its copy is a fixture
    checked = []
    for source in rows(repo_data, "sources"):
        page = PAGES / f"{source['source_id']}.txt"
        for quoted in re.findall(r"« (.+?) »", source["note"]):
            if page.is_file():
                assert _flat(quoted) in _flat(page.read_text(encoding="utf-8")), source["source_id"]
                checked.append(source["source_id"])
    assert "allafrica-2020-12-kafo2" in checked


def test_who_took_part_is_in_each_page_s_own_words(repo_data):
    # KAFO III: « avec la participation de la police, de la gendarmerie, des douanes, [...] et du parquet »
    missing = [(r["operation_id"], r["text"]) for r in rows(repo_data, "operation_agencies")
               if _flat(r["text"]) not in _flat((PAGES / f"{r['source_id']}.txt").read_text(encoding="utf-8"))]
    assert missing == []


def test_a_french_page_s_words_are_quoted_word_for_word_from_it(repo_data):
    # UNODC's French page on KAFO V: « plus de 400 armes à feu (dont plus de 250 fusils, pièces et composants) »
    sources = {s["source_id"]: s for s in rows(repo_data, "sources")}
    french = [f for f in rows(repo_data, "figures") if f["fr_text"]]
    assert {f["figure_id"] for f in french} >= {"k5-firearms", "k5-rifles-parts", "k5-officers"}
    for fig in french:
        page = PAGES / f"{fig['fr_source_id']}.txt"
        assert _flat(fig["fr_text"]) in _flat(page.read_text(encoding="utf-8")), fig["figure_id"]
        assert sources[fig["fr_source_id"]]["language"] == "fr"
        assert sources[fig["fr_source_id"]]["url"].startswith("https://www.unodc.org/westandcentralafrica/fr/")
