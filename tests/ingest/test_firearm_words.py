"""Optional firearm cells that say "not known", former countries and long country names (issue 30 review).

Before: « inconnu », « - », « fabrication locale », « URSS », « Tchécoslovaquie », « États-Unis d'Amérique »
in the country of manufacture, and « illisible » in the marking, each rejected its line and every line of
its seizure. What is stored is read back with pyarrow; `validate` checks it against the contract.
"""

from __future__ import annotations

import csv

import pyarrow.parquet as pq

from kafo_data import country_names
from kafo_data.ingest import seizures as ingest
from kafo_data.ingest.commit import commit
from kafo_data.ingest.validate import validate

HEAD = "N° saisie;Opération;Date de saisie;Pays;Désignation;Quantité;Marquage;Pays de fabrication;Statut du traçage\r\n"
CASES = [  # (marking, country of manufacture, tracing) -> what is stored
    ("marqué", "inconnu", "-", ("marked", None, None)),
    ("-", "-", "n/a", (None, None, None)),
    ("illisible", "fabrication locale", "non déterminé", ("unknown", None, None)),
    ("effacé", "URSS", "", ("erased", "SUHH", None)),
    ("marqué", "Tchécoslovaquie", "", ("marked", "CSHH", None)),
    ("marqué", "États-Unis d'Amérique", "", ("marked", "USA", None)),
    ("inconnu", "Yougoslavie", "", ("unknown", "YUCS", None)),
    ("marqué", "RDA", "ND", ("marked", "DDDE", None)),
    ("n.d.", "N.C.", "s.o.", (None, None, None)),
    ("marqué", "Union soviétique", "traçage demandé", ("marked", "SUHH", "requested")),
]


def test_unknown_words_former_and_long_country_names_are_accepted(data_copy):
    body = "".join(f"W-{n};KAFO V;05/11/2024;Niger;kalachnikov;1;{m};{c};{t}\r\n"
                   for n, (m, c, t, _) in enumerate(CASES))
    p = ingest.plan(data_copy, "rapport.csv", (HEAD + body).encode("utf-8"))
    assert not p.rejected, [(r.line, [m.text("fr") for m in r.reasons]) for r in p.rejected]
    result = commit(data_copy, p)
    seizures = pq.read_table(result.batch_path / "seizures.parquet").to_pylist()
    items = pq.read_table(result.batch_path / "seized_items.parquet").to_pylist()
    ref = {s["seizure_id"]: s["seizure_id"].split(":")[-1] for s in seizures}
    got = {ref[i["seizure_id"]]: (i["marking_status"], i["country_of_manufacture"], i["tracing_status"]) for i in items}
    assert got == {f"W-{n}": want for n, (*_, want) in enumerate(CASES)}
    assert validate(data_copy) == []


def test_a_former_country_is_no_country_of_seizure(data_copy):
    p = ingest.plan(data_copy, "rapport.csv", (HEAD + "X-1;KAFO V;05/11/2024;URSS;kalachnikov;1;;;\r\n").encode())
    assert [r.line for r in p.rejected] == [2]
    assert "URSS" in "; ".join(m.text("fr") for m in p.rejected[0].reasons)


def test_country_names_short_and_former_in_both_languages(data_copy):
    with (data_copy / "reference" / "countries.csv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    fr = country_names.shown({r["iso3"]: r["name_fr"] for r in rows}, data_copy, "fr")
    en = country_names.shown({r["iso3"]: r["name_en"] for r in rows}, data_copy, "en")
    assert (fr["RUS"], fr["NER"], fr["SUHH"], fr["CSHH"]) == ("Russie", "Niger", "URSS", "Tchécoslovaquie")
    assert (en["RUS"], en["SUHH"], en["DDDE"], en["YUCS"]) == ("Russia", "USSR", "East Germany", "Yugoslavia")
    lists = {"BES", "SHN"}  # "Bonaire, Sint Eustatius and Saba": a list of islands, not an inverted name
    assert not [(c, n) for names in (fr, en) for c, n in names.items() if ", " in n and c not in lists]


def test_make_and_calibre_that_say_not_known_are_empty(data_copy):
    head = "N° saisie;Opération;Date de saisie;Pays;Désignation;Quantité;Marque;Calibre\r\n"
    body = ("M-1;KAFO V;05/11/2024;Niger;pistolet;1;inconnu;-\r\n"
            "M-2;KAFO V;05/11/2024;Niger;pistolet;1;n/a;non déterminé\r\n"
            "M-3;KAFO V;05/11/2024;Niger;pistolet;1;Makarov;9x18\r\n")
    result = commit(data_copy, ingest.plan(data_copy, "rapport.csv", (head + body).encode("utf-8")))
    items = pq.read_table(result.batch_path / "seized_items.parquet").to_pylist()
    assert sorted((i["make"] or "", i["calibre"] or "") for i in items) == [("", ""), ("", ""), ("Makarov", "9x18")]
