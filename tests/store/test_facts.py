"""Every published fact traced to the page that holds it, and the sample meeting every published number.

The expectations are written from the sources' own sentences (quoted beside each), not from the
reference files, and the sample totals are summed with pandas, not with the query layer.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import math
import subprocess
import sys

import pytest
from streamlit.testing.v1 import AppTest

from kafo_data.i18n import catalogue
from kafo_data.seizures import queries
from kafo_data.store.db import get_database
from kafo_data.store.reference import PARTICIPANTS, check_reference
from tests.conftest import REPO, read_records
from tests.pages.test_pages import open_page

SAMPLE_OPERATIONS = {"KAFO-I", "KAFO-II", "KAFO-III", "KAFO-IV", "KAFO-V"}


def rows(root, table: str) -> list[dict[str, str]]:
    with (root / "reference" / f"{table}.csv").open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def figures_by_id(root) -> dict[str, dict[str, str]]:
    return {r["figure_id"]: r for r in rows(root, "figures")}


def sources(root) -> dict[str, dict[str, str]]:
    return {r["source_id"]: r for r in rows(root, "sources")}


# --- sources ------------------------------------------------------------------------------------

def test_every_shown_figure_cites_a_source_with_an_address(repo_data):
    srcs = sources(repo_data)
    for fig in rows(repo_data, "figures"):
        url = srcs[fig["source_id"]]["url"]
        assert url.startswith(("https://", "http://")), (fig["figure_id"], fig["source_id"])


def test_every_source_has_an_address_or_says_why_not(repo_data):
    for src in rows(repo_data, "sources"):
        assert src["url"] or src["why_no_url"].strip(), src["source_id"]
    assert sources(repo_data)["iso-3166"]["why_no_url"]


def test_the_project_description_is_the_att_assistance_page_not_a_un_database(repo_data):
    src = sources(repo_data)["undb-kafo2-project"]
    assert src["url"] == ("https://att-assistance.org/activity/"
                          "unodc-global-firearms-programme-and-interpol-support-coordination-operation-kafo-ii")
    assert "Arms Trade Treaty assistance database" in src["publisher"] and "SIPRI" in src["publisher"]
    assert "UN database" not in src["publisher"]


def test_the_donor_reports_are_french_pages_with_their_dates(repo_data):
    srcs = sources(repo_data)
    allafrica, dpa = srcs["allafrica-2020-12-kafo2"], srcs["dpa-2021-01-kafo2"]
    assert (allafrica["language"], allafrica["published"]) == ("fr", "2020-12-22")
    assert allafrica["url"] == "https://fr.allafrica.com/stories/202012220249.html"
    assert (dpa["language"], dpa["published"]) == ("fr", "2021-01-16") and dpa["url"].startswith("https://")
    support = {(r["donor_id"], r["operation_id"]): r["source_id"] for r in rows(repo_data, "donor_support")
               if r["source_id"] != "unodc-2020-07-kafo2-workshop"}
    for donor in ("DEU", "FRA", "ITA", "EU"):
        assert srcs[support[(donor, "KAFO-II")]]["language"] == "fr"


# --- Trigger VIII: each figure on the page that holds it -----------------------------------------

def test_trigger_viii_officers_both_kept_each_with_its_page_and_qualifier(repo_data):
    figs = figures_by_id(repo_data)
    # illicitflows.eu: "521 officers were deployed"; INTERPOL: "involved some 520 law enforcement officials"
    shown, note = figs["t8-officers"], figs["t8-officers-interpol"]
    assert (shown["value"], shown["qualifier"], shown["shown"], shown["source_id"]) == (
        "521", "exact", "true", "illicitflows-trigger8")
    assert (note["value"], note["qualifier"], note["shown"], note["footnote_of"]) == (
        "520", "some", "false", "t8-officers")
    assert sources(repo_data)[note["source_id"]]["url"].startswith("https://www.border-security-report.com/")


def test_trigger_viii_cash_and_arrests_cite_interpol_not_illicitflows(repo_data):
    figs = figures_by_id(repo_data)
    # INTERPOL: "EUR 110,000 in cash", "has led to some 120 arrests"; the illicitflows page has neither
    assert figs["t8-cash"]["source_id"] == figs["t8-arrests"]["source_id"] == "interpol-2022-07-trigger8"
    assert (figs["t8-arrests"]["value"], figs["t8-arrests"]["qualifier"]) == ("120", "some")
    assert figs["t8-arrests"]["text"] == "some 120 arrests"
    assert figs["t8-ammunition"]["text"] == "5,567 pieces of ammunition"


@pytest.mark.parametrize("figure_id, value, qualifier, source_id", [
    ("t8-networks", "14", "exact", "illicitflows-trigger8"),          # "14 criminal networks were dismantled"
    ("t8-investigations", "85", "more_than", "illicitflows-trigger8"),  # "more than 85 investigations"
    ("t8-gold", "26", "more_than", "illicitflows-trigger8"),          # "more than 26 kg of illicitly mined gold"
    ("t8-checks", "20000", "more_than", "interpol-2022-07-trigger8"),  # "More than 20,000 checks"
    ("t8-hotspots", "35", "exact", "interpol-2022-07-trigger8"),      # "targeting 35 hotspots"
    ("t8-drugs", "1337", "exact", "illicitflows-trigger8"),           # "1,337 kg of drugs"
    ("t8-drugs-interpol", "1.5", "exact", "interpol-2022-07-trigger8"),  # "1.5 tonnes of drugs"
])
def test_trigger_viii_figures_added_with_source_and_qualifier(repo_data, figure_id, value, qualifier, source_id):
    fig = figures_by_id(repo_data)[figure_id]
    assert (fig["value"], fig["qualifier"], fig["source_id"]) == (value, qualifier, source_id)


def test_the_two_drug_figures_keep_their_own_units(repo_data):
    figs = figures_by_id(repo_data)
    assert (figs["t8-drugs"]["unit"], figs["t8-drugs-interpol"]["unit"]) == ("kg", "t")
    assert figs["t8-drugs-interpol"]["footnote_of"] == "t8-drugs"


# --- wording kept as published -----------------------------------------------------------------

def test_kafo_ii_wording_as_published(repo_data):
    figs = figures_by_id(repo_data)
    assert figs["k2-medicines"]["text"] == "2,263 boxes of contraband drugs"
    assert "médicaments de contrebande" in figs["k2-medicines"]["note"]
    assert "against international criminal databases" in figs["k2-checks"]["text"]
    # INTERPOL names no country for its arrests; the project description says Niger
    assert "Niger" not in figs["k2-arrests"]["text"]
    assert "Niger" in figs["k2-arrests-project"]["text"]
    assert figs["k2-arrests-project"]["footnote_of"] == "k2-arrests"
    assert sources(repo_data)[figs["k2-arrests-project"]["source_id"]]["url"].startswith("https://att-assistance")


def test_kafo_v_words_and_numbers(repo_data):
    figs = figures_by_id(repo_data)
    assert "estimated value of more than 10 million USD" in figs["k5-drugs-value"]["text"]
    opening = figs["k5-firearms-opening"]
    assert "thousands of firearms" in opening["text"]
    assert (opening["value"], opening["qualifier"], opening["shown"], opening["footnote_of"]) == (
        "", "words", "false", "k5-firearms")
    assert (figs["k5-devices"]["value"], figs["k5-devices"]["qualifier"]) == ("", "words")
    assert "drones" in figs["k5-devices"]["text"]
    assert figs["k1-checks"]["qualifier"] == "words" and figs["k1-checks"]["text"].startswith("Thousands of checks")


def test_words_are_never_numbers(repo_data):
    for fig in rows(repo_data, "figures"):
        assert (fig["qualifier"] == "words") == (fig["value"] == ""), fig["figure_id"]


# --- who led, who took part, when ----------------------------------------------------------------

def test_leads_say_what_each_page_says(repo_data):
    ops = {r["operation_id"]: r for r in rows(repo_data, "operations")}
    for op in ("KAFO-III", "KAFO-IV", "KAFO-V"):
        assert "INTERPOL" not in ops[op]["lead"] and "INTERPOL" not in ops[op]["lead_fr"], op
    assert ops["KAFO-IV"]["lead"] == "Facilitated by UNODC through its Global Firearms Programme"
    assert ops["KAFO-V"]["lead"] == "Facilitated by UNODC"
    assert all(r["lead"] and r["lead_fr"] for r in ops.values())


def test_agencies_each_with_a_source_and_a_label_in_both_languages(repo_data):
    agencies = rows(repo_data, "operation_agencies")
    by_op: dict[str, set[str]] = {}
    for r in agencies:
        by_op.setdefault(r["operation_id"], set()).add(r["agency"])
        assert r["source_id"] and r["text"]
    assert by_op["KAFO-V"] >= {"police", "customs", "gendarmerie", "intelligence", "justice", "interpol_ncb"}
    assert "maritime_authority" in by_op["KAFO-III"] and "salw_commission" in by_op["KAFO-II"]
    assert set(by_op) == {r["operation_id"] for r in rows(repo_data, "operations")}
    for lang in ("en", "fr"):
        assert all(f"participant.{p}" in catalogue(lang) for p in PARTICIPANTS)


def test_kafo_iv_published_days_and_its_sample_events_inside_them(repo_data):
    op = next(r for r in rows(repo_data, "operations") if r["operation_id"] == "KAFO-IV")
    assert (op["start_date"], op["end_date"], op["date_precision"]) == ("2023-12-04", "2023-12-24", "day")
    assert "2024" in op["note"]
    seizures, _ = read_records(repo_data)
    k4 = seizures[seizures.operation_id == "KAFO-IV"]
    assert len(k4) > 0
    assert k4.seizure_date.min() >= dt.date(2023, 12, 4) and k4.seizure_date.max() <= dt.date(2023, 12, 24)


# --- the sample meets every published number -------------------------------------------------------

def _records_total(records, fig: dict[str, str]) -> float:
    rows_ = records[(records.operation_id == fig["operation_id"]) & (records.unit == fig["unit"])]
    if fig["counts"]:
        terms = fig["counts"].split()
        keep = [c in terms or f"{c}/{i}" in terms for c, i in zip(rows_.category, rows_.item_type, strict=True)]
        return float(rows_[keep].quantity.sum())
    rows_ = rows_[rows_.category == fig["category"]]
    if fig["item_type"]:
        rows_ = rows_[rows_.item_type == fig["item_type"]]
    return float(rows_.quantity.sum())


def _meets(total: float, value: float, qualifier: str) -> bool:
    return {"exact": total == value, "more_than": total > value, "at_least": total >= value}[qualifier]


def test_every_sample_total_meets_each_published_number(repo_data):
    seizures, records = read_records(repo_data)
    checked = set()
    for fig in rows(repo_data, "figures"):
        if fig["shown"] != "true" or not fig["value"] or fig["operation_id"] not in SAMPLE_OPERATIONS:
            continue
        if fig["indicator"] == "arrests":
            total = float(seizures[seizures.operation_id == fig["operation_id"]].arrests.sum())
        elif fig["category"] or fig["counts"]:
            total = _records_total(records, fig)
        else:
            continue  # officers, checks, areas...: nothing in the records counts them
        assert _meets(total, float(fig["value"]), fig["qualifier"]), (fig["figure_id"], total)
        checked.add(fig["figure_id"])
    assert {"k5-rifles-parts", "k5-firearms", "k3-arrests", "k5-arrests", "k4-cash"} <= checked
    assert len(checked) >= 22


def test_reconciliation_view_agrees_with_an_independent_sum(repo_data):
    _, records = read_records(repo_data)
    figs = figures_by_id(repo_data)
    rec = queries.reconciliation(get_database(repo_data))
    assert "k5-rifles-parts" in set(rec.figure_id)
    for r in rec.itertuples():
        fig = figs[r.figure_id]
        if fig["indicator"] == "arrests" or fig["operation_id"] not in SAMPLE_OPERATIONS:
            continue
        assert r.records_total == _records_total(records, fig), r.figure_id


def test_kafo_v_rifles_parts_and_components_counted_within_the_firearms(repo_data):
    # "more than 400 firearms (including more than 250 rifles, parts, and components)"
    _, records = read_records(repo_data)
    k5 = records[(records.operation_id == "KAFO-V") & (records.unit == "pieces")]
    rifles_parts = k5[k5.item_type.isin(["rifle", "assault_rifle"]) | (k5.category == "parts_components")]
    as_the_source_counts = k5[k5.category.isin(["firearms", "parts_components"])]
    assert rifles_parts.quantity.sum() > 250
    assert as_the_source_counts.quantity.sum() > 400
    assert rifles_parts.quantity.sum() <= as_the_source_counts.quantity.sum()
    assert k5[k5.category == "firearms"].quantity.sum() > 400


# --- rules the reference check enforces ------------------------------------------------------------

@pytest.mark.parametrize("table, old, new, message", [
    ("sources", "https://illicitflows.eu/operation-trigger-viii-west-and-central-africa-successful-in-"
                "dismantling-vast-criminal-networks,en,INTERPOL operation related to KAFO,",
     ",en,INTERPOL operation related to KAFO,", "address"),
    ("figures", "false,interpol-2022-07-trigger8,,,t8-officers,", "false,interpol-2022-07-trigger8,,,,",
     "footnote_of"),
    # a note shown on the French pages has its French (issue 27's review: the French Results showed English notes)
    ("figures", "Same figure in INTERPOL's release,Même chiffre dans le communiqué d'INTERPOL,",
     "Same figure in INTERPOL's release,,", "note_fr"),
    ("sources", "UNODC West and Central Africa,ONUDC Afrique de l'Ouest et du Centre,",
     "UNODC West and Central Africa,,", "publisher_fr"),
    ("figures", "24 zones stratégiques,unodc-2025-kafo5-fr", "24 zones stratégiques,", "fr_source_id"),
    ("figures", "24 zones stratégiques,unodc-2025-kafo5-fr", "24 zones stratégiques,unodc-2025-01-kafo5",
     "fr_source_id"),
    ("figures", "firearms/rifle firearms/assault_rifle parts_components", "firearms/rifle firearms/cannon",
     "counts"),
    ("operation_agencies", "KAFO-V,8,interpol_ncb", "KAFO-V,8,interpol", "unknown agency"),
])
def test_reference_check_refuses(data_copy, table, old, new, message):
    path = data_copy / "reference" / f"{table}.csv"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")
    assert any(message in p for p in check_reference(data_copy))


# --- figures --json and the pages ------------------------------------------------------------------

def test_cli_figures_json_names_the_figure_each_footnote_belongs_to():
    result = subprocess.run([sys.executable, "-m", "kafo_data", "figures", "--operation", "TRIGGER-VIII", "--json"],
                            cwd=REPO, capture_output=True, text=True, encoding="utf-8")
    assert result.returncode == 0, result.stderr
    figures = json.loads(result.stdout)
    ids = {f["figure_id"]: f for f in figures}
    assert {f["figure_id"]: f["footnote_of"] for f in figures if not f["shown"]} == {
        "t8-officers-interpol": "t8-officers", "t8-drugs-interpol": "t8-drugs", "t8-goods-interpol": "t8-goods",
        "t8-shark-fins-interpol": "t8-shark-fins"}
    assert all(f["footnote_of"] is None for f in figures if f["shown"])
    assert (ids["t8-officers-interpol"]["value"], ids["t8-officers-interpol"]["qualifier"]) == (520, "some")
    assert ids["t8-drugs-interpol"]["value"] == 1.5 and not math.isnan(ids["t8-drugs-interpol"]["value"])


def _text(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption] + [i.value for i in at.info]
    parts += [s.value for s in at.subheader] + [table.value.to_string() for table in at.table]
    return "\n".join(parts)


def test_operations_page_shows_who_took_part_and_the_kafo_iv_year_note(clear_caches):
    body = _text(open_page("pages/operations.py"))
    assert "Who took part" in body and "INTERPOL National Central Bureaus" in body
    assert "Maritime authorities" in body and "des autorités maritimes" in body  # the page: « des autorités maritimes »
    assert "Facilitated by UNODC" in body and "4 Dec 2023" in body
    assert "Between 4 and 24 December 2024" in body
    body_fr = _text(open_page("pages/operations.py", lang="fr"))
    assert "Qui a participé" in body_fr and "Autorités maritimes" in body_fr and "Facilitée par l'ONUDC" in body_fr


def test_overview_says_the_filters_do_not_change_the_published_figures(clear_caches):
    plain = open_page("pages/overview.py")
    assert not plain.info
    assert any("filters apply to the records" in c.value for c in plain.caption)
    filtered = open_page("pages/overview.py", country="NER")
    assert any("Published for the whole operation; the filters apply to the records" in i.value
               for i in filtered.info)
    body = _text(filtered)  # the latest edition (KAFO V) first; the overview shows one edition at a time
    filtered.button_group(key="ov_operation").set_value("TRIGGER-VIII").run()
    body += "\n" + _text(filtered)
    assert "521 officers" in body and "some 520 law enforcement officials" in body
    assert "The same page also says “the seizure of thousands of firearms" in body
