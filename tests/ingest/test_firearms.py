"""The firearm columns of French and English reports: read, checked, stored (issue 30).

Each report is written here as a manager would type it; what is stored is read back with pyarrow.
"""

from __future__ import annotations

import pyarrow.parquet as pq

from kafo_data.ingest import seizures as ingest
from kafo_data.ingest.commit import commit
from kafo_data.ingest.validate import validate

FR = (
    "N° saisie;Opération;Date de saisie;Pays;Désignation;Quantité;Marquage;Pays de fabrication;"
    "Statut du traçage;Origine illicite;Artisanale\r\n"
    "F-1;KAFO II;01/12/2020;Niger;PA 9 mm;2;marqué(e);Russie;traçage demandé;;non\r\n"
    "F-2;KAFO II;02/12/2020;Niger;kalachnikov;3;Effacé(e);Turquie;origine établie;détournement de stock national;\r\n"
    "F-3;KAFO II;02/12/2020;Niger;fusil de chasse calibre 12;1;;Chine;;Stock national;\r\n"
    "F-4;KAFO II;03/12/2020;Niger;cartouches;50;;;origine établie;;\r\n"
    "F-5;KAFO II;03/12/2020;Niger;PA 9 mm;1;rayé;Atlantide;en attente;;peut-être\r\n"
    "F-6;KAFO II;03/12/2020;Niger;PA 9 mm;1;;;origine non établie;trafic;\r\n"
)
EN = (
    "Seizure ID,Operation,Date,Country,Item,Quantity,Markings,Made in,Tracing status,Point of diversion\r\n"
    "E-1,KAFO II,01/12/2020,Mali,pistol,4,obliterated,Russia,pending,\r\n"
    "E-2,KAFO II,01/12/2020,Mali,pistol,1,marked,Italy,established,civilian owner\r\n"
    "E-3,KAFO II,01/12/2020,Mali,cartridges,10,,,,illicitly imported\r\n"
)


def _by_line(p: ingest.IngestPlan) -> dict[int, ingest.Row]:
    return {r.line: r for r in p.rows}


def _reasons(row: ingest.Row, lang: str) -> str:
    return "; ".join(m.text(lang) for m in row.reasons)


def test_french_report_firearm_columns(data_copy):
    p = ingest.plan(data_copy, "rapport.csv", FR.encode("utf-8"))
    assert p.lang == "fr"
    assert not {"Marquage", "Pays de fabrication", "Statut du traçage"} & set(p.unused_columns)
    rows = _by_line(p)
    assert not rows[2].reasons
    assert (rows[2].item["marking_status"], rows[2].item["country_of_manufacture"], rows[2].item["tracing_status"],
            rows[2].item["craft_made"]) == ("marked", "RUS", "requested", False)
    assert (rows[3].item["marking_status"], rows[3].item["country_of_manufacture"], rows[3].item["tracing_status"],
            rows[3].item["illicit_origin"]) == ("erased", "TUR", "origin_established", "national_stockpile")
    # an origin with no status says the origin was established
    assert not rows[4].reasons and rows[4].item["tracing_status"] == "origin_established"
    # a tracing status on ammunition: rejected, with the reason
    assert "décrit une arme à feu" in _reasons(rows[5], "fr") and "Munitions" in _reasons(rows[5], "fr")
    # wrong values, each named with its column
    wrong = _reasons(rows[6], "fr")
    for text in ("Marquage : valeur inconnue « rayé »", "pays inconnu « Atlantide »",
                 "Statut du traçage : valeur inconnue « en attente »", "Artisanale : valeur inconnue « peut-être »"):
        assert text in wrong, wrong
    assert "suppose le statut du traçage « origine établie », pas « origine non établie »" in _reasons(rows[7], "fr")
    assert [r.line for r in p.accepted] == [2, 3, 4]


def test_english_report_stored_and_valid(data_copy):
    p = ingest.plan(data_copy, "report.csv", EN.encode("utf-8"))
    assert p.lang == "en"
    rows = _by_line(p)
    assert (rows[2].item["marking_status"], rows[2].item["country_of_manufacture"],
            rows[2].item["tracing_status"]) == ("erased", "RUS", "requested")
    assert rows[3].item["illicit_origin"] == "civilian_owner"
    assert "describes a firearm" in _reasons(rows[4], "en")
    result = commit(data_copy, p)
    stored = pq.read_table(result.batch_path / "seized_items.parquet").to_pylist()
    got = sorted((r["item_type"], r["quantity"], r["marking_status"], r["country_of_manufacture"],
                  r["tracing_status"], r["illicit_origin"]) for r in stored)
    assert got == [("pistol", 1.0, "marked", "ITA", "origin_established", "civilian_owner"),
                   ("pistol", 4.0, "erased", "RUS", "requested", None)]
    assert validate(data_copy) == []


def test_validate_finds_tracing_on_ammunition(data_copy):
    items = data_copy / "batches" / "sample" / "seized_items.parquet"
    table = pq.read_table(items)
    rows = table.to_pylist()
    ammo = next(k for k, r in enumerate(rows) if r["category"] == "ammunition")
    rows[ammo]["tracing_status"] = "requested"
    pq.write_table(type(table).from_pylist(rows, schema=table.schema), items)
    problems = validate(data_copy)
    assert any(f"row {ammo + 1}: tracing_status on a line that is not a firearm" in p for p in problems), problems
